package org.yizhan.bench.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A simulated fleet of stations in this process: spread over one {@link StationGroup} per event loop, all on
 * one Vert.x instance, talking MQTT to {@code host:port}, in plaintext or over TLS.
 */
public final class Fleet {

    private final Vertx vertx;
    private final FleetSettings settings;
    private final String host;
    private final int port;
    private final Optional<BenchTls> tls;
    private final List<StationCredentials> stations;
    private final FleetCounters counters = new FleetCounters();
    private final List<String> deployments = Collections.synchronizedList(new ArrayList<>());

    /** {@code tls}: the stations connect over TLS, trusting only its CA and checking the host name. */
    public Fleet(Vertx vertx, FleetSettings settings, String host, int port, Optional<BenchTls> tls,
                 List<StationCredentials> stations) {
        this.vertx = vertx;
        this.settings = settings;
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.stations = List.copyOf(stations);
    }

    /** Deploys the groups; the stations then connect in the background at the configured rate. */
    public Future<Void> start() {
        int groups = Math.max(1, Math.min(stations.size(), 2 * Runtime.getRuntime().availableProcessors()));
        List<List<StationCredentials>> shares = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            shares.add(new ArrayList<>());
        }
        for (int i = 0; i < stations.size(); i++) {
            shares.get(i % groups).add(stations.get(i));
        }
        double ratePerGroup = (double) settings.connectsPerSecond() / groups;
        List<Future<String>> deployed = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            StationGroup group = new StationGroup(shares.get(g), settings, counters, host, port, tls, ratePerGroup,
                    0x5eed0000L + g);
            deployed.add(vertx.deployVerticle(group).onSuccess(deployments::add));
        }
        return Future.all(deployed).mapEmpty();
    }

    public FleetCounters counters() {
        return counters;
    }

    public int size() {
        return stations.size();
    }

    /** Every station says goodbye and disconnects; completes when all groups are undeployed. */
    public Future<Void> stop() {
        List<Future<Void>> undeployed = new ArrayList<>();
        synchronized (deployments) {
            for (String id : deployments) {
                undeployed.add(vertx.undeploy(id));
            }
            deployments.clear();
        }
        return Future.join(undeployed).mapEmpty();
    }
}
