package org.yizhan.hub.mqtt;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.broker.BrokerLink;
import org.yizhan.hub.broker.BrokerSettings;
import org.yizhan.hub.broker.LiveFeed;
import org.yizhan.hub.broker.StationAccounts;
import org.yizhan.hub.commands.CommandChannel;
import org.yizhan.hub.commands.CommandDispatcher;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.deadletter.DeadLetterStore;
import org.yizhan.hub.events.EventStore;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.ingest.EventAcks;
import org.yizhan.hub.ingest.Ingest;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.presence.Presence;
import org.yizhan.hub.presence.PresenceTracker;
import org.yizhan.hub.timeseries.TimeSeries;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Event;
import org.yizhan.hub.stations.StationAuth;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The hub's MQTT side, wired: the station endpoint (vertx-mqtt {@link MqttServer}), ingestion, presence with
 * offline alerts and command delivery. What events derive (charging sessions, safety and door alerts) comes from
 * the features {@link #register registered}.
 * Everything runs on the event loop that calls {@link #start()}.
 */
public final class MqttIngest {

    private static final Logger LOG = LoggerFactory.getLogger(MqttIngest.class);
    /** Station ids are up to 40 characters; MQTT 3.1.1 servers may refuse more than 23 unless told. */
    private static final int MAX_CLIENT_ID_LENGTH = 64;

    /**
     * What the MQTT side takes from the hub's settings. With {@code tls} the endpoint speaks TLS only;
     * {@code plainPort} is an optional second, plaintext listener for stations not yet moved to TLS;
     * {@code connectLimits} what a connection may do before its CONNECT (both listeners share the budget).
     */
    public record Settings(String host, int port, boolean tls, int maxMessageBytes, int startupGraceSeconds,
                           OptionalInt plainPort, Optional<BrokerSettings> broker, ConnectLimits connectLimits) {
        public Settings(String host, int port, boolean tls, int maxMessageBytes, int startupGraceSeconds) {
            this(host, port, tls, maxMessageBytes, startupGraceSeconds, OptionalInt.empty(), Optional.empty(),
                    ConnectLimits.defaults());
        }

        public Settings(String host, int port, boolean tls, int maxMessageBytes, int startupGraceSeconds,
                        OptionalInt plainPort) {
            this(host, port, tls, maxMessageBytes, startupGraceSeconds, plainPort, Optional.empty(),
                    ConnectLimits.defaults());
        }
    }

    private final Vertx vertx;
    private final Settings settings;
    private final HubMetrics metrics;
    /** Connection attempts per source address, shared by the TLS and plaintext listeners. */
    private final ConnectLimiter connectLimiter;
    private final Ingest ingest;
    private final PresenceTracker presence;
    private final CommandDispatcher commands;
    private final StationEndpoints endpoints;
    /** In broker mode ({@code mqtt-mode=broker}) the link to the broker, in place of the endpoint's servers. */
    private final Optional<BrokerLink> broker;
    private final Optional<StationAccounts> accounts;
    /** In broker mode every station's live messages for this replica's live view, whichever replica stores them. */
    private final Optional<LiveFeed> liveFeed;
    private final List<EventEffects> registered = new ArrayList<>();
    private EventEffects effects = EventEffects.NONE;
    private Context context;
    private MqttServer server;
    private MqttServer plainServer;
    private Optional<KeyCertOptions> keyCert = Optional.empty();

    public MqttIngest(Vertx vertx, Settings config, Database db, HubMetrics metrics, StationLive live,
                      TimeSeries timeSeries, EventStore events, AlertStore alerts, DeadLetterStore deadLetters,
                      CommandStore commandStore) {
        this.vertx = vertx;
        this.settings = config;
        this.metrics = metrics;
        this.connectLimiter = new ConnectLimiter(config.connectLimits(), System::currentTimeMillis);
        this.presence = new PresenceTracker(vertx, db, live, timeSeries, alerts, settings.startupGraceSeconds(),
                metrics);
        CommandChannelRef channel = new CommandChannelRef();
        this.commands = new CommandDispatcher(vertx, commandStore, channel);
        Ingest ingest = new Ingest(vertx, metrics, live, timeSeries, events, deadLetters, presence, commands,
                new Registered());
        this.ingest = ingest;
        this.endpoints = new StationEndpoints(metrics, new StationAuth(db), ingest, presence);
        this.broker = config.broker().map(b -> new BrokerLink(vertx, b, config.maxMessageBytes(), ingest, presence,
                metrics));
        this.liveFeed = config.broker().map(b -> new LiveFeed(vertx, b, config.maxMessageBytes(), ingest, live));
        ingest.liveElsewhere(liveFeed.isPresent());
        this.accounts = config.broker().filter(BrokerSettings::dynsec)
                .map(b -> new StationAccounts(broker.orElseThrow(), b.username()));
        channel.target = broker.<CommandChannel>map(l -> l).orElse(endpoints);
        endpoints.commands(commands);
        broker.ifPresent(l -> l.commands(commands));
        // committed events are acknowledged on .../events/ack by whichever side carries the station's messages
        ingest.acknowledgeWith(broker.<EventAcks>map(l -> l).orElse(endpoints));
    }

    /**
     * The station accounts on the broker, when the hub manages them through Mosquitto's dynamic security
     * ({@code mqtt-broker-dynsec}); empty otherwise.
     */
    public Optional<StationAccounts> brokerAccounts() {
        return accounts;
    }

    /** Whether the hub runs as a client of an MQTT broker ({@code mqtt-mode=broker}). */
    public boolean brokerMode() {
        return broker.isPresent();
    }

    /** Who is told the agent version of every birth this replica stores. Call before {@link #start()}. */
    public void births(Ingest.Births births) {
        ingest.births(births);
    }

    /** Who is told the position in every telemetry this replica stores. Call before {@link #start()}. */
    public void positions(Ingest.Positions positions) {
        ingest.positions(positions);
    }

    /**
     * Sets where a station's desired configuration comes from (the registry) when it subscribes to
     * {@code .../config} and nothing was published for it since start. Call before {@link #start()}.
     */
    public void configSource(Function<String, Future<Optional<JsonObject>>> source) {
        endpoints.configSource(source);
        broker.ifPresent(l -> l.configSource(source));
    }

    /**
     * Registers what a feature derives from the events and command results stations report; ingestion runs every
     * registered effect in the order registered. Call before {@link #start()}.
     */
    public void register(EventEffects more) {
        registered.add(more);
        effects = EventEffects.all(registered);
    }

    /**
     * The key and certificate the endpoint serves when {@code tls} is on (consulted at every handshake, so a
     * reloading source serves a new certificate to new connections). Call before {@link #start()}.
     */
    public void tls(KeyCertOptions keyCertOptions) {
        this.keyCert = Optional.of(keyCertOptions);
    }

    /** Loads presence, starts command delivery and binds the MQTT server(s); completes once they are bound. */
    public Future<Void> start() {
        if (settings.tls() && keyCert.isEmpty()) {
            return Future.failedFuture(new IllegalStateException(
                    "mqtt-tls: the MQTT endpoint needs a certificate (tls-cert, tls-key)"));
        }
        context = vertx.getOrCreateContext();
        if (broker.isPresent()) {
            BrokerLink link = broker.get();
            return onContext(() -> presence.start()
                    .compose(v -> commands.start())
                    .compose(v -> link.start())
                    .compose(v -> accounts.map(StationAccounts::ensureHubRole).orElse(Future.succeededFuture()))
                    .compose(v -> liveFeed.orElseThrow().start()));
        }
        return onContext(() -> presence.start()
                .compose(v -> commands.start())
                .compose(v -> {
                    server = listener(settings.tls());
                    return server.listen().recover(err -> Future.failedFuture(new IllegalStateException(
                            "MQTT cannot listen on " + settings.host() + ":" + settings.port()
                                    + " (mqtt-port, YIZHAN_MQTT_PORT): " + err.getMessage(), err)));
                })
                .compose(s -> {
                    LOG.info("MQTT endpoint listening on {}:{}{} ({})", settings.host(), s.actualPort(),
                            settings.tls() ? " (TLS only)" : "", settings.connectLimits());
                    if (settings.plainPort().isEmpty()) {
                        return Future.succeededFuture((Void) null);
                    }
                    int p = settings.plainPort().getAsInt();
                    plainServer = listener(false);
                    return plainServer.listen(p, settings.host()).recover(err -> Future.failedFuture(
                            new IllegalStateException("MQTT cannot listen on " + settings.host() + ":" + p
                                    + " (mqtt-plain-port, YIZHAN_MQTT_PLAIN_PORT): " + err.getMessage(), err)))
                            .map(ps -> {
                                LOG.warn("MQTT also listening in plaintext on {}:{} (mqtt-plain-port): passwords "
                                        + "cross the network in the clear there", settings.host(), ps.actualPort());
                                return (Void) null;
                            });
                }));
    }

    private MqttServer listener(boolean tls) {
        MqttServerOptions options = new MqttServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setMaxMessageSize(settings.maxMessageBytes())
                .setMaxClientIdLength(MAX_CLIENT_ID_LENGTH)
                .setAutoClientId(false)
                // vertx-mqtt's own idle limit before CONNECT (90 s by default) stays as a backstop behind the
                // guard's, which counts the socket it closes and does not restart on every byte
                .setTimeoutOnConnect(settings.connectLimits().timeoutSeconds() + 1);
        if (tls) {
            options.setSsl(true).setKeyCertOptions(keyCert.orElseThrow());
        }
        MqttServer s = GuardedMqttServer.create(vertx, options, connectLimiter, settings.connectLimits(), metrics);
        s.endpointHandler(endpoints::handle);
        s.exceptionHandler(err -> LOG.debug("MQTT connection error: {}", err.getMessage()));
        return s;
    }

    /**
     * The port the MQTT server is bound to (after {@link #start()}); in broker mode the broker's port while the
     * link to it is up, -1 while it is down (so readiness reports it).
     */
    public int actualPort() {
        if (broker.isPresent()) {
            return broker.get().isUp() ? broker.get().port() : -1;
        }
        return server == null ? -1 : server.actualPort();
    }

    /** The port stations are given at provisioning: the broker's in broker mode, else this endpoint's. */
    public int stationPort() {
        return broker.map(BrokerLink::port).orElseGet(this::actualPort);
    }

    /** The port of the plaintext listener beside a TLS one ({@code mqtt-plain-port}); empty when there is none. */
    public OptionalInt actualPlainPort() {
        return plainServer == null ? OptionalInt.empty() : OptionalInt.of(plainServer.actualPort());
    }

    /**
     * Stops accepting connections and closes the open ones without judging them offline (the stations are fine,
     * the hub is going away; after the next start they get the start-up grace), then writes last-seen times.
     */
    public Future<Void> stop() {
        if (context == null) {
            return Future.succeededFuture();
        }
        if (broker.isPresent()) {
            return onContext(() -> liveFeed.orElseThrow().stop().eventually(broker.get()::stop).eventually(commands::stop).eventually(presence::stop));
        }
        return onContext(() -> {
            endpoints.stopping();
            Future<Void> closed = Future.all(server == null ? Future.succeededFuture() : server.close(),
                    plainServer == null ? Future.succeededFuture() : plainServer.close()).mapEmpty();
            endpoints.closeAll();
            return closed.eventually(commands::stop).eventually(presence::stop);
        });
    }

    /** When the start-up grace ends or ended (epoch ms): before it, stations not back yet are not judged. */
    public long startupGraceEnd() {
        return presence.graceEnd();
    }

    /** The station's live presence; empty for a station the hub has never known. */
    public Optional<Presence> presence(String stationId) {
        return presence.presence(stationId);
    }

    /** Whether the station is connected to this hub (in broker mode: whether it is online through the broker). */
    public boolean isConnected(String stationId) {
        return broker.map(l -> l.isOnline(stationId)).orElseGet(() -> endpoints.isConnected(stationId));
    }

    /**
     * The stations connected to this hub now (others may be connected to another hub on the registry); in broker
     * mode those whose birth this replica handled, so that each station is counted by one replica.
     */
    public java.util.Set<String> connectedStations() {
        return broker.map(BrokerLink::stationsBornHere).orElseGet(endpoints::connected);
    }

    /**
     * Keeps {@code config} (a firmware-config station configuration with its {@code "version"}) as the station's
     * retained {@code .../config} and sends it now if the station is subscribed. Completes with true when the
     * station acknowledged it, false when it will get it on its next subscription instead. Kept in memory: the
     * caller sets it again after a hub start.
     */
    public Future<Boolean> publishConfig(String stationId, JsonObject config) {
        if (broker.isPresent()) {
            return onContext(() -> broker.get().publishConfig(stationId, config.copy()));
        }
        return onContext(() -> endpoints.publishConfig(stationId, config.copy()));
    }

    private <T> Future<T> onContext(Supplier<Future<T>> work) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            try {
                work.get().onComplete(p);
            } catch (RuntimeException e) {
                p.fail(e);
            }
        });
        return p.future();
    }

    /** Ingestion's view of the registered effects, whatever is registered by the time messages arrive. */
    private final class Registered implements EventEffects {
        @Override
        public List<JsonObject> onEvents(Connection c, String stationId, List<Event> fresh) throws SQLException {
            return effects.onEvents(c, stationId, fresh);
        }

        @Override
        public Future<List<JsonObject>> onCommandResult(String stationId, CommandResult result, long at) {
            return effects.onCommandResult(stationId, result, at);
        }
    }

    /** Breaks the construction cycle between the dispatcher and the endpoints. */
    private static final class CommandChannelRef implements org.yizhan.hub.commands.CommandChannel {
        CommandChannel target;

        @Override
        public Future<Boolean> deliver(String stationId, org.yizhan.protocol.Command command) {
            return target.deliver(stationId, command);
        }
    }
}
