package org.yizhan.bench.fleet;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Message;
import org.yizhan.protocol.Topics;

import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulated station on the MQTT uplink: connects with its will set, publishes its birth, then heartbeats
 * and telemetry at the contract rates with a random phase, and says goodbye on shutdown. Runs on the event
 * loop of the {@link StationGroup} that owns it.
 */
final class SimStation {

    /**
     * Extra payload field with the sender's {@link System#nanoTime()}, so a subscriber in the same JVM can measure
     * publish-to-delivery latency. Receivers of contract v1 ignore unknown fields.
     */
    static final String SENT_NANOS = "benchSentNs";

    private static final long CONNECT_TIMEOUT_SECONDS = 15;

    private final Vertx vertx;
    private final StationCredentials credentials;
    private final FleetSettings settings;
    private final FleetCounters counters;
    private final StationModel model;
    private final SplittableRandom random;
    private final String heartbeatTopic;
    private final String telemetryTopic;
    private final String stateTopic;
    private MqttClient client;
    private long session;
    private long heartbeatTimer = -1;
    private long telemetryTimer = -1;
    private long lastTelemetryMillis;
    private boolean closing;

    SimStation(Vertx vertx, StationCredentials credentials, FleetSettings settings, FleetCounters counters, long seed) {
        this.vertx = vertx;
        this.credentials = credentials;
        this.settings = settings;
        this.counters = counters;
        this.random = new SplittableRandom(seed);
        this.model = new StationModel(seed, System.currentTimeMillis());
        this.heartbeatTopic = Topics.of(credentials.stationId(), Channel.HEARTBEAT);
        this.telemetryTopic = Topics.of(credentials.stationId(), Channel.TELEMETRY);
        this.stateTopic = Topics.of(credentials.stationId(), Channel.STATE);
    }

    /**
     * One connect attempt: CONNECT with the will (over TLS when {@code tls} is given: a full handshake, as every
     * station is a separate device), then the retained birth; fails on refusal or timeout.
     */
    Future<Void> connect(String host, int port, Optional<BenchTls> tls) {
        session++;
        long now = System.currentTimeMillis();
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(credentials.stationId())
                .setUsername(credentials.username())
                .setPassword(credentials.password())
                .setCleanSession(true)
                .setKeepAliveInterval(settings.keepAliveSeconds())
                .setWillFlag(true)
                .setWillTopic(stateTopic)
                .setWillMessageBytes(payload(model.will(now, session)))
                .setWillQoS(1)
                .setWillRetain(true)
                .setMaxMessageSize(Channel.EVENTS.maxBytes() + 1024);
        options.setConnectTimeout((int) TimeUnit.SECONDS.toMillis(CONNECT_TIMEOUT_SECONDS));
        tls.ifPresent(t -> t.applyTo(options).setSslHandshakeTimeout(CONNECT_TIMEOUT_SECONDS)
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS));
        MqttClient c = MqttClient.create(vertx, options);
        client = c;
        c.exceptionHandler(counters::error);
        c.closeHandler(v -> {
            // only the current connection counts: an abandoned attempt's close must not stop the new session
            if (!closing && client == c) {
                counters.lost.incrementAndGet();
                cancelTimers();
            }
        });
        Future<?> connack = c.connect(port, host);
        connack.onSuccess(ack -> {
            if (client != c) {
                c.disconnect();   // the server answered an attempt this station already gave up on
            }
        });
        return connack
                .timeout(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .compose(ack -> c.publish(stateTopic, payload(model.birth(System.currentTimeMillis(), session)),
                        MqttQoS.AT_LEAST_ONCE, false, true))
                .<Void>mapEmpty()
                .onFailure(e -> {
                    if (client == c) {
                        client = null;   // abandoned; a late CONNACK is answered with a disconnect
                    }
                    if (c.isConnected()) {
                        c.disconnect();
                    }
                });
    }

    /** Starts heartbeats and telemetry, each at a random phase within its period so the load is spread. */
    void startPublishing() {
        long hbMs = TimeUnit.SECONDS.toMillis(settings.heartbeatSeconds());
        long telMs = TimeUnit.SECONDS.toMillis(settings.telemetrySeconds());
        lastTelemetryMillis = System.currentTimeMillis();
        heartbeatTimer = vertx.setPeriodic(1 + random.nextLong(hbMs), hbMs,
                t -> send(heartbeatTopic, model.heartbeat(System.currentTimeMillis())));
        telemetryTimer = vertx.setPeriodic(1 + random.nextLong(telMs), telMs, t -> {
            long now = System.currentTimeMillis();
            double since = Math.max(0, now - lastTelemetryMillis) / 1000.0;
            lastTelemetryMillis = now;
            send(telemetryTopic, model.telemetry(now, since));
        });
    }

    private void send(String topic, Message m) {
        MqttClient c = client;
        if (c == null || !c.isConnected()) {
            return;
        }
        counters.sent.incrementAndGet();
        c.publish(topic, payload(m), MqttQoS.AT_MOST_ONCE, false, false).onFailure(e -> {
            counters.publishErrors.incrementAndGet();
            counters.error(e);
        });
    }

    /** Stops publishing, sends the retained shutdown state and disconnects cleanly (so no will is sent). */
    Future<Void> shutdown() {
        closing = true;
        cancelTimers();
        MqttClient c = client;
        if (c == null || !c.isConnected()) {
            return Future.succeededFuture();
        }
        return c.publish(stateTopic, payload(model.shutdown(System.currentTimeMillis(), session)),
                        MqttQoS.AT_LEAST_ONCE, false, true)
                .timeout(10, TimeUnit.SECONDS)
                .transform(ar -> c.disconnect())
                .recover(e -> Future.succeededFuture());
    }

    private void cancelTimers() {
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
            heartbeatTimer = -1;
        }
        if (telemetryTimer >= 0) {
            vertx.cancelTimer(telemetryTimer);
            telemetryTimer = -1;
        }
    }

    static Buffer payload(Message m) {
        JsonObject o = m.toJson();
        o.put(SENT_NANOS, System.nanoTime());
        return o.toBuffer();
    }
}
