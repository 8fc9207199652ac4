package org.yizhan.hub;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.timeseries.TimeSeries;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * What {@code GET /health} checks before it says the hub is ready: the registry answers a query, the time series
 * store answers its ping, and the MQTT endpoint is listening. Each check has {@link #TIMEOUT_MILLIS}; a database
 * query still waiting from an earlier probe is not started again (a dead database would otherwise take a worker
 * per probe).
 */
final class Readiness {

    static final long TIMEOUT_MILLIS = 3_000;
    private static final long LIBRARY_TIMEOUT_MILLIS = 10_000;

    private Readiness() {
    }

    static HealthChecks checks(Vertx vertx, Database db, TimeSeries timeSeries, IntSupplier mqttPort) {
        AtomicReference<Future<Void>> dbProbe = new AtomicReference<>();
        // each check answers DOWN itself after TIMEOUT_MILLIS; the library's own timeout (later) would make it a 500
        return HealthChecks.create(vertx)
                .register("database", LIBRARY_TIMEOUT_MILLIS, p -> {
                    Future<Void> running = dbProbe.get();
                    if (running == null || running.isComplete()) {
                        running = db.call(c -> {
                            try (var st = c.createStatement()) {
                                st.setQueryTimeout((int) (TIMEOUT_MILLIS / 1000));
                                st.execute("SELECT 1");
                            }
                            return (Void) null;
                        });
                        dbProbe.set(running);
                    }
                    report(vertx, running, p);
                })
                .register("timeseries", LIBRARY_TIMEOUT_MILLIS, p -> report(vertx, timeSeries.ping(), p))
                .register("mqtt", LIBRARY_TIMEOUT_MILLIS, p -> {
                    int port = mqttPort.getAsInt();
                    p.complete(port > 0 ? Status.OK(new JsonObject().put("port", port))
                            : Status.KO(new JsonObject().put("reason", "the MQTT endpoint is not listening")));
                });
    }

    private static void report(Vertx vertx, Future<Void> f, Promise<Status> p) {
        long timer = vertx.setTimer(TIMEOUT_MILLIS, t -> p.tryComplete(Status.KO(new JsonObject()
                .put("reason", "no answer within " + TIMEOUT_MILLIS + " ms"))));
        f.onComplete(ar -> vertx.cancelTimer(timer));
        f.onComplete(ar -> p.tryComplete(ar.succeeded() ? Status.OK()
                : Status.KO(new JsonObject().put("reason", String.valueOf(ar.cause().getMessage())))));
    }
}
