package org.yizhan.hub.mqtt;

import java.util.function.Function;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.HubConfig;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.commands.CommandDispatcher;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.deadletter.DeadLetterStore;
import org.yizhan.hub.events.EventStore;
import org.yizhan.hub.ingest.EventEffects;
import org.yizhan.hub.ingest.Ingest;
import org.yizhan.hub.alerts.EventAlerts;
import org.yizhan.hub.charging.SessionRecorder;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.presence.Presence;
import org.yizhan.hub.presence.PresenceTracker;
import org.yizhan.hub.timeseries.TimeSeries;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The hub's MQTT side, wired: the station endpoint (vertx-mqtt {@link MqttServer}), ingestion, presence with
 * offline alerts, command delivery, and what events derive (charging sessions, safety and door alerts).
 * Everything runs on the event loop that calls {@link #start()}.
 */
public final class MqttIngest {

    private static final Logger LOG = LoggerFactory.getLogger(MqttIngest.class);
    /** Station ids are up to 40 characters; MQTT 3.1.1 servers may refuse more than 23 unless told. */
    private static final int MAX_CLIENT_ID_LENGTH = 64;

    private final Vertx vertx;
    private final HubConfig config;
    private final PresenceTracker presence;
    private final CommandDispatcher commands;
    private final StationEndpoints endpoints;
    private Context context;
    private MqttServer server;

    public MqttIngest(Vertx vertx, HubConfig config, Database db, HubMetrics metrics, StationLive live,
                      TimeSeries timeSeries, EventStore events, AlertStore alerts, DeadLetterStore deadLetters,
                      CommandStore commandStore) {
        this.vertx = vertx;
        this.config = config;
        this.presence = new PresenceTracker(vertx, db, live, timeSeries, alerts, config.startupGraceSeconds());
        CommandChannelRef channel = new CommandChannelRef();
        this.commands = new CommandDispatcher(vertx, commandStore, channel);
        EventEffects effects = EventEffects.all(List.of(new SessionRecorder(metrics), new EventAlerts(db)));
        Ingest ingest = new Ingest(vertx, metrics, live, timeSeries, events, deadLetters, presence, commands, effects);
        this.endpoints = new StationEndpoints(metrics, new StationAuth(db), ingest, presence);
        channel.target = endpoints;
        endpoints.commands(commands);
    }

    /**
     * Sets where a station's desired configuration comes from (the registry) when it subscribes to
     * {@code .../config} and nothing was published for it since start. Call before {@link #start()}.
     */
    public void configSource(Function<String, Future<Optional<JsonObject>>> source) {
        endpoints.configSource(source);
    }

    /** Loads presence, starts command delivery and binds the MQTT server; completes once it is bound. */
    public Future<Void> start() {
        if (config.mqttTls()) {
            return Future.failedFuture(new IllegalStateException(
                    "mqtt-tls: the embedded MQTT endpoint has no certificate setting yet; terminate TLS in front of it"));
        }
        context = vertx.getOrCreateContext();
        return onContext(() -> presence.start()
                .compose(v -> commands.start())
                .compose(v -> {
                    MqttServerOptions options = new MqttServerOptions()
                            .setHost(config.mqttHost())
                            .setPort(config.mqttPort())
                            .setMaxMessageSize(config.mqttMaxMessageBytes())
                            .setMaxClientIdLength(MAX_CLIENT_ID_LENGTH)
                            .setAutoClientId(false);
                    server = MqttServer.create(vertx, options);
                    server.endpointHandler(endpoints::handle);
                    server.exceptionHandler(err -> LOG.debug("MQTT connection error: {}", err.getMessage()));
                    return server.listen().recover(err -> Future.failedFuture(new IllegalStateException(
                            "MQTT cannot listen on " + config.mqttHost() + ":" + config.mqttPort()
                                    + " (mqtt-port, YIZHAN_MQTT_PORT): " + err.getMessage(), err)));
                })
                .map(s -> {
                    LOG.info("MQTT endpoint listening on {}:{}", config.mqttHost(), s.actualPort());
                    return (Void) null;
                }));
    }

    /** The port the MQTT server is bound to (after {@link #start()}). */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    /**
     * Stops accepting connections and closes the open ones without judging them offline (the stations are fine,
     * the hub is going away; after the next start they get the start-up grace), then writes last-seen times.
     */
    public Future<Void> stop() {
        if (context == null) {
            return Future.succeededFuture();
        }
        return onContext(() -> {
            endpoints.stopping();
            Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
            endpoints.closeAll();
            return closed.eventually(commands::stop).eventually(presence::stop);
        });
    }

    /** The station's live presence; empty for a station the hub has never known. */
    public Optional<Presence> presence(String stationId) {
        return presence.presence(stationId);
    }

    public boolean isConnected(String stationId) {
        return endpoints.isConnected(stationId);
    }

    /**
     * Keeps {@code config} (a firmware-config station configuration with its {@code "version"}) as the station's
     * retained {@code .../config} and sends it now if the station is subscribed. Completes with true when the
     * station acknowledged it, false when it will get it on its next subscription instead. Kept in memory: the
     * caller sets it again after a hub start.
     */
    public Future<Boolean> publishConfig(String stationId, JsonObject config) {
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

    /** Breaks the construction cycle between the dispatcher and the endpoints. */
    private static final class CommandChannelRef implements org.yizhan.hub.commands.CommandChannel {
        StationEndpoints target;

        @Override
        public Future<Boolean> deliver(String stationId, org.yizhan.protocol.Command command) {
            return target.deliver(stationId, command);
        }
    }
}
