package org.yizhan.hub.broker;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubAckMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandChannel;
import org.yizhan.hub.commands.CommandDispatcher;
import org.yizhan.hub.ingest.EventAcks;
import org.yizhan.hub.ingest.Ingest;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.presence.Presence;
import org.yizhan.hub.presence.PresenceTracker;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.EventsAck;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.ConfigMessage;
import org.yizhan.protocol.ProtocolException;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Topics;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The hub as a client of an MQTT broker ({@code mqtt-mode=broker}). Each hub replica connects with its own client
 * id and a clean session, and subscribes to the stations' up channels through the shared subscription
 * {@code $share/<group>/yizhan/v1/stations/+/<channel>}, so the broker hands each message to one replica. Every
 * message goes through the same {@link Ingest} as on the embedded endpoint (validation, dead letters, events
 * committed before they are acknowledged, duplicate ids ignored); the broker's QoS 1 is acknowledged only once
 * Ingest is done, in the order the messages arrived. The station id comes from the topic: the broker's ACL lets a
 * station publish under its own root only.
 *
 * <p>Presence: the station's birth and its will (published by the broker, retained) arrive as {@code .../state}
 * messages and reach {@link PresenceTracker} through Ingest; the silence sweep is the backstop. On a birth this
 * replica sends the station its pending commands and its desired configuration (retained, so the station gets it
 * whenever it subscribes). Commands and the configuration are published through the broker at QoS 1; "delivered"
 * means the broker took them.
 *
 * <p>The vertx-mqtt client does not reconnect by itself: this link reconnects from its close handler with
 * exponential backoff and jitter. Runs on the event loop that calls {@link #start()}.
 */
public final class BrokerLink implements CommandChannel, EventAcks {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLink.class);
    static final String CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
    static final String CONTROL_RESPONSE_TOPIC = CONTROL_TOPIC + "/response";
    private static final long RETRY_MAX_MS = 10_000;
    private static final long CONTROL_TIMEOUT_MS = 10_000;

    private final Vertx vertx;
    private final BrokerSettings settings;
    private final int maxMessageBytes;
    private final Ingest ingest;
    private final PresenceTracker presence;
    private final HubMetrics metrics;
    private final String clientId = "yizhan-hub-" + UUID.randomUUID().toString().substring(0, 8);
    private final String correlationPrefix = clientId + "-";
    private final Map<String, Promise<JsonArray>> controlWaits = new HashMap<>();
    private final Map<Integer, Promise<Boolean>> awaitingAck = new HashMap<>();
    private final Map<Integer, Promise<MqttSubAckMessage>> awaitingSuback = new HashMap<>();
    private final ArrayDeque<Slot> acks = new ArrayDeque<>();
    private final Set<String> bornHere = ConcurrentHashMap.newKeySet();
    private final List<Promise<Void>> upWaits = new java.util.ArrayList<>();
    private Function<String, Future<Optional<JsonObject>>> configSource = id -> Future.succeededFuture(Optional.empty());
    private CommandDispatcher commands;
    private MqttClient client;
    private volatile boolean up;
    private boolean stopping;
    private int attempt;
    private long reconnectTimer = -1;
    private long correlation;

    /** A received QoS 1 message, acknowledged when it and every one before it are handled. */
    private static final class Slot {
        final MqttClient client;
        final MqttPublishMessage message;
        boolean handled;

        Slot(MqttClient client, MqttPublishMessage message) {
            this.client = client;
            this.message = message;
        }
    }

    public BrokerLink(Vertx vertx, BrokerSettings settings, int maxMessageBytes, Ingest ingest,
                      PresenceTracker presence, HubMetrics metrics) {
        this.vertx = vertx;
        this.settings = settings;
        this.maxMessageBytes = maxMessageBytes;
        this.ingest = ingest;
        this.presence = presence;
        this.metrics = metrics;
    }

    public void commands(CommandDispatcher dispatcher) {
        this.commands = dispatcher;
    }

    /** Where a station's desired configuration comes from when its birth is seen. */
    public void configSource(Function<String, Future<Optional<JsonObject>>> source) {
        this.configSource = source;
    }

    /**
     * Connects and subscribes; completes once the first connection is up, fails (with what the broker said) when
     * it cannot be made, so a wrong URL or password stops the hub at start rather than leaving it deaf.
     */
    public Future<Void> start() {
        return connect().onSuccess(v -> LOG.info("Connected to the MQTT broker {} as {} (user {}), shared group {}",
                settings.url(), clientId, settings.username(), settings.sharedGroup()))
                .recover(err -> Future.failedFuture(new IllegalStateException("MQTT broker " + settings.url()
                        + " (mqtt-broker-url): " + err.getMessage(), err)));
    }

    public Future<Void> stop() {
        stopping = true;
        vertx.cancelTimer(reconnectTimer);
        MqttClient c = client;
        client = null;
        up = false;
        failWaits();
        if (c == null || !c.isConnected()) {
            return Future.succeededFuture();
        }
        return c.disconnect().recover(err -> Future.succeededFuture());
    }

    /** Whether the link to the broker is up now. */
    public boolean isUp() {
        return up;
    }

    /** Completes when the link is up (now, or after the reconnection under way), fails after {@code timeoutMs}. */
    Future<Void> whenUp(long timeoutMs) {
        if (up) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        upWaits.add(p);
        vertx.setTimer(timeoutMs, t -> {
            upWaits.remove(p);
            p.tryFail("not connected to the MQTT broker " + settings.url() + " within " + timeoutMs + " ms");
        });
        return p.future();
    }

    /** The broker's port (what stations are given at provisioning). */
    public int port() {
        return settings.port();
    }

    /** The stations whose last state message this replica handled was a birth. */
    public Set<String> stationsBornHere() {
        return Set.copyOf(bornHere);
    }

    private Future<Void> connect() {
        MqttClientOptions o = settings.clientOptions(clientId, maxMessageBytes).setMaxInflightQueue(256);
        o.setAutoAck(false);
        MqttClient c = MqttClient.create(vertx, o);
        client = c;
        c.publishHandler(m -> onMessage(c, m));
        c.publishCompletionHandler(id -> completePublish(id, true));
        c.publishCompletionExpirationHandler(id -> completePublish(id, false));
        c.subscribeCompletionHandler(ack -> {
            Promise<MqttSubAckMessage> p = awaitingSuback.remove(ack.messageId());
            if (p != null) {
                p.tryComplete(ack);
            }
        });
        c.exceptionHandler(err -> LOG.debug("MQTT broker connection error: {}", err.toString()));
        c.closeHandler(v -> onClosed(c));
        return c.connect(settings.port(), settings.host()).compose(connack -> subscribe(c)).onSuccess(v -> {
            up = true;
            attempt = 0;
            List<Promise<Void>> waiting = List.copyOf(upWaits);
            upWaits.clear();
            waiting.forEach(Promise::tryComplete);
        }).onFailure(err -> {
            if (client == c) {
                client = null;
            }
            if (c.isConnected()) {
                c.disconnect();
            }
        });
    }

    private Future<Void> subscribe(MqttClient c) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (Channel ch : Channel.values()) {
            if (ch.direction() == Channel.Direction.UP) {
                topics.put("$share/" + settings.sharedGroup() + "/" + Topics.ROOT + "+/" + ch.suffix(), 1);
            }
        }
        if (settings.dynsec()) {
            topics.put(CONTROL_RESPONSE_TOPIC, 1);
        }
        Promise<MqttSubAckMessage> acked = Promise.promise();
        return c.subscribe(topics).compose(id -> {
            awaitingSuback.put(id, acked);
            return acked.future();
        }).compose(ack -> {
            List<Integer> granted = ack.grantedQoSLevels();
            List<String> names = List.copyOf(topics.keySet());
            for (int i = 0; i < granted.size() && i < names.size(); i++) {
                if (granted.get(i) == null || granted.get(i) > 2) {
                    return Future.failedFuture(new IllegalStateException("the broker refused the subscription to "
                            + names.get(i) + "; the hub's broker user (mqtt-broker-username) must be allowed to "
                            + "subscribe to it"));
                }
            }
            return Future.<Void>succeededFuture();
        });
    }

    private void onClosed(MqttClient c) {
        if (client != c) {
            return;
        }
        client = null;
        boolean was = up;
        up = false;
        failWaits();
        if (stopping) {
            return;
        }
        if (was) {
            LOG.warn("Connection to the MQTT broker {} lost; reconnecting", settings.url());
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (stopping || reconnectTimer >= 0) {
            return;
        }
        long delay = BrokerSettings.reconnectDelayMillis(attempt);
        attempt++;
        reconnectTimer = vertx.setTimer(delay, t -> {
            reconnectTimer = -1;
            if (stopping) {
                return;
            }
            connect().onSuccess(v -> LOG.info("Connected to the MQTT broker {} again", settings.url()))
                    .onFailure(err -> {
                        LOG.warn("Connecting to the MQTT broker {} failed: {}", settings.url(), err.getMessage());
                        scheduleReconnect();
                    });
        });
    }

    /** Ends every wait of the connection that ended: what was not acknowledged is not confirmed. */
    private void failWaits() {
        awaitingAck.values().forEach(p -> p.tryComplete(false));
        awaitingAck.clear();
        awaitingSuback.values().forEach(p -> p.tryFail("the connection to the broker ended"));
        awaitingSuback.clear();
        controlWaits.values().forEach(p -> p.tryFail("the connection to the broker ended"));
        controlWaits.clear();
        acks.clear();
    }

    // ---- station to hub -------------------------------------------------------------------------------------

    private void onMessage(MqttClient c, MqttPublishMessage m) {
        long start = System.nanoTime();
        long now = System.currentTimeMillis();
        String topic = m.topicName();
        byte[] payload = m.payload().getBytes();
        if (topic.equals(CONTROL_RESPONSE_TOPIC)) {
            if (m.qosLevel() != MqttQoS.AT_MOST_ONCE) {
                m.ack();
            }
            onControlResponse(payload);
            return;
        }
        Slot slot = null;
        if (m.qosLevel() != MqttQoS.AT_MOST_ONCE) {
            slot = new Slot(c, m);
            acks.addLast(slot);
        }
        Optional<Topics.Address> address = Topics.parse(topic);
        Future<Void> done;
        if (address.isEmpty()) {
            done = ingest.reject(stationOf(topic), topic, "topic", "topic: not a channel of contract v1", payload, now);
        } else if (address.get().channel().direction() != Channel.Direction.UP) {
            metrics.rejected("acl");
            done = Future.succeededFuture();
        } else {
            String stationId = address.get().stationId();
            Channel channel = address.get().channel();
            done = accept(stationId, channel, topic, payload, now, start, 0);
            if (channel == Channel.STATE) {
                done = done.onSuccess(v -> afterState(stationId, payload));
            }
        }
        if (slot != null) {
            Slot s = slot;
            done.onComplete(ar -> handled(s));
        }
    }

    /**
     * Hands the message to Ingest; an event that could not be committed (the registry is away) is tried again with
     * backoff rather than acknowledged, since the broker does not send it again on this clean session.
     */
    private Future<Void> accept(String stationId, Channel channel, String topic, byte[] payload, long now,
                                long start, int tries) {
        return ingest.accept(stationId, channel, topic, payload, now, start).recover(err -> {
            if (stopping) {
                return Future.failedFuture(err);
            }
            long delay = Math.min(RETRY_MAX_MS, 250L << Math.min(tries, 6));
            Promise<Void> again = Promise.promise();
            vertx.setTimer(delay, t -> accept(stationId, channel, topic, payload, now, start, tries + 1)
                    .onComplete(again));
            return again.future();
        });
    }

    private void handled(Slot s) {
        s.handled = true;
        while (!acks.isEmpty() && acks.peekFirst().handled) {
            Slot first = acks.pollFirst();
            if (first.client == client && first.client.isConnected()) {
                first.message.ack();
            }
        }
    }

    private static Optional<String> stationOf(String topic) {
        if (!topic.startsWith(Topics.ROOT)) {
            return Optional.empty();
        }
        String rest = topic.substring(Topics.ROOT.length());
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        return Topics.isValidStationId(id) ? Optional.of(id) : Optional.empty();
    }

    /** A birth: this replica sends the station its pending commands and its configuration. */
    private void afterState(String stationId, byte[] payload) {
        StateMessage state;
        try {
            state = Codec.decode(Channel.STATE, payload, StateMessage.class);
        } catch (ProtocolException | RuntimeException e) {
            return; // Ingest has dead-lettered it
        }
        if (!state.online()) {
            bornHere.remove(stationId);
            return;
        }
        bornHere.add(stationId);
        configSource.apply(stationId)
                .compose(cfg -> cfg.isPresent() ? publishConfig(stationId, cfg.get()) : Future.succeededFuture(false))
                .onFailure(err -> LOG.warn("No configuration for {}: {}", stationId, err.getMessage()));
        if (commands != null) {
            commands.deliverPending(stationId);
        }
    }

    // ---- hub to station -------------------------------------------------------------------------------------

    /**
     * Publishes the command on the station's {@code cmd} topic when the station is online; true once the broker
     * took it (PUBACK). A station that is not online gets it after its next birth.
     */
    @Override
    public Future<Boolean> deliver(String stationId, Command command) {
        if (!bornHere.contains(stationId) && !isOnline(stationId)) {
            return Future.succeededFuture(false);
        }
        return publish(Topics.of(stationId, Channel.COMMAND), Codec.encode(command), false);
    }

    /**
     * Tells the station which of its events the registry now holds (contract 1.1), through the broker at QoS 1.
     * Not waited for: a lost acknowledgement makes the station send those events again, which the registry ignores
     * as duplicates and acknowledges anew.
     */
    @Override
    public void acknowledge(String stationId, List<String> ids) {
        publish(Topics.of(stationId, Channel.EVENTS_ACK), Codec.encode(new EventsAck(System.currentTimeMillis(), ids)),
                false);
    }

    /** Whether the station is online, as this hub knows it (its birth, or the registry's presence). */
    public boolean isOnline(String stationId) {
        return presence.presence(stationId).map(p -> Presence.ONLINE.equals(p.state())).orElse(false);
    }

    /** Publishes the station's desired configuration, retained; true once the broker took it. */
    public Future<Boolean> publishConfig(String stationId, JsonObject config) {
        ConfigMessage m = new ConfigMessage(System.currentTimeMillis(), config.getInteger("version", 0), config);
        return publish(Topics.of(stationId, Channel.CONFIG), Codec.encode(m), true);
    }

    private Future<Boolean> publish(String topic, Buffer payload, boolean retain) {
        MqttClient c = client;
        if (c == null || !up) {
            return Future.succeededFuture(false);
        }
        Promise<Boolean> acked = Promise.promise();
        c.publish(topic, payload, MqttQoS.AT_LEAST_ONCE, false, retain)
                .onSuccess(id -> {
                    if (client == c) {
                        awaitingAck.put(id, acked);
                    } else {
                        acked.tryComplete(false);
                    }
                })
                .onFailure(err -> acked.tryComplete(false));
        return acked.future();
    }

    private void completePublish(int id, boolean ok) {
        Promise<Boolean> p = awaitingAck.remove(id);
        if (p != null) {
            p.tryComplete(ok);
        }
    }

    // ---- the broker's control API (Mosquitto dynamic security) ----------------------------------------------

    /**
     * Sends commands to {@code $CONTROL/dynamic-security/v1} and completes with the plugin's responses, in the
     * order of the commands (each {@code {"command", "error"?, "data"?}}).
     */
    Future<JsonArray> control(JsonArray commandList) {
        if (!settings.dynsec()) {
            return Future.failedFuture(new IllegalStateException("mqtt-broker-dynsec is off"));
        }
        MqttClient c = client;
        if (c == null || !up) {
            return Future.failedFuture(new IllegalStateException("not connected to the MQTT broker " + settings.url()));
        }
        String key = correlationPrefix + (++correlation);
        JsonArray tagged = new JsonArray();
        for (int i = 0; i < commandList.size(); i++) {
            tagged.add(commandList.getJsonObject(i).copy().put("correlationData", key + "/" + i));
        }
        Promise<JsonArray> answer = Promise.promise();
        controlWaits.put(key, answer);
        long timer = vertx.setTimer(CONTROL_TIMEOUT_MS, t -> {
            controlWaits.remove(key);
            answer.tryFail("no answer from the broker's dynamic-security plugin within " + CONTROL_TIMEOUT_MS
                    + " ms (is it loaded, and does the hub's broker user have its admin role?)");
        });
        c.publish(CONTROL_TOPIC, new JsonObject().put("commands", tagged).toBuffer(), MqttQoS.AT_LEAST_ONCE, false,
                false).onFailure(err -> {
            controlWaits.remove(key);
            answer.tryFail(err);
        });
        return answer.future().onComplete(ar -> vertx.cancelTimer(timer));
    }

    private void onControlResponse(byte[] payload) {
        JsonArray responses;
        try {
            responses = new JsonObject(Buffer.buffer(payload)).getJsonArray("responses", new JsonArray());
        } catch (RuntimeException e) {
            LOG.warn("Unreadable answer from the broker's dynamic-security plugin");
            return;
        }
        if (responses.isEmpty() || !(responses.getValue(0) instanceof JsonObject first)) {
            return;
        }
        String data = first.getString("correlationData", "");
        int slash = data.lastIndexOf('/');
        if (slash < 0) {
            return;
        }
        Promise<JsonArray> p = controlWaits.remove(data.substring(0, slash));
        if (p != null) {
            p.tryComplete(responses);
        }
    }
}
