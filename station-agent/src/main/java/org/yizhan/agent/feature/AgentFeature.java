package org.yizhan.agent.feature;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.config.StationConfig;

/**
 * One feature of the station (the door, passes, chargers, the kiosk...) as the agent's wiring sees it: the
 * commands it answers, its block of {@code GET /status}, its local HTTP routes, how it takes a configuration
 * applied live, and its start and stop. The wiring builds each feature with what it needs and then only loops
 * over them; a feature does nothing it was not asked to here. Every method runs on the station's context.
 */
public interface AgentFeature {

    /** Registers this feature's command handlers. */
    default void commands(CommandDispatcher commands) {
    }

    /** Puts this feature's blocks into the answer of {@code GET /status}. */
    default void status(JsonObject status) {
    }

    /** Adds this feature's routes to the local HTTP server, before it starts. */
    default void routes(Router router) {
    }

    /** Takes a configuration the hub sent and the station applied. */
    default void configure(StationConfig next) {
    }

    /** Starts the feature; features start one after another in the order the wiring lists them. */
    default Future<Void> start() {
        return Future.succeededFuture();
    }

    /** Stops the feature; features stop in the reverse order. */
    default Future<Void> stop() {
        return Future.succeededFuture();
    }
}
