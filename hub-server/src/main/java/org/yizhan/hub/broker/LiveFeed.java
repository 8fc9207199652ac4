package org.yizhan.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.messages.MqttPublishMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.ingest.Ingest;
import org.yizhan.hub.live.StationLive;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.Message;
import org.yizhan.protocol.ProtocolException;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Topics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every station's telemetry, births and events for this replica's live view, in broker mode. The shared
 * subscription of {@link BrokerLink} hands each message to one replica, which stores it; so that an operator sees
 * the whole fleet live whichever replica serves the page, each replica also holds a second connection to the broker
 * with its own client id and plain (not shared) QoS 0 subscriptions to {@code yizhan/v1/stations/+/telemetry},
 * {@code .../state} and {@code .../events}. What arrives here is validated with the contract's codec and goes to
 * {@link StationLive} and the live stream only, never to storage, presence, time series or effects; the shared path
 * stops showing live messages itself ({@link Ingest#liveElsewhere}), so each is shown once per replica. Events are
 * shown once per id (the last {@value #REMEMBERED_EVENTS} ids are remembered), so an agent's resend after a lost
 * acknowledgement is not shown again. A separate connection because MQTT 3.1.1 does not say through which of a
 * client's subscriptions a message came, and Mosquitto sends a client one copy per matching subscription.
 *
 * <p>Best effort, like any live view: QoS 0, and a message published while this connection is down is not shown
 * here (it is still stored through the shared subscription). Reconnects with backoff. Runs on the event loop that
 * calls {@link #start()}.
 */
public final class LiveFeed {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
    static final List<Channel> CHANNELS = List.of(Channel.TELEMETRY, Channel.STATE, Channel.EVENTS);
    static final int REMEMBERED_EVENTS = 20_000;

    private final Vertx vertx;
    private final BrokerSettings settings;
    private final int maxMessageBytes;
    private final Ingest ingest;
    private final StationLive live;
    private final String clientId = "yizhan-hub-live-" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, Boolean> shownEvents = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_EVENTS;
        }
    };
    private MqttClient client;
    private boolean stopping;
    private int attempt;
    private long reconnectTimer = -1;

    public LiveFeed(Vertx vertx, BrokerSettings settings, int maxMessageBytes, Ingest ingest, StationLive live) {
        this.vertx = vertx;
        this.settings = settings;
        this.maxMessageBytes = maxMessageBytes;
        this.ingest = ingest;
        this.live = live;
    }

    /** Connects and subscribes; fails with what the broker said when it cannot. */
    public Future<Void> start() {
        return connect().onSuccess(v -> LOG.info("Live feed connected to the MQTT broker {} as {}", settings.url(),
                        clientId))
                .recover(err -> Future.failedFuture(new IllegalStateException("MQTT broker " + settings.url()
                        + " (mqtt-broker-url), live feed: " + err.getMessage(), err)));
    }

    public Future<Void> stop() {
        stopping = true;
        vertx.cancelTimer(reconnectTimer);
        MqttClient c = client;
        client = null;
        if (c == null || !c.isConnected()) {
            return Future.succeededFuture();
        }
        return c.disconnect().recover(err -> Future.succeededFuture());
    }

    private Future<Void> connect() {
        MqttClient c = MqttClient.create(vertx, settings.clientOptions(clientId, maxMessageBytes));
        client = c;
        c.publishHandler(this::onMessage);
        c.exceptionHandler(err -> LOG.debug("Live feed connection error: {}", err.toString()));
        c.closeHandler(v -> onClosed(c));
        Map<String, Integer> topics = new LinkedHashMap<>();
        CHANNELS.forEach(ch -> topics.put(Topics.ROOT + "+/" + ch.suffix(), 0));
        return c.connect(settings.port(), settings.host())
                .compose(connack -> {
                    io.vertx.core.Promise<Void> subscribed = io.vertx.core.Promise.promise();
                    c.subscribeCompletionHandler(ack -> {
                        if (ack.grantedQoSLevels().stream().anyMatch(q -> q == null || q > 2)) {
                            subscribed.tryFail("the broker refused a subscription to " + topics.keySet()
                                    + "; the hub's broker user (mqtt-broker-username) must be allowed to subscribe "
                                    + "to them");
                        } else {
                            subscribed.tryComplete();
                        }
                    });
                    return c.subscribe(topics).compose(id -> subscribed.future());
                })
                .onSuccess(v -> attempt = 0)
                .onFailure(err -> {
                    if (client == c) {
                        client = null;
                    }
                    if (c.isConnected()) {
                        c.disconnect();
                    }
                });
    }

    private void onClosed(MqttClient c) {
        if (client != c) {
            return;
        }
        client = null;
        if (!stopping) {
            LOG.warn("Live feed connection to the MQTT broker {} lost; reconnecting", settings.url());
            scheduleReconnect();
        }
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
            connect().onSuccess(v -> LOG.info("Live feed connected to the MQTT broker {} again", settings.url()))
                    .onFailure(err -> {
                        LOG.warn("Live feed: connecting to the MQTT broker {} failed: {}", settings.url(),
                                err.getMessage());
                        scheduleReconnect();
                    });
        });
    }

    private void onMessage(MqttPublishMessage m) {
        long now = System.currentTimeMillis();
        Optional<Topics.Address> address = Topics.parse(m.topicName());
        if (address.isEmpty() || !CHANNELS.contains(address.get().channel())) {
            return;
        }
        String stationId = address.get().stationId();
        Channel channel = address.get().channel();
        Message message;
        try {
            message = Codec.decode(channel, m.payload().getBytes());
        } catch (ProtocolException | RuntimeException e) {
            // the replica that receives it through the shared subscription dead-letters it
            LOG.debug("Live feed: {} from {} is not valid: {}", channel.suffix(), stationId, e.getMessage());
            return;
        }
        if (message instanceof EventsMessage em) {
            List<Event> fresh = em.events().stream()
                    .filter(e -> shownEvents.put(stationId + "/" + e.id(), Boolean.TRUE) == null).toList();
            ingest.showEvents(stationId, fresh);
        } else if (message instanceof StateMessage && m.isRetain() && live.reportedConfig(stationId).isPresent()) {
            // a retained birth sent again on (re)subscribing says nothing newer than what was shown
            return;
        } else {
            ingest.showLive(stationId, message, now);
        }
    }
}
