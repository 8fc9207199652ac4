package org.yizhan.bench.fleet;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A share of the fleet on one event loop: connects its stations at its share of the connect rate (retrying a
 * failed connect after a growing, jittered pause), and on undeploy shuts them all down.
 */
final class StationGroup extends VerticleBase {

    private static final long TICK_MS = 50;

    private final List<StationCredentials> credentials;
    private final FleetSettings settings;
    private final FleetCounters counters;
    private final String host;
    private final int port;
    private final Optional<BenchTls> tls;
    private final double connectsPerSecond;
    private final long seed;
    private final List<SimStation> stations = new ArrayList<>();
    private SplittableRandom random;
    private long rampTimer = -1;
    private boolean stopping;

    StationGroup(List<StationCredentials> credentials, FleetSettings settings, FleetCounters counters, String host,
                 int port, Optional<BenchTls> tls, double connectsPerSecond, long seed) {
        this.credentials = List.copyOf(credentials);
        this.settings = settings;
        this.counters = counters;
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.connectsPerSecond = connectsPerSecond;
        this.seed = seed;
    }

    @Override
    public Future<?> start() {
        random = new SplittableRandom(seed);
        for (StationCredentials c : credentials) {
            stations.add(new SimStation(vertx, c, settings, counters, random.nextLong()));
        }
        if (stations.isEmpty()) {
            return Future.succeededFuture();
        }
        double perTick = connectsPerSecond * TICK_MS / 1000.0;
        double[] budget = {1};
        int[] next = {0};
        rampTimer = vertx.setPeriodic(TICK_MS, t -> {
            budget[0] += perTick;
            while (budget[0] >= 1 && next[0] < stations.size() && !stopping) {
                launch(stations.get(next[0]++), 1);
                budget[0] -= 1;
            }
            if (next[0] >= stations.size()) {
                vertx.cancelTimer(t);
                rampTimer = -1;
            }
        });
        return Future.succeededFuture();
    }

    private void launch(SimStation s, int attempt) {
        s.connect(host, port, tls).onComplete(ar -> {
            if (stopping) {
                if (ar.succeeded()) {
                    s.shutdown();   // connected while the fleet was being stopped
                }
                return;
            }
            if (ar.succeeded()) {
                counters.connected.incrementAndGet();
                s.startPublishing();
            } else if (attempt < settings.connectAttempts()) {
                counters.retries.incrementAndGet();
                counters.error(ar.cause());
                long pause = 1000L * (1L << (attempt - 1)) + random.nextLong(500);
                vertx.setTimer(pause, t -> {
                    if (!stopping) {
                        launch(s, attempt + 1);
                    }
                });
            } else {
                counters.failed.incrementAndGet();
                counters.error(ar.cause());
            }
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        if (rampTimer >= 0) {
            vertx.cancelTimer(rampTimer);
        }
        List<Future<Void>> all = new ArrayList<>();
        for (SimStation s : stations) {
            all.add(s.shutdown());
        }
        return Future.join(all).recover(e -> Future.succeededFuture());
    }
}
