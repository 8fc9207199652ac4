package org.yizhan.hub.mqtt;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.yizhan.hub.HubConfig;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.alerts.EventAlerts;
import org.yizhan.hub.charging.SessionRecorder;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.hub.deadletter.DeadLetterStore;
import org.yizhan.hub.events.EventStore;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.stations.StationSecrets;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Topics;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real MQTT endpoint on a free port over an in-memory registry, with helpers to add stations and connect. */
final class MqttEndpointFixture {

    final Vertx vertx;
    final Database db;
    final HubMetrics metrics = new HubMetrics();
    final StationLive live = new StationLive();
    final RecordingTimeSeries timeSeries = new RecordingTimeSeries();
    final EventStore events;
    final AlertStore alerts;
    final DeadLetterStore deadLetters;
    final CommandStore commands;
    final List<JsonObject> liveMessages = new CopyOnWriteArrayList<>();
    MqttIngest ingest;

    private final TestRegistry registry;

    private MqttEndpointFixture(Vertx vertx, TestRegistry registry, Database db) {
        this.vertx = vertx;
        this.registry = registry;
        this.db = db;
        this.events = new EventStore(db);
        this.alerts = new AlertStore(db);
        this.deadLetters = new DeadLetterStore(db);
        this.commands = new CommandStore(db);
        vertx.eventBus().<JsonObject>consumer(Bus.LIVE, m -> liveMessages.add(m.body()));
    }

    static MqttEndpointFixture open(Vertx vertx) {
        return open(vertx, TestRegistry.h2());
    }

    /** The endpoint over a new registry on the engine. */
    static MqttEndpointFixture open(Vertx vertx, TestRegistry registry) {
        return new MqttEndpointFixture(vertx, registry, await(registry.open(vertx, ";LOCK_TIMEOUT=20000")));
    }

    MqttEndpointFixture start(int graceSeconds) {
        HubConfig config = HubConfig.defaults().withPorts(0, 0).withStartupGraceSeconds(graceSeconds);
        ingest = new MqttIngest(vertx, config.mqttEndpoint(), db, metrics, live, timeSeries, events, alerts, deadLetters,
                commands);
        ingest.register(new SessionRecorder(metrics));
        ingest.register(new EventAlerts(db));
        await(ingest.start());
        return this;
    }

    void close() {
        if (ingest != null) {
            await(ingest.stop());
        }
        await(registry.close(db));
    }

    /** How many connections or messages were refused for the reason, as {@code /metrics} shows it. */
    double rejected(String reason) {
        String label = "reason=\"" + reason + "\"";
        return metrics.scrape().lines()
                .filter(l -> l.startsWith("yizhan_mqtt_rejects_total{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** Adds a provisioned station; returns its secret. */
    String station(String id, int heartbeatSeconds) {
        String secret = StationSecrets.newSecret();
        StationSecrets.Hashed h = StationSecrets.hash(secret);
        await(db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO stations (id, name, profile, heartbeat_seconds, created_at) VALUES (?, ?, 'simulated', ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, "Station " + id);
                ps.setInt(3, heartbeatSeconds);
                ps.setLong(4, System.currentTimeMillis());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO station_credentials (station_id, salt, hash, created_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, h.salt());
                ps.setString(3, h.hash());
                ps.setLong(4, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return null;
        }));
        return secret;
    }

    String url() {
        return "tcp://127.0.0.1:" + ingest.actualPort();
    }

    MqttClient client(String clientId) throws MqttException {
        return new MqttClient(url(), clientId, new MemoryPersistence());
    }

    /** Connects as the station with a will for the session (keep-alive in seconds). */
    MqttClient connect(String stationId, String secret, long session, int keepAlive) throws MqttException {
        MqttClient c = client(stationId);
        c.connect(options(stationId, secret, session, keepAlive));
        return c;
    }

    static MqttConnectOptions options(String stationId, String secret, long session, int keepAlive) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(stationId);
        o.setPassword(secret.toCharArray());
        o.setCleanSession(true);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(keepAlive);
        o.setConnectionTimeout(5);
        o.setWill(Topics.of(stationId, Channel.STATE),
                StateMessage.will(System.currentTimeMillis(), session, "test", 1).toJson().encode()
                        .getBytes(StandardCharsets.UTF_8), 1, true);
        return o;
    }

    static void publish(MqttClient c, String stationId, Channel ch, JsonObject payload) throws MqttException {
        c.publish(Topics.of(stationId, ch), payload.encode().getBytes(StandardCharsets.UTF_8), ch.qos(), false);
    }

    List<JsonObject> live(String kind) {
        return liveMessages.stream().filter(m -> kind.equals(m.getString("kind"))).toList();
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }
}
