package org.yizhan.hub.feature;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import org.yizhan.hub.http.ApiRoutes;

/**
 * One feature of the hub as the wiring sees it: the routes it serves ({@link #mount}, and {@link #mountFirst}
 * for what must run before the API's body handler), what it derives from the events and command results stations
 * report ({@link #effects}), and what it runs between {@link #start} and {@link #stop}. The hub builds its
 * features, mounts their routes in order, registers their effects with ingestion, starts them in order once MQTT
 * is up and stops them in reverse. Each part is optional.
 */
public interface HubFeature extends ApiRoutes {

    @Override
    default void mount(Router router) {
    }

    /** What this feature derives from stored events and command results; nothing by default. */
    default EventEffects effects() {
        return EventEffects.NONE;
    }

    /** Starts what the feature runs on its own (timers, listeners); called after the MQTT endpoint is up. */
    default Future<Void> start() {
        return Future.succeededFuture();
    }

    /** Stops what {@link #start} started; called before HTTP and MQTT close. */
    default Future<Void> stop() {
        return Future.succeededFuture();
    }
}
