package org.yizhan.hub.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.EnumSet;

/**
 * The hub's {@link Vertx}, reporting its own meters (HTTP server and client requests, TCP connections of the MQTT
 * endpoint, event bus, worker pools) into the hub's registry beside the application meters, so {@code GET /metrics}
 * shows both. Vert.x metrics can only be chosen when Vert.x is made: the hub's {@code main} makes it here; a
 * {@link Vertx} made elsewhere (tests, the demo) runs the hub without these meters, everything else the same.
 *
 * <p>Labels are kept to a bounded set: the route template ({@code /api/v1/stations/:id}), never the raw path, the
 * method, the status code, the pool, and the side of an event bus message; no addresses, station ids or peers.
 * Station agents run in the hub's process only in demo mode; their worker pools are named after their state files,
 * and are counted together as {@value HubMetrics#IN_PROCESS_AGENTS} (a filter {@link HubMetrics} sets up).
 */
public final class HubVertx {

    /** The labels Vert.x may put on its meters. */
    static final EnumSet<Label> LABELS = EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE,
            Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE, Label.EB_FAILURE);

    private HubVertx() {
    }

    /** A Vert.x whose meters go to {@code metrics}' registry. */
    public static Vertx create(HubMetrics metrics) {
        MicrometerMetricsOptions options = new MicrometerMetricsOptions()
                .setEnabled(true)
                // HubMetrics binds the JVM meters itself, also for hubs on a Vert.x made elsewhere
                .setJvmMetricsEnabled(false)
                .setLabels(LABELS);
        return Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(options))
                .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
                .build();
    }
}
