package org.yizhan.hub.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandChannel;
import org.yizhan.hub.commands.CommandDispatcher;
import org.yizhan.hub.ingest.EventAcks;
import org.yizhan.hub.ingest.Ingest;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.presence.PresenceTracker;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.ConfigMessage;
import org.yizhan.protocol.EventsAck;
import org.yizhan.protocol.ProtocolException;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Topics;
import org.yizhan.hub.stations.StationAuth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The station side of the hub's MQTT endpoint: authenticates CONNECTs, keeps one connection per station (a new
 * one replaces the old), enforces the ACL (own root only; publish only on up channels), hands payloads to
 * {@link Ingest} and acknowledges QoS 1 only when it is done (events committed, and {@code .../events/ack} sent
 * first to a station subscribed to it), delivers commands and the retained config, and applies a connection's
 * will itself when it drops without DISCONNECT.
 */
final class StationEndpoints implements CommandChannel, EventAcks {

    private static final Logger LOG = LoggerFactory.getLogger(StationEndpoints.class);
    private static final int MQTT_5 = 5;

    private final HubMetrics metrics;
    private final StationAuth auth;
    private final Ingest ingest;
    private final PresenceTracker presence;
    private final Map<String, StationSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, ConfigMessage> retainedConfig = new ConcurrentHashMap<>();
    private Function<String, Future<Optional<JsonObject>>> configSource =
            id -> Future.succeededFuture(Optional.empty());
    private CommandDispatcher commands;
    private volatile boolean stopping;

    StationEndpoints(HubMetrics metrics, StationAuth auth, Ingest ingest, PresenceTracker presence) {
        this.metrics = metrics;
        this.auth = auth;
        this.ingest = ingest;
        this.presence = presence;
    }

    void commands(CommandDispatcher commands) {
        this.commands = commands;
    }

    /** From now on connections that end are not judged for presence: the hub itself is going away. */
    void stopping() {
        stopping = true;
    }

    boolean isConnected(String stationId) {
        return sessions.containsKey(stationId);
    }

    /** The stations connected to this hub now. */
    java.util.Set<String> connected() {
        return java.util.Set.copyOf(sessions.keySet());
    }

    // ---- CONNECT ------------------------------------------------------------------------------------------

