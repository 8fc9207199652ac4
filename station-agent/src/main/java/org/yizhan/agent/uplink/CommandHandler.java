package org.yizhan.agent.uplink;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.protocol.Command;

/** Carries out one kind of command; fails with {@link CommandFailure} to answer with a specific code. */
@FunctionalInterface
public interface CommandHandler {

    /** The result data (may be empty). */
    Future<JsonObject> handle(Command command);
}
