package org.yizhan.agent.uplink;

import io.vertx.core.json.JsonObject;

/** Where station logic reports what happened; the uplink makes each event durable before sending it. */
@FunctionalInterface
public interface EventSink {

    void emit(String type, JsonObject data);
}