    void handle(MqttEndpoint endpoint) {
        boolean[] closedEarly = {false};
        endpoint.closeHandler(v -> closedEarly[0] = true);
        endpoint.exceptionHandler(err -> onException(endpoint, err));
        String clientId = endpoint.clientIdentifier();
        String username = endpoint.auth() == null ? null : endpoint.auth().getUsername();
        String password = endpoint.auth() == null ? null : endpoint.auth().getPassword();
        auth.check(clientId, username, password).onComplete(ar -> {
            if (closedEarly[0]) {
                return;
            }
            if (ar.failed()) {
                LOG.error("Checking the credentials of {} failed: {}", clientId, ar.cause().getMessage());
                metrics.rejected("auth-unavailable");
                reject(endpoint, endpoint.protocolVersion() == MQTT_5
                        ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
                return;
            }
            StationAuth.Outcome o = ar.result();
            if (!o.accepted()) {
                metrics.rejected(o.reason());
                LOG.info("Refused MQTT connection from {} ({})", endpoint.remoteAddress(), o.reason());
                boolean v5 = endpoint.protocolVersion() == MQTT_5;
                reject(endpoint, o.notAuthorized()
                        ? (v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                              : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
                        : (v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                              : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD));
                return;
            }
            accept(endpoint, clientId, o.heartbeatSeconds());
        });
    }

    private static void reject(MqttEndpoint endpoint, MqttConnectReturnCode code) {
        try {
            endpoint.reject(code);
        } catch (RuntimeException e) {
            endpoint.close();
        }
    }

    private void accept(MqttEndpoint endpoint, String stationId, int heartbeatSeconds) {
        StationSession s = new StationSession(stationId, endpoint, willSession(stationId, endpoint.will()));
        endpoint.publishAutoAck(false);
        endpoint.subscriptionAutoAck(false);
        endpoint.publishHandler(m -> onPublish(s, m));
        endpoint.publishReleaseHandler(endpoint::publishComplete);
        endpoint.subscribeHandler(m -> onSubscribe(s, m));
        endpoint.unsubscribeHandler(m -> {
            m.topics().forEach(s.filters::remove);
            endpoint.unsubscribeAcknowledge(m.messageId());
        });
        endpoint.publishAcknowledgeHandler(id -> {
            Promise<Boolean> p = s.awaitingPuback.remove(id);
            if (p != null) {
                p.tryComplete(true);
            }
        });
        endpoint.disconnectMessageHandler(m -> onDisconnect(s, m));
        endpoint.closeHandler(v -> onClose(s));
        try {
            endpoint.accept(false);
        } catch (RuntimeException e) {
            LOG.debug("Connection of {} ended before CONNACK", stationId);
            return;
        }
        metrics.connectionOpened();
        s.accepted = true;
        StationSession old = sessions.put(stationId, s);
        if (old != null) {
            LOG.info("Station {} connected again; closing its previous connection", stationId);
            closeQuietly(old);
        }
        LOG.debug("Station {} connected (MQTT {}, keep-alive {} s)", stationId, endpoint.protocolVersion(),
                endpoint.keepAliveTimeSeconds());
        presence.connected(stationId, heartbeatSeconds, System.currentTimeMillis());
    }

    /**
     * Closes a station's previous connection. It may have closed already (its close handler not run yet), and
     * closing it then throws: that must not keep the new connection from being marked connected.
     */
    private static void closeQuietly(StationSession old) {
        try {
            if (old.endpoint.isConnected()) {
                old.endpoint.close();
            }
        } catch (IllegalArgumentException e) {
            // vertx-mqtt's "MQTT endpoint is closed"
            LOG.debug("Previous connection was already closed: {}", e.getMessage());
        }
    }

    /** The session number in the will, when the will is the station's state notice. */
    private static OptionalLong willSession(String stationId, MqttWill will) {
        if (will == null || !will.isWillFlag() || !Topics.of(stationId, Channel.STATE).equals(will.getWillTopic())
                || will.getWillMessageBytes() == null) {
            return OptionalLong.empty();
        }
        try {
            StateMessage m = Codec.decode(Channel.STATE, will.getWillMessageBytes(), StateMessage.class);
            return OptionalLong.of(m.session());
        } catch (ProtocolException e) {
            return OptionalLong.empty();
        }
    }

    // ---- PUBLISH ------------------------------------------------------------------------------------------

    private void onPublish(StationSession s, MqttPublishMessage m) {
        long start = System.nanoTime();
        long now = System.currentTimeMillis();
        MqttQoS qos = m.qosLevel();
        int[] slot = qos == MqttQoS.AT_MOST_ONCE ? null : s.expectAck(m.messageId());
        String topic = m.topicName();
        byte[] payload = m.payload().getBytes();
        Future<Void> done;
        Optional<Topics.Address> address = Topics.parse(topic);
        if (!Topics.isUnderRoot(s.stationId, topic)) {
            metrics.rejected("acl");
            LOG.debug("Dropped PUBLISH of {} outside its root", s.stationId);
            done = Future.succeededFuture();
        } else if (address.isEmpty()) {
            done = ingest.reject(Optional.of(s.stationId), topic, "topic",
                    "topic: not a channel of contract v1", payload, now);
        } else if (address.get().channel().direction() != Channel.Direction.UP) {
            metrics.rejected("acl");
            done = Future.succeededFuture();
        } else {
            done = ingest.accept(s.stationId, address.get().channel(), topic, payload, now, start);
        }
        if (slot == null) {
            return;
        }
        done.onComplete(ar -> {
            if (ar.failed()) {
                // Not committed: no PUBACK. Closing makes the station reconnect and send it again.
                s.endpoint.close();
                return;
            }
            s.handled(slot, id -> {
                if (!s.endpoint.isConnected()) {
                    return;
                }
                if (qos == MqttQoS.EXACTLY_ONCE) {
                    s.endpoint.publishReceived(id);
                } else {
                    s.endpoint.publishAcknowledge(id);
                }
            });
        });
    }

    // ---- SUBSCRIBE ----------------------------------------------------------------------------------------

    private void onSubscribe(StationSession s, MqttSubscribeMessage m) {
        boolean v5 = s.endpoint.protocolVersion() == MQTT_5;
        List<MqttQoS> granted = new ArrayList<>();
        List<MqttSubAckReasonCode> codes = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (MqttTopicSubscription sub : m.topicSubscriptions()) {
            String filter = sub.topicName();
            if (Topics.isUnderRoot(s.stationId, filter)) {
                MqttQoS q = sub.qualityOfService() == MqttQoS.AT_MOST_ONCE ? MqttQoS.AT_MOST_ONCE : MqttQoS.AT_LEAST_ONCE;
                granted.add(q);
                codes.add(q == MqttQoS.AT_MOST_ONCE ? MqttSubAckReasonCode.GRANTED_QOS0 : MqttSubAckReasonCode.GRANTED_QOS1);
                s.filters.add(filter);
                added.add(filter);
            } else {
                metrics.rejected("acl");
                LOG.debug("Refused subscription of {} outside its root", s.stationId);
                granted.add(MqttQoS.FAILURE);
                codes.add(MqttSubAckReasonCode.NOT_AUTHORIZED);
            }
        }
        if (v5) {
            s.endpoint.subscribeAcknowledge(m.messageId(), codes, MqttProperties.NO_PROPERTIES);
        } else {
            s.endpoint.subscribeAcknowledge(m.messageId(), granted);
        }
        String configTopic = Topics.of(s.stationId, Channel.CONFIG);
        String cmdTopic = Topics.of(s.stationId, Channel.COMMAND);
        if (added.stream().anyMatch(f -> TopicFilters.matches(f, configTopic))) {
            ConfigMessage c = retainedConfig.get(s.stationId);
            if (c != null) {
                publish(s, configTopic, Codec.encode(c), true);
            } else {
                configSource.apply(s.stationId)
                        .onSuccess(desired -> desired.ifPresent(cfg -> publishConfig(s.stationId, cfg)))
                        .onFailure(err -> LOG.warn("No configuration for {}: {}", s.stationId, err.getMessage()));
            }
        }
        if (commands != null && added.stream().anyMatch(f -> TopicFilters.matches(f, cmdTopic))) {
            commands.deliverPending(s.stationId);
        }
    }

    // ---- hub to station ------------------------------------------------------------------------------------

    @Override
    public Future<Boolean> deliver(String stationId, Command command) {
        StationSession s = sessions.get(stationId);
        String topic = Topics.of(stationId, Channel.COMMAND);
        if (s == null || !s.endpoint.isConnected() || !s.subscribedTo(topic) || !s.commandsSent.add(command.id())) {
            return Future.succeededFuture(false);
        }
        return publish(s, topic, Codec.encode(command), false);
    }

    /**
     * Sends {@code .../events/ack} on the station's connection, when it has one and subscribed to the topic (an
     * agent that did not takes the PUBACK, sent right after, as its acknowledgement).
     */
    @Override
    public void acknowledge(String stationId, List<String> ids) {
        StationSession s = sessions.get(stationId);
        String topic = Topics.of(stationId, Channel.EVENTS_ACK);
        if (s == null || !s.endpoint.isConnected() || !s.subscribedTo(topic)) {
            return;
        }
        metrics.counter("yizhan_events_acks");
        publish(s, topic, Codec.encode(new EventsAck(System.currentTimeMillis(), ids)), false);
    }

    /** Where the desired configuration of a station comes from when none was published since start. */
    void configSource(Function<String, Future<Optional<JsonObject>>> source) {
        this.configSource = source;
    }

    /** Keeps the station's desired configuration and sends it now if the station listens for it. */
    Future<Boolean> publishConfig(String stationId, JsonObject config) {
        ConfigMessage m = new ConfigMessage(System.currentTimeMillis(), config.getInteger("version", 0), config);
        retainedConfig.put(stationId, m);
        StationSession s = sessions.get(stationId);
        String topic = Topics.of(stationId, Channel.CONFIG);
        if (s == null || !s.endpoint.isConnected() || !s.subscribedTo(topic)) {
            return Future.succeededFuture(false);
        }
        return publish(s, topic, Codec.encode(m), true);
    }

    /** Publishes at QoS 1; completes with true on PUBACK, false if the connection ends first. */
    private Future<Boolean> publish(StationSession s, String topic, Buffer payload, boolean retain) {
        int id = s.nextPacketId();
        Promise<Boolean> acked = Promise.promise();
        s.awaitingPuback.put(id, acked);
        try {
            s.endpoint.publish(topic, payload, MqttQoS.AT_LEAST_ONCE, false, retain, id)
                    .onFailure(err -> {
                        s.awaitingPuback.remove(id);
                        acked.tryComplete(false);
                    });
        } catch (RuntimeException e) {
            s.awaitingPuback.remove(id);
            acked.tryComplete(false);
        }
        return acked.future();
    }

    // ---- end of a connection -------------------------------------------------------------------------------

    private void onDisconnect(StationSession s, MqttDisconnectMessage m) {
        // MQTT 5 lets a client disconnect and still ask for its will.
        s.cleanDisconnect = m == null || m.code() != MqttDisconnectReasonCode.WITH_WILL_MESSAGE;
    }

    private void onClose(StationSession s) {
        if (!s.accepted) {
            return;
        }
        metrics.connectionClosed();
        s.closed();
        boolean current = sessions.remove(s.stationId, s);
        if (!current || stopping) {
            return;
        }
        long now = System.currentTimeMillis();
        if (s.cleanDisconnect) {
            LOG.info("Station {} disconnected", s.stationId);
            presence.disconnected(s.stationId, now);
        } else {
            LOG.info("Station {} lost its connection", s.stationId);
            presence.connectionLost(s.stationId, s.willSession, now);
        }
    }

    private void onException(MqttEndpoint endpoint, Throwable err) {
        String text = String.valueOf(err.getMessage());
        if (isTooLarge(err)) {
            metrics.rejected("too-large");
            LOG.info("Closing connection of {}: packet over the size limit", endpoint.clientIdentifier());
        } else {
            metrics.rejected("mqtt-protocol");
            LOG.info("Closing connection of {}: {}", endpoint.clientIdentifier(), text);
        }
        endpoint.close();
    }

    /** Netty's MQTT decoder reports a packet over the size limit as a TooLongFrameException. */
    private static boolean isTooLarge(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof io.netty.handler.codec.TooLongFrameException
                    || String.valueOf(t.getMessage()).contains("exceeds") || String.valueOf(t.getMessage()).contains("too large")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes every station connection (hub shutdown); one the hub closed a moment ago (its session not yet
     * forgotten) is left alone, since closing it again would fail the shutdown.
     */
    void closeAll() {
        for (StationSession s : List.copyOf(sessions.values())) {
            if (s.endpoint.isConnected()) {
                s.endpoint.close();
            }
        }
    }
}
