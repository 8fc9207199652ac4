package org.yizhan.agent.uplink;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Reconnect;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsAck;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Limits;
import org.yizhan.protocol.Message;
import org.yizhan.protocol.ProtocolException;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Topics;
import org.yizhan.protocol.Ulid;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The station's MQTT uplink (contract v1). Connects as the station with its will on {@code .../state},
 * publishes the birth with a session number that grows across restarts, subscribes to {@code .../cmd}
 * and {@code .../config}, sends heartbeats, and drains the durable {@link Outbox} in its sequence order: one event
 * alone, several as a replay batch (within {@link Limits#BATCH_BYTES}, however many events that is; an event over
 * {@link Limits#EVENT_BYTES}, which the hub dead-letters, always alone), with at most {@link #EVENT_WINDOW}
 * publishes not yet acknowledged. An event leaves the outbox only once acknowledged: with {@code mqtt.eventAcks}
 * by the hub's {@code .../events/ack} (contract 1.1; what a broker's PUBACK cannot say), when a hub
 * acknowledged nothing for {@code mqtt.eventAckTimeoutSeconds} the unacknowledged events are sent again (the hub
 * ignores the duplicate ids and acknowledges them); without it by the PUBACK, which the hub's own endpoint sends
 * only after committing. A reconnect sends again whatever the outbox still holds. Reconnects from the close
 * handler with exponential backoff (1 s doubling to 20 s) and full jitter ({@link Reconnect}, part of the contract). Runs on the Vert.x context that
 * started it.
 */
public final class Uplink implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);

    /** Unacknowledged event publishes allowed at once. */
    static final int EVENT_WINDOW = 4;
    /** How often sent events are checked for a missing acknowledgement ({@code mqtt.eventAcks}). */
    private static final long ACK_CHECK_MS = 500;

    private final Vertx vertx;
    private final String stationId;
    private final StationConfig.Mqtt mqtt;
    private final int heartbeatSeconds;
    private final boolean eventAcks;
    private final long ackTimeoutMs;
    private final Outbox outbox;
    private final SessionStore sessions;
    private final String agentVersion;
    private volatile int configVersion;
    private final long startedAt = System.currentTimeMillis();
    private final LongSupplier clock;

    private BiConsumer<Channel, Buffer> downlinkHandler = (c, b) -> { };
    private MqttClient client;
    private boolean connected;
    private boolean stopping;
    private long session;
    private long lastConnectedAt;
    private int attempt;
    private long reconnectTimer = -1;
    private long heartbeatTimer = -1;
    private long ackTimer = -1;
    private long heartbeatSeq;
    // event pump state (reset on every connection, and when acknowledgements are overdue)
    private boolean pumping;
    private boolean pumpAgain;
    /** The outbox sequence number of the newest event sent; the pump reads the outbox after it. */
    private long cursor;
    /** Grows whenever sending starts over from the oldest event; a read or publish of an older round is dropped. */
    private int round;
    /** Event publishes not yet acknowledged, oldest first; at most {@link #EVENT_WINDOW}. */
    private final List<Sent> unsettled = new ArrayList<>();
    /** PUBACK mode: the publishes waiting for their PUBACK, by packet id; PUBACKs that came before the id was known. */
    private final Map<Integer, Sent> awaitingPuback = new HashMap<>();
    private final Set<Integer> earlyPubacks = new HashSet<>();

    /** One publish of events: its ids, those the hub has not acknowledged yet, and when it went out. */
    private static final class Sent {
        final List<String> ids;
        final Set<String> open;
        final long at;

        Sent(List<String> ids, long at) {
            this.ids = ids;
            this.open = new HashSet<>(ids);
            this.at = at;
        }
    }

    private Runnable connectedHandler = () -> { };
    private Throwable handshakeError;
    private Optional<String> lastError = Optional.empty();
    private long lastErrorAt;

    public Uplink(Vertx vertx, StationConfig config, Outbox outbox, SessionStore sessions, String agentVersion) {
        this(vertx, config, outbox, sessions, agentVersion, System::currentTimeMillis);
    }

    /** @param clock the station's clock (epoch ms) for the events' times and ids */
    public Uplink(Vertx vertx, StationConfig config, Outbox outbox, SessionStore sessions, String agentVersion,
                  LongSupplier clock) {
        this.vertx = vertx;
        this.clock = clock;
        this.stationId = config.stationId();
        this.mqtt = config.mqtt();
        this.heartbeatSeconds = config.heartbeatSeconds();
        this.eventAcks = config.mqtt().eventAcks();
        this.ackTimeoutMs = config.mqtt().eventAckTimeoutSeconds() * 1000L;
        this.outbox = outbox;
        this.sessions = sessions;
        this.agentVersion = agentVersion;
        this.configVersion = config.version();
        // the outbox's own alarms go out like any event
        outbox.addedHandler(this::pump);
    }

    /** Runs on the event loop after each birth, e.g. to send the current telemetry at once. */
    public Uplink connectedHandler(Runnable handler) {
        this.connectedHandler = handler;
        return this;
    }

    /** Receives payloads arriving on {@code .../cmd} and {@code .../config}. */
    public Uplink downlinkHandler(BiConsumer<Channel, Buffer> handler) {
        this.downlinkHandler = handler;
        return this;
    }

    /** Starts connecting; completes at once, the connection comes up (and is kept up) in the background. */
    public Future<Void> start() {
        heartbeatTimer = vertx.setPeriodic(heartbeatSeconds * 1000L, t -> heartbeat());
        if (eventAcks) {
            ackTimer = vertx.setPeriodic(ACK_CHECK_MS, t -> resendOverdue());
        }
        connect();
        return Future.succeededFuture();
    }

    /** The configuration version the station runs now, for the next birth and will messages. */
    public void configVersion(int version) {
        this.configVersion = version;
    }

    public boolean connected() {
        return connected;
    }

    /** The current (or last) session number, 0 before the first connect. */
    public long session() {
        return session;
    }

    /** Why the last connection attempt failed, in plain words (for {@code /status}); empty once connected. */
    public Optional<String> lastError() {
        return lastError;
    }

    public long lastErrorAt() {
        return lastErrorAt;
    }

    public Optional<Long> lastConnectedAt() {
        return lastConnectedAt == 0 ? Optional.empty() : Optional.of(lastConnectedAt);
    }

    public int outboxSize() {
        return outbox.size();
    }

    /**
     * Makes the event durable (or, while the disk cannot take it, keeps it in memory), then sends it when the link
     * allows. Returns at once: nothing the station does waits on the disk.
     */
    @Override
    public void emit(String type, JsonObject data) {
        long now = clock.getAsLong();
        Event e = new Event(Ulid.next(Math.max(0, now)), now, type, data);
        outbox.append(e)
                .onSuccess(v -> pump())
                .onFailure(err -> LOG.error("Could not keep event {} ({}) in the outbox: {}", e.id(), type,
                        err.getMessage()));
    }

    /** Publishes a QoS 0 message (telemetry, heartbeat) if connected; dropped otherwise. */
    public void publishVolatile(Channel channel, Message m) {
        MqttClient c = client;
        if (connected && c != null) {
            c.publish(Topics.of(stationId, channel), Codec.encode(m), MqttQoS.AT_MOST_ONCE, false, false);
        }
    }

    /** Publishes on a QoS 1 channel (command results); fails when not connected. */
    public Future<Integer> publish(Channel channel, Message m) {
        MqttClient c = client;
        if (!connected || c == null) {
            return Future.failedFuture("uplink is not connected");
        }
        return c.publish(Topics.of(stationId, channel), Codec.encode(m), MqttQoS.valueOf(channel.qos()), false,
                channel.retain());
    }

    private void connect() {
        if (stopping) {
            return;
        }
        vertx.executeBlocking(sessions::next).onComplete(ar -> {
            if (stopping) {
                return;
            }
            if (ar.failed()) {
                LOG.error("Cannot persist the MQTT session number: {}", ar.cause().toString());
                scheduleReconnect();
                return;
            }
            long s = ar.result();
            long now = System.currentTimeMillis();
            MqttClientOptions opts = new MqttClientOptions()
                    .setClientId(stationId)
                    .setUsername(mqtt.username())
                    .setPassword(mqtt.password())
                    .setKeepAliveInterval(mqtt.keepAliveSeconds())
                    .setCleanSession(true)
                    .setWillFlag(true)
                    .setWillTopic(Topics.of(stationId, Channel.STATE))
                    .setWillMessageBytes(Codec.encode(StateMessage.will(now, s, agentVersion, configVersion)))
                    .setWillQoS(1)
                    .setWillRetain(true)
                    .setMaxInflightQueue(64)
                    .setMaxMessageSize(Limits.PAYLOAD_BYTES + 1024);
            opts.setConnectTimeout(10_000);
            if (mqtt.tls()) {
                opts.setSsl(true);
                HubTrust.apply(opts, mqtt);
            }
            MqttClient c = MqttClient.create(vertx, opts);
            client = c;
            c.publishHandler(msg -> onMessage(c, msg));
            c.publishCompletionHandler(pid -> onPubAck(c, pid));
            c.closeHandler(v -> onClosed(c));
            c.exceptionHandler(err -> {
                LOG.debug("MQTT connection error: {}", err.toString());
                if (!connected) {
                    handshakeError = err;
                }
            });
            handshakeError = null;
            LOG.info("Connecting to {}:{} as {} (session {})", mqtt.host(), mqtt.port(), stationId, s);
            c.connect(mqtt.port(), mqtt.host()).onComplete(conn -> {
                if (client != c) {
                    return;
                }
                if (conn.failed()) {
                    Throwable why = handshakeError != null ? handshakeError : conn.cause();
                    lastError = Optional.of(HubTrust.explain(why, mqtt.host(), mqtt.port()));
                    lastErrorAt = System.currentTimeMillis();
                    LOG.warn("MQTT connect to {}:{} failed: {}", mqtt.host(), mqtt.port(), lastError.get());
                    client = null;
                    scheduleReconnect();
                    return;
                }
                if (stopping) {
                    c.disconnect();
                    return;
                }
                onConnected(c, s);
            });
        });
    }

    private void onConnected(MqttClient c, long s) {
        connected = true;
        lastError = Optional.empty();
        session = s;
        attempt = 0;
        lastConnectedAt = System.currentTimeMillis();
        startOver();
        LOG.info("Connected to the hub, session {}, {} events waiting in the outbox", s, outbox.size());
        Map<String, Integer> topics = new HashMap<>(Map.of(Topics.of(stationId, Channel.COMMAND), 1,
                Topics.of(stationId, Channel.CONFIG), 1));
        if (eventAcks) {
            topics.put(Topics.of(stationId, Channel.EVENTS_ACK), 1);
        }
        // subscribed before the birth: through a broker, a hub sends pending commands when it sees the birth, and
        // a command published before the subscription would be dropped; events go once the hub knows where to
        // acknowledge them
        c.subscribe(topics).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Subscribe failed: {}", ar.cause().toString());
            }
            if (client != c) {
                return;
            }
            StateMessage birth = StateMessage.birth(System.currentTimeMillis(), s, agentVersion, configVersion);
            c.publish(Topics.of(stationId, Channel.STATE), Codec.encode(birth), MqttQoS.AT_LEAST_ONCE, false, true);
            pump();
        });
        connectedHandler.run();
    }

    private void onClosed(MqttClient c) {
        if (client != c) {
            return;
        }
        boolean was = connected;
        connected = false;
        client = null;
        startOver();
        if (was) {
            LOG.warn("Connection to the hub lost; {} events kept in the outbox", outbox.size());
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (stopping || reconnectTimer >= 0) {
            return;
        }
        long delay = Reconnect.delayMillis(attempt);
        attempt++;
        LOG.info("Reconnecting in {} ms (attempt {})", delay, attempt);
        reconnectTimer = vertx.setTimer(delay, t -> {
            reconnectTimer = -1;
            connect();
        });
    }

    private void onMessage(MqttClient c, MqttPublishMessage msg) {
        if (client != c) {
            return;
        }
        Optional<Topics.Address> addr = Topics.parse(msg.topicName());
        if (addr.isEmpty() || !addr.get().stationId().equals(stationId)
                || addr.get().channel().direction() != Channel.Direction.DOWN) {
            LOG.warn("Ignoring a message on an unexpected topic {}", msg.topicName());
            return;
        }
        if (addr.get().channel() == Channel.EVENTS_ACK) {
            onEventsAck(msg.payload());
            return;
        }
        try {
            downlinkHandler.accept(addr.get().channel(), msg.payload());
        } catch (RuntimeException e) {
            LOG.error("Handling a message on {} failed", msg.topicName(), e);
        }
    }

    private void heartbeat() {
        if (!connected) {
            return;
        }
        long uptime = (System.currentTimeMillis() - startedAt) / 1000;
        publishVolatile(Channel.HEARTBEAT, new Heartbeat(System.currentTimeMillis(), heartbeatSeq++, uptime,
                outbox.size()));
    }

    /** Sends what the outbox holds, oldest first, keeping at most {@link #EVENT_WINDOW} publishes unacknowledged. */
    private void pump() {
        if (!connected || client == null) {
            return;
        }
        if (pumping) {
            pumpAgain = true;
            return;
        }
        if (unsettled.size() >= EVENT_WINDOW) {
            return;
        }
        pumping = true;
        pumpAgain = false;
        MqttClient c = client;
        int r = round;
        outbox.after(cursor, Limits.BATCH_EVENTS).onComplete(ar -> {
            if (round != r) {
                return; // a new connection or a resend started over meanwhile
            }
            if (ar.failed()) {
                pumping = false;
                LOG.error("Reading the outbox failed: {}", ar.cause().toString());
                return;
            }
            List<OutboxStore.Row> rows = ar.result();
            if (rows.isEmpty()) {
                pumping = false;
                if (pumpAgain) {
                    pump();
                }
                return;
            }
            List<Event> chunk = nextPublish(rows.stream().map(OutboxStore.Row::event).toList());
            Message m = chunk.size() == 1 ? EventsMessage.single(chunk.get(0)) : EventsMessage.batch(chunk);
            Buffer payload = Codec.encode(m);
            if (payload.length() > Channel.EVENTS.maxBytes()) {
                // no hub can take it (its endpoint or broker would drop the connection): it would jam the outbox
                Event e = chunk.get(0);
                LOG.error("Event {} ({}) is {} bytes, more than any events payload may be ({}); it cannot be sent "
                        + "and is removed from the outbox", e.id(), e.type(), payload.length(), Channel.EVENTS.maxBytes());
                pumping = false;
                cursor = rows.get(0).seq();
                delete(List.of(e.id()));
                return;
            }
            List<String> ids = chunk.stream().map(Event::id).toList();
            cursor = rows.get(chunk.size() - 1).seq();
            // counted before it goes out: the hub's acknowledgement may come before the publish completes here
            Sent sent = new Sent(ids, System.currentTimeMillis());
            unsettled.add(sent);
            c.publish(Topics.of(stationId, Channel.EVENTS), payload, MqttQoS.AT_LEAST_ONCE, false, false)
                    .onComplete(pub -> {
                        if (round != r) {
                            return;
                        }
                        pumping = false;
                        if (pub.failed()) {
                            LOG.warn("Publishing {} events failed: {}", ids.size(), pub.cause().getMessage());
                            startOver();
                        } else {
                            awaitPuback(pub.result(), sent);
                        }
                        pump();
                    });
        });
    }

    /**
     * The events of the next publish, oldest first: as many as fit one batch of {@link Limits#BATCH_BYTES}, measured
     * as the codec writes them; an event over {@link Limits#EVENT_BYTES} goes alone (the hub dead-letters it and
     * acknowledges it like any other).
     */
    static List<Event> nextPublish(List<Event> events) {
        if (events.get(0).encodedBytes() > Limits.EVENT_BYTES) {
            return List.of(events.get(0));
        }
        List<Event> chunk = new ArrayList<>();
        long bytes = Codec.encode(EventsMessage.batch(List.of())).length();
        for (Event e : events) {
            if (e.encodedBytes() > Limits.EVENT_BYTES) {
                break;
            }
            int n = Limits.utf8Length(e.toJsonInBatch().encode()) + (chunk.isEmpty() ? 0 : 1);
            if (!chunk.isEmpty() && bytes + n > Limits.BATCH_BYTES) {
                break;
            }
            chunk.add(e);
            bytes += n;
        }
        return chunk;
    }

    private void awaitPuback(int pid, Sent s) {
        if (eventAcks || !unsettled.contains(s)) {
            return;
        }
        if (earlyPubacks.remove(pid)) {
            settle(s);
        } else {
            awaitingPuback.put(pid, s);
        }
    }

    /** PUBACK mode: the hub's endpoint has committed the publish's events. With event acks a PUBACK says nothing. */
    private void onPubAck(MqttClient c, int pid) {
        if (client != c || eventAcks) {
            return;
        }
        Sent s = awaitingPuback.remove(pid);
        if (s == null) {
            earlyPubacks.add(pid);
            return;
        }
        settle(s);
    }

    private void settle(Sent s) {
        unsettled.remove(s);
        delete(s.ids);
    }

    /** The hub has the events (or dead-lettered them): they leave the outbox, whichever publish carried them. */
    private void onEventsAck(Buffer payload) {
        EventsAck ack;
        try {
            ack = Codec.decode(Channel.EVENTS_ACK, payload.getBytes(), EventsAck.class);
        } catch (ProtocolException e) {
            LOG.warn("Ignoring a bad events acknowledgement: {}", e.getMessage());
            return;
        }
        if (!eventAcks) {
            return;
        }
        unsettled.removeIf(s -> {
            s.open.removeAll(ack.ids());
            return s.open.isEmpty();
        });
        delete(ack.ids());
    }

    private void delete(List<String> ids) {
        outbox.delete(ids).onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("Deleting {} acknowledged events failed: {}", ids.size(), ar.cause().toString());
            }
            pump();
        });
    }

    /** Event-ack mode: when the oldest publish waited too long for its acknowledgement, sends everything again. */
    private void resendOverdue() {
        if (!connected || unsettled.isEmpty()
                || System.currentTimeMillis() - unsettled.get(0).at < ackTimeoutMs) {
            return;
        }
        LOG.warn("The hub acknowledged no events for {} s; sending the {} waiting in the outbox again "
                + "(mqtt.eventAcks is on: the hub must answer on .../events/ack)", ackTimeoutMs / 1000, outbox.size());
        startOver();
        pump();
    }

    /** Forgets what was sent: the next pump starts again from the oldest event in the outbox. */
    private void startOver() {
        round++;
        pumping = false;
        pumpAgain = false;
        cursor = 0;
        unsettled.clear();
        awaitingPuback.clear();
        earlyPubacks.clear();
    }

    /** Publishes the clean-shutdown state, disconnects and stops reconnecting. */
    public Future<Void> stop() {
        stopping = true;
        if (reconnectTimer >= 0) {
            vertx.cancelTimer(reconnectTimer);
            reconnectTimer = -1;
        }
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
            heartbeatTimer = -1;
        }
        if (ackTimer >= 0) {
            vertx.cancelTimer(ackTimer);
            ackTimer = -1;
        }
        MqttClient c = client;
        if (!connected || c == null) {
            connected = false;
            return Future.succeededFuture();
        }
        Promise<Void> acked = Promise.promise();
        StateMessage bye = StateMessage.shutdown(System.currentTimeMillis(), session, agentVersion, configVersion);
        c.publish(Topics.of(stationId, Channel.STATE), Codec.encode(bye), MqttQoS.AT_LEAST_ONCE, false, true)
                .onSuccess(pid -> {
                    c.publishCompletionHandler(p -> {
                        if (p.equals(pid)) {
                            acked.tryComplete();
                        }
                    });
                })
                .onFailure(acked::tryFail);
        long guard = vertx.setTimer(2_000, t -> acked.tryComplete());
        return acked.future().recover(err -> Future.succeededFuture())
                .compose(v -> {
                    vertx.cancelTimer(guard);
                    connected = false;
                    return c.disconnect().recover(err -> Future.succeededFuture());
                })
                .onComplete(v -> client = null);
    }

}
