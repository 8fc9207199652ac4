package org.yizhan.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Reconnect;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Topics;
import org.yizhan.testing.FaultFigures;
import org.yizhan.testing.TestHub;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fleet outlives a hub outage without a false offline alert. {@value #DEFAULT_STATIONS} stations (more with
 * {@code -Dyizhan.fleet.stations=N}, {@value #LONG_STATIONS} with {@code -Dyizhan.fault.long=true}) connect to a hub with the default 30 s start-up grace; the hub stops for
 * {@value #OUTAGE_SECONDS} s, long enough for every station's backoff to reach its cap; a new hub starts on the same
 * data and port. Each station is a light MQTT client that reconnects exactly as the agent does
 * ({@link Reconnect}: full jitter up to 20 s; with the 60 s cap of before, part of the fleet came back after the
 * grace and was flagged). Every station must be back, none flagged offline, no offline alert raised once the grace
 * is over. Prints how long the fleet took to come back.
 */
class FleetReconnectIT {

    static final int DEFAULT_STATIONS = 1500;
    /** The fault suite's long mode ({@code -Dyizhan.fault.long=true}). */
    static final int LONG_STATIONS = 5000;
    static final int OUTAGE_SECONDS = 40;
    /** The stations' heartbeat: the hub's default interval. */
    static final long HEARTBEAT_MILLIS = 10_000;

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHub hub;
    private final List<Station> fleet = new ArrayList<>();

    /** One station's MQTT link, reconnecting with the contract's backoff until stopped. */
    private final class Station {
        final StationConfig.Mqtt mqtt;
        final String id;
        final int port;
        MqttClient client;
        long heartbeatTimer = -1;
        int attempt;
        long session;
        volatile boolean stopped;
        volatile boolean connected;

        Station(StationConfig config, int port) {
            this.mqtt = config.mqtt();
            this.id = config.stationId();
            this.port = port;
        }

        void connect() {
            if (stopped) {
                return;
            }
            session++;
            MqttClientOptions o = new MqttClientOptions().setClientId(id).setUsername(mqtt.username())
                    .setPassword(mqtt.password()).setCleanSession(true).setKeepAliveInterval(60)
                    .setAutoKeepAlive(true).setWillFlag(true).setWillQoS(1).setWillRetain(true)
                    .setWillTopic(Topics.root(id) + "state")
                    .setWillMessageBytes(Codec.encode(StateMessage.will(System.currentTimeMillis(), session,
                            "fleet-test", 0)));
            o.setConnectTimeout(10_000);
            MqttClient c = MqttClient.create(vertx, o);
            client = c;
            c.closeHandler(v -> {
                connected = false;
                vertx.cancelTimer(heartbeatTimer);
                retry();
            });
            c.connect(port, "127.0.0.1").onComplete(ar -> {
                if (ar.succeeded() && ar.result().code() == io.netty.handler.codec.mqtt.MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                    attempt = 0;
                    connected = true;
                    c.publish(Topics.root(id) + "state", Codec.encode(
                            StateMessage.birth(System.currentTimeMillis(), session, "fleet-test", 0)),
                            MqttQoS.AT_LEAST_ONCE, false, true);
                    long every = HEARTBEAT_MILLIS;
                    heartbeatTimer = vertx.setPeriodic(every / 2 + (long) (Math.random() * every / 2), every, t -> {
                        if (c.isConnected()) {
                            c.publish(Topics.root(id) + "heartbeat", io.vertx.core.buffer.Buffer.buffer(
                                    new JsonObject().put("v", 1).put("ts", System.currentTimeMillis()).encode()),
                                    MqttQoS.AT_MOST_ONCE, false, false);
                        }
                    });
                } else {
                    retry();
                }
            });
        }

        private void retry() {
            if (stopped || client == null) {
                return;
            }
            client = null;
            vertx.setTimer(Reconnect.delayMillis(attempt++), t -> connect());
        }

        void stop() {
            stopped = true;
            vertx.cancelTimer(heartbeatTimer);
            MqttClient c = client;
            if (c != null && c.isConnected()) {
                c.disconnect();
            }
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        fleet.forEach(Station::stop);
        if (hub != null) {
            hub.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    private TestHub startHub(int mqttPort) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("YIZHAN_MQTT_PORT", Integer.toString(mqttPort),
                "YIZHAN_STARTUP_GRACE_SECONDS", "30", "YIZHAN_PROVISION_ATTEMPTS_PER_MINUTE", "1000000"));
        return TestHub.start(vertx, dir, env);
    }

    private int onlineOnHub() {
        int n = 0;
        for (Station s : fleet) {
            if (hub.app().mqtt().isConnected(s.id)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aFleetComesBackAfterAHubOutageWithoutAFalseOfflineAlert() throws Exception {
        int stations = FaultFigures.count("yizhan.fleet.stations", DEFAULT_STATIONS, LONG_STATIONS);
        vertx = Vertx.vertx();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        hub = startHub(port);
        String token = hub.adminToken();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<StationConfig>> made = new ArrayList<>();
            for (int i = 0; i < stations; i++) {
                int k = i;
                // the default heartbeat (10 s): a station not back is judged silent 30 s after the start
                made.add(pool.submit(() -> hub.provision(token, TestHub.station("车队站 " + k))));
            }
            for (Future<StationConfig> f : made) {
                fleet.add(new Station(f.get(), port));
            }
        } finally {
            pool.shutdownNow();
        }
        AtomicInteger started = new AtomicInteger();
        long rampId = vertx.setPeriodic(5, t -> {
            int i = started.getAndIncrement();
            if (i < fleet.size()) {
                vertx.runOnContext(v -> fleet.get(i).connect());
            }
        });
        await("the whole fleet online").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> onlineOnHub() == stations);
        vertx.cancelTimer(rampId);

        hub.close();
        hub = null;
        // the outage: long enough for every station's backoff to reach its cap
        Thread.sleep(OUTAGE_SECONDS * 1000L);
        long restart = System.currentTimeMillis();
        hub = startHub(port);
        await("the whole fleet back").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> onlineOnHub() == stations);
        long back = System.currentTimeMillis() - restart;
        long graceEnd = hub.app().mqtt().startupGraceEnd();
        String figures = String.format("%d stations back %.1f s after the hub started again (outage %d s); "
                + "start-up grace ends %.1f s after the start", stations, back / 1000.0, OUTAGE_SECONDS,
                (graceEnd - restart) / 1000.0);
        await("the start-up grace over").atMost(Duration.ofMinutes(11))
                .until(() -> System.currentTimeMillis() > hub.app().mqtt().startupGraceEnd() + 2_000);

        String admin = hub.adminToken();
        JsonArray alerts = hub.call("GET", "/api/v1/alerts?limit=500", admin, null).getJsonArray("alerts");
        assertThat(alerts.stream().map(a -> ((JsonObject) a).getString("type")))
                .as("no offline alert after the outage").doesNotContain("offline");
        JsonArray listed = hub.call("GET", "/api/v1/stations", admin, null).getJsonArray("stations");
        assertThat(listed.stream().map(o -> ((JsonObject) o).getJsonObject("presence", new JsonObject())
                .getString("state"))).as("every station online").hasSize(stations).containsOnly("online");
        FaultFigures.record("FleetReconnectIT", figures + ", offline alerts 0");
    }
}
