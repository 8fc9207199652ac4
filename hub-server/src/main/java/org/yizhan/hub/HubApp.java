package org.yizhan.hub;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.config.ConfigException;
import org.yizhan.hub.alerts.AlertRoutes;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.alerts.EventAlerts;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.audit.AuditRoutes;
import org.yizhan.hub.auth.AdminPasswordFile;
import org.yizhan.hub.auth.AuthRoutes;
import org.yizhan.hub.auth.MemberLogin;
import org.yizhan.hub.auth.MemberTokenRoutes;
import org.yizhan.hub.auth.Passwords;
import org.yizhan.hub.auth.StaffSessions;
import org.yizhan.hub.auth.Tokens;
import org.yizhan.hub.auth.UserStore;
import org.yizhan.hub.backup.BackupRoutes;
import org.yizhan.hub.broker.BrokerSettings;
import org.yizhan.hub.broker.BrokerHooks;
import org.yizhan.hub.broker.RetireRoutes;
import org.yizhan.hub.charging.ChargingRoutes;
import org.yizhan.hub.charging.ChargingStore;
import org.yizhan.hub.charging.RiderChargingRoutes;
import org.yizhan.hub.charging.SessionRecorder;
import org.yizhan.hub.commands.CommandRoutes;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Secrets;
import org.yizhan.hub.deadletter.DeadLetterRoutes;
import org.yizhan.hub.deadletter.DeadLetterStore;
import org.yizhan.hub.entry.EntryKeys;
import org.yizhan.hub.entry.EntryRoutes;
import org.yizhan.hub.events.EventRoutes;
import org.yizhan.hub.events.EventStore;
import org.yizhan.hub.face.FaceConsentCatchUp;
import org.yizhan.hub.face.FaceConsentStore;
import org.yizhan.hub.face.FaceEnrolments;
import org.yizhan.hub.face.FaceFanout;
import org.yizhan.hub.face.FaceRoutes;
import org.yizhan.hub.face.TemplateKey;
import org.yizhan.hub.face.TemplatesAtRest;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.stations.MobileStations;
import org.yizhan.hub.updates.UpdateRoutes;
import org.yizhan.hub.updates.UpdateStore;
import org.yizhan.hub.feedback.FeedbackRoutes;
import org.yizhan.hub.feedback.FeedbackStore;
import org.yizhan.hub.feedback.OverdueFeedback;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.HttpApi;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.live.LiveStream;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.members.JoinCodes;
import org.yizhan.hub.members.JoinPolicy;
import org.yizhan.hub.members.JoinSettings;
import org.yizhan.hub.members.MemberRoutes;
import org.yizhan.hub.members.MemberStore;
import org.yizhan.hub.metrics.EventLoopDelay;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.mqtt.MqttIngest;
import org.yizhan.hub.notify.NotifyRoutes;
import org.yizhan.hub.notify.NotifyStore;
import org.yizhan.hub.notify.Notifier;
import org.yizhan.hub.notify.Senders;
import org.yizhan.hub.sms.HttpWebhookSmsGateway;
import org.yizhan.hub.sms.SmsGateway;
import org.yizhan.hub.stations.StationAuth;
import org.yizhan.hub.passes.PassKeyring;
import org.yizhan.hub.passes.PassRoutes;
import org.yizhan.hub.passes.RevocationSync;
import org.yizhan.hub.scorecard.ScorecardRoutes;
import org.yizhan.hub.scorecard.ScorecardStore;
import org.yizhan.hub.stations.ConfigRoutes;
import org.yizhan.hub.stations.ConfigVersions;
import org.yizhan.hub.stations.DemoStations;
import org.yizhan.hub.stations.DesiredConfig;
import org.yizhan.hub.stations.HistoryRoutes;
import org.yizhan.hub.stations.DistrictRoutes;
import org.yizhan.hub.stations.ImportRoutes;
import org.yizhan.hub.stations.PageSettingsRoutes;
import org.yizhan.hub.stations.ProfilePorts;
import org.yizhan.hub.stations.HubAddress;
import org.yizhan.hub.stations.ProvisionRoutes;
import org.yizhan.hub.stations.PublicStationRoutes;
import org.yizhan.hub.stations.Station;
import org.yizhan.hub.stations.StationRoutes;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.hub.timeseries.TimeSeriesSettings;
import org.yizhan.hub.timeseries.TimeSeries;
import org.yizhan.hub.tls.HubTls;
import org.yizhan.hub.timeseries.TimeSeriesRoutes;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The whole hub in one process, wired: registry database, time series, the MQTT endpoint for stations, the
 * features (each its routes, effects on ingested events, and start/stop) and the HTTP API with the web pages.
 * Start order: data directory, database, time series, stores and accounts, MQTT, features, HTTP; then
 * {@code dataDir/ports.json}. {@link #stop()} undoes it in reverse and is safe after a failed or partial start.
 */
public final class HubApp {

    private static final Logger LOG = LoggerFactory.getLogger(HubApp.class);
    /** Scan-to-enter attempts a member may make per minute. */
    private static final int ENTRIES_PER_MEMBER_PER_MINUTE = 10;
    /** A join code the SMS gateway did not take at once is sent once more. */
    private static final int SMS_RETRIES = 1;
    /** "Charge at port N" requests a member may make per minute. */
    private static final int CHARGE_STARTS_PER_MEMBER_PER_MINUTE = 6;
    /** Feedback a client address may send per minute (riders behind one carrier NAT share an address). */
    private static final int FEEDBACK_PER_ADDRESS_PER_MINUTE = 10;
    /** How long a group robot or SMTP server may take to take a notification. */
    private static final long NOTIFY_TIMEOUT_MS = 15_000;
    /** How often the TLS certificate and key files are checked for a change. */
    private static final long TLS_POLL_MS = 3_000;
    /** How often a hub checks whether the pass signing key is due for rotation. */
    private static final long KEY_ROTATION_CHECK_MILLIS = 3_600_000;
    /** How often a hub reads the pass keys again, to learn of a rotation another hub made. */
    static final long KEY_RELOAD_MILLIS = 10_000;

    private final Vertx vertx;
    private final HubConfig config;
    private final HubMetrics metrics;
    private final StationLive live = new StationLive();
    private final Replies replies;
    private final EventLoopDelay loopDelay;

    private Database db;
    private WorkerExecutor hashing;
    private TimeSeries timeSeries;
    private StationStore stations;
    private MqttIngest mqtt;
    private HttpApi http;
    private Optional<HubTls> tls = Optional.empty();
    /** The CA stations are handed to verify their MQTT server: the broker's in broker mode, else {@code tls-ca}. */
    private Optional<String> stationCa = Optional.empty();
    private List<HubFeature> features = List.of();
    private Optional<Path> generatedAdminPasswordFile = Optional.empty();
    private List<DemoStations.Demo> demoStations = List.of();
    private PassKeyring passKeys;
    private final List<Long> keyTimers = new java.util.ArrayList<>();

    public HubApp(Vertx vertx, HubConfig config) {
        this(vertx, config, new HubMetrics());
    }

    /**
     * A hub reporting into {@code metrics}: the registry that {@code vertx} was made to report into
     * ({@link org.yizhan.hub.metrics.HubVertx}), so Vert.x's meters and the hub's share {@code GET /metrics}.
     */
    public HubApp(Vertx vertx, HubConfig config, HubMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.replies = new Replies(metrics);
        this.loopDelay = new EventLoopDelay(vertx, metrics);
    }

    /** Starts everything; completes when both servers are bound and ports.json is written. */
    public Future<Void> start() {
        Path dataDir = config.dataDir().toAbsolutePath();
        LOG.info("Starting hub with {}", config);
        metrics.bindJvm();
        loopDelay.start();
        return vertx.executeBlocking(() -> Files.createDirectories(dataDir), false)
                .compose(d -> config.hasTls()
                        ? HubTls.load(vertx, Path.of(config.tlsCert()), Path.of(config.tlsKey()),
                                Optional.of(config.tlsCa()).filter(c -> !c.isEmpty()).map(Path::of))
                                .map(t -> {
                                    tls = Optional.of(t);
                                    return d;
                                })
                        : Future.succeededFuture(d))
                .compose(d -> vertx.executeBlocking(() -> {
                    // behind a broker, stations verify the broker's certificate, not the hub's
                    Optional<Path> brokerCa = config.broker().flatMap(BrokerSettings::ca);
                    stationCa = brokerCa.isPresent()
                            ? Optional.of(Files.readString(brokerCa.get(), StandardCharsets.US_ASCII))
                            : tls.flatMap(HubTls::caPem);
                    return d;
                }, false))
                .compose(d -> Database.open(vertx, dataDir, config.dbUrl(), config.dbUser(), config.dbPassword()))
                .compose(database -> {
                    db = database;
                    replies.durableWith(db::durable);
                    return TimeSeries.open(vertx, dataDir, metrics, config.timeSeries(), config.questdbHttpPort());
                })
                .compose(ts -> {
                    timeSeries = ts;
                    stations = new StationStore(db);
                    hashing = vertx.createSharedWorkerExecutor("yizhan-auth", 2);
                    if (config.passwordIterations() < Passwords.OWASP_ITERATIONS) {
                        LOG.warn("password-iterations is {}, below OWASP's {} for PBKDF2-HMAC-SHA256: passwords set "
                                + "on this hub are weaker than they should be", config.passwordIterations(),
                                Passwords.OWASP_ITERATIONS);
                    }
                    UserStore users = new UserStore(db, hashing, config.passwordIterations());
                    Secrets secrets = new Secrets(db);
                    // created once in the registry, so every hub on it signs and checks with the same keys
                    Path faceKeyFile = TemplateKey.locate(config.faceKeyFile(), dataDir, System.getenv());
                    return Future.all(List.of(Tokens.load(vertx, secrets, dataDir), ProfilePorts.load(vertx),
                            users.ensureAdmin(config.adminPassword()), PassKeyring.load(db, dataDir),
                            EntryKeys.load(secrets, dataDir),
                            vertx.executeBlocking(() -> TemplateKey.loadOrCreate(faceKeyFile), false))).compose(all -> {
                        Optional<String> generated = all.resultAt(2);
                        Future<Void> handedOver = generated.isEmpty() ? Future.succeededFuture()
                                : vertx.executeBlocking(() -> {
                                    generatedAdminPasswordFile = Optional.of(
                                            AdminPasswordFile.write(dataDir, generated.get()));
                                    return null;
                                }, false);
                        LOG.info("Face templates at rest are sealed with the key in {}", faceKeyFile);
                        return handedOver.compose(v -> startServers(users, all.resultAt(0), all.resultAt(1),
                                all.resultAt(3), all.resultAt(4), all.resultAt(5)));
                    });
                })
                .compose(v -> config.demoStations() > 0
                        ? new DemoStations(stations).ensure(config.demoStations()).map(list -> {
                            demoStations = List.copyOf(list);
                            return (Void) null;
                        })
                        : Future.succeededFuture())
                .compose(v -> writePorts(dataDir))
                .onSuccess(v -> tls.ifPresent(t -> t.watch(TLS_POLL_MS)))
                .onSuccess(v -> LOG.info("Hub ready: HTTP port {}, MQTT port {}, data in {}", httpPort(), mqttPort(), dataDir))
                .onSuccess(v -> adviseHeap())
                .recover(e -> {
                    LOG.error("Hub failed to start: {}", e.getMessage());
                    return stop().transform(x -> Future.failedFuture(e));
                });
    }

    private Future<Void> startServers(UserStore users, Tokens tokens, Map<String, Integer> portsPerProfile,
                                      PassKeyring passKeys, EntryKeys entryKeys, TemplateKey faceKey) {
        EventStore events = new EventStore(db);
        AlertStore alerts = new AlertStore(db);
        DeadLetterStore deadLetters = new DeadLetterStore(db);
        CommandStore commands = new CommandStore(db);
        ChargingStore charging = new ChargingStore(db);
        mqtt = new MqttIngest(vertx, config.mqttEndpoint(), db, metrics, live, timeSeries, events, alerts, deadLetters,
                commands);
        if (config.mqttTls()) {
            tls.ifPresent(t -> mqtt.tls(t.keyCertOptions()));
        }
        Optional<String> publicHubUrl = Optional.of(config.publicHttpUrl()).filter(u -> !u.isBlank());
        // the CA of the hub's own HTTPS certificate, pinned in claim QRs (not the broker's: kiosks claim over HTTP)
        HubAddress address = new HubAddress(config.publicHttpUrl(), tls.flatMap(HubTls::caPem));
        ConfigVersions configVersions = new ConfigVersions(db);
        Function<String, Future<Optional<JsonObject>>> desiredConfig = id -> Future.all(stations.get(id),
                configVersions.currentSettings(id)).compose(both -> {
            Optional<Station> found = both.resultAt(0);
            if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            try {
                // the station's own retained topic, which only this station may read, carries its entry key
                return Future.succeededFuture(Optional.of(DesiredConfig.of(found.get(), publicHubUrl,
                        passKeys.published(), both.resultAt(1), Optional.of(entryKeys.keyFor(id)))));
            } catch (ConfigException e) {
                return Future.failedFuture(new IllegalStateException(e.getMessage(), e));
            }
        });
        mqtt.configSource(desiredConfig);

        StaffSessions sessions = new StaffSessions(tokens, db);
        Authenticator auth = new Authenticator(sessions::verify, replies);
        AuditLog audit = new AuditLog(db, metrics);
        MemberStore members = new MemberStore(db, Duration.ofDays(config.memberTokenDays()));
        MemberLogin memberLogin = new MemberLogin(members, replies);
        RevocationSync revocations = new RevocationSync(vertx, db, members, stations, commands, mqtt::isConnected);
        FaceEnrolments faceEnrolments = new FaceEnrolments(passKeys::published, metrics);
        FaceConsentStore faceConsents = new FaceConsentStore(db, faceKey, faceEnrolments);
        UpdateRoutes updates = new UpdateRoutes(vertx, new UpdateStore(db), commands, stations, new StationAuth(db),
                auth, replies, audit, config.releaseKeys(), config.dataDir());
        mqtt.births(updates::birth);
        MobileStations mobile = new MobileStations(vertx, db, auth, audit);
        mqtt.positions(mobile::position);
        NotifyStore notifications = new NotifyStore(db);
        FeedbackStore feedback = new FeedbackStore(db);
        Senders notifySenders = new Senders(vertx, NOTIFY_TIMEOUT_MS);
        features = List.of(
                new AuthRoutes(users, sessions, auth, replies, metrics, config.loginFreeFailures(), audit),
                new AuditRoutes(audit, auth),
                new MemberTokenRoutes(members, memberLogin, replies, metrics),
                new PageSettingsRoutes(config.mapTileUrl(), config.mapTileAttribution(), config.mapTileCoords(),
                        config.mapTileSubdomains(), auth),
                new StationRoutes(vertx, stations, alerts, live, mqtt::presence, portsPerProfile, auth, replies, charging)
                        .address(address),
                new ImportRoutes(stations, portsPerProfile, auth, replies),
                new DistrictRoutes(stations, auth, audit),
                new ConfigRoutes(stations, configVersions, events, live, desiredConfig, mqtt::publishConfig, auth,
                        audit),
                new ProvisionRoutes(vertx, config.published().withCaPem(stationCa), mqtt::stationPort, stations, replies, metrics,
                        config.provisionAttemptsPerMinute())
                        .credentials(mqtt.brokerAccounts().<java.util.function.BiFunction<String, String, Future<Void>>>map(
                                a -> a::provision).orElse((id, secret) -> Future.succeededFuture()))
                        .hubKeys(passKeys::published).entryKeys(id -> Optional.of(entryKeys.keyFor(id)))
                        .settings(configVersions::currentSettings)
                        .updateKeys(UpdateRoutes.pem(config.releaseKeys())).address(address),
                new PublicStationRoutes(stations, live, mqtt::presence, replies),
                new HistoryRoutes(stations, timeSeries, auth),
                new TimeSeriesRoutes(this::timeSeries, auth),
                new CommandRoutes(stations, commands, auth, audit),
                new ChargingRoutes(charging, auth),
                new EventRoutes(events, auth),
                new AlertRoutes(vertx, alerts, auth),
                new NotifyRoutes(notifications, notifySenders, Clock.systemUTC(), auth, audit),
                new DeadLetterRoutes(deadLetters, auth),
                new BackupRoutes(vertx, db, config.dataDir(), config.dbUrl().isEmpty(), auth, replies),
                new PassRoutes(vertx, passKeys, members, memberLogin, auth, replies, audit),
                new MemberRoutes(members, auth, replies, metrics, config.provisionAttemptsPerMinute(),
                        m -> revocations.pushToConnected(), audit)
                        .joining(config.joining().policy(), new JoinCodes(db), smsGateway()),
                new EntryRoutes(entryKeys, EntryRoutes.unlocks(stations, commands, mqtt::isConnected, metrics,
                        ENTRIES_PER_MEMBER_PER_MINUTE), memberLogin, replies),
                new RiderChargingRoutes(RiderChargingRoutes.starts(stations, commands, mqtt::isConnected, metrics,
                        CHARGE_STARTS_PER_MEMBER_PER_MINUTE), charging, memberLogin, replies),
                new FaceRoutes(faceConsents, new FaceFanout(stations, commands), memberLogin, new StationAuth(db),
                        replies, metrics),
                new FeedbackRoutes(vertx, feedback, stations, memberLogin, auth, replies, metrics,
                        FEEDBACK_PER_ADDRESS_PER_MINUTE),
                new OverdueFeedback(vertx, feedback, db, Clock.systemUTC()),
                new ScorecardRoutes(new ScorecardStore(db, charging), auth, replies),
                new LiveStream(vertx, auth, metrics),
                new SessionRecorder(metrics),
                new EventAlerts(db),
                new Notifier(vertx, notifications, notifySenders, Clock.systemUTC(), metrics),
                revocations,
                new FaceConsentCatchUp(vertx, faceConsents, commands),
                faceEnrolments,
                new TemplatesAtRest(faceConsents),
                new RetireRoutes(db, mqtt.brokerAccounts(), auth, audit),
                updates,
                mobile);
        if (config.broker().isPresent() && config.mqttBrokerHookToken().isPresent()) {
            List<HubFeature> withHooks = new java.util.ArrayList<>(features);
            withHooks.add(new BrokerHooks(new StationAuth(db), config.mqttBrokerHookToken().get(), replies, metrics));
            features = List.copyOf(withHooks);
        }
        features.stream().map(HubFeature::effects).filter(e -> e != EventEffects.NONE).forEach(mqtt::register);
        http = new HttpApi(vertx, config.httpHost(), config.httpPort(), metrics, replies,
                config.mapTileOrigins(), features)
                .trustedProxies(config.trustedProxies())
                .metricsAccess(config.metricsToken(), config.metricsAllow())
                .readiness(Readiness.checks(vertx, db, timeSeries, this::mqttPort));
        if (config.httpTls()) {
            tls.ifPresent(t -> http.tls(t.keyCertOptions()));
        }
        Future<Void> started = mqtt.start();
        for (HubFeature f : features) {
            started = started.compose(v -> f.start());
        }
        this.passKeys = passKeys;
        return started.compose(v -> http.start()).compose(v -> startKeyRotation(passKeys, desiredConfig));
    }

    /** The SMS gateway for one-time join codes (join-policy sms); one that refuses every message otherwise. */
    private SmsGateway smsGateway() {
        JoinSettings j = config.joining();
        if (j.policy() != JoinPolicy.SMS) {
            return (to, text) -> Future.failedFuture(new SmsGateway.Failed("no SMS gateway (join-policy is "
                    + j.policy().setting() + ")"));
        }
        return new HttpWebhookSmsGateway(vertx, URI.create(j.smsGatewayUrl()), j.smsGatewaySecret().orElseThrow(),
                Duration.ofMillis(j.smsGatewayTimeoutMs()), SMS_RETRIES, metrics);
    }

    /**
     * Checks the pass key schedule now and every {@link #KEY_ROTATION_CHECK_MILLIS}, and reads the keys again every
     * {@link #KEY_RELOAD_MILLIS} (another hub may have rotated them); when they changed, sends the stations
     * connected here their configuration with the new public keys.
     */
    private Future<Void> startKeyRotation(PassKeyring keys, Function<String, Future<Optional<JsonObject>>> desired) {
        long rotation = config.passKeyRotationMillis();
        Runnable check = () -> keys.rotateIfDue(System.currentTimeMillis(), rotation, PassKeyring.leadFor(rotation))
                .onFailure(e -> LOG.warn("Pass key rotation check failed: {}", e.getMessage()))
                .onSuccess(changed -> {
                    if (changed) {
                        pushConfigs(desired);
                    }
                });
        keyTimers.add(vertx.setPeriodic(KEY_ROTATION_CHECK_MILLIS, t -> check.run()));
        keyTimers.add(vertx.setPeriodic(KEY_RELOAD_MILLIS, t -> keys.reload()
                .onFailure(e -> LOG.warn("Reading the pass keys failed: {}", e.getMessage()))
                .onSuccess(changed -> {
                    if (changed) {
                        pushConfigs(desired);
                    }
                })));
        check.run();
        return Future.succeededFuture();
    }

    /** Says in the log when the JVM's maximum heap is too small for the stations the registry holds. */
    private void adviseHeap() {
        stations.count().onSuccess(n -> {
            long max = Runtime.getRuntime().maxMemory();
            HeapAdvice.warning(n, !config.mqttMode().equals(HubConfig.MODE_BROKER),
                            config.timeSeries().engine() == TimeSeriesSettings.Engine.EMBEDDED, max)
                    .ifPresentOrElse(LOG::warn, () -> LOG.info("Heap: at most {} MiB, enough for the {} stations "
                            + "in the registry", max / HeapAdvice.MIB, n));
        }).onFailure(e -> LOG.warn("Counting the stations for the heap advice failed: {}", e.getMessage()));
    }

    /** Sends every station connected to this hub its configuration as the registry has it now. */
    private void pushConfigs(Function<String, Future<Optional<JsonObject>>> desired) {
        MqttIngest m = mqtt;
        if (m == null) {
            return;
        }
        for (String id : m.connectedStations()) {
            desired.apply(id).compose(cfg -> cfg.isPresent() ? m.publishConfig(id, cfg.get())
                            : Future.succeededFuture(false))
                    .onFailure(e -> LOG.warn("Sending {} its configuration with the new pass keys failed: {}", id,
                            e.getMessage()));
        }
    }

    private Future<Void> writePorts(Path dataDir) {
        JsonObject ports = new JsonObject().put("http", httpPort()).put("mqtt", mqttPort());
        if (mqtt != null) {
            mqtt.actualPlainPort().ifPresent(p -> ports.put("mqttPlain", p));
        }
        String json = ports.encodePrettily();
        return vertx.executeBlocking(() -> {
            Path tmp = dataDir.resolve("ports.json.tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, dataDir.resolve("ports.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            return null;
        }, false);
    }

    /**
     * Reads the TLS certificate and key files again (on SIGHUP; the hub also notices changed files by itself):
     * completes with true when new connections now get a new certificate, false when there is no TLS, the files
     * are unchanged, or the new files were refused (the old certificate keeps serving; the log says why).
     */
    public Future<Boolean> reloadTls() {
        return tls.map(HubTls::reload).orElse(Future.succeededFuture(false));
    }

    /** The hub's TLS (certificate in use, CA handed to stations); empty when it runs without a certificate. */
    public Optional<HubTls> tls() {
        return tls;
    }

    /** Stops the features, HTTP, MQTT, the time series and the database, in that order; each step even if one before failed. */
    public Future<Void> stop() {
        tls.ifPresent(HubTls::stop);
        keyTimers.forEach(vertx::cancelTimer);
        keyTimers.clear();
        Future<Void> f = Future.succeededFuture();
        List<HubFeature> running = features;
        features = List.of();
        for (int i = running.size() - 1; i >= 0; i--) {
            HubFeature feature = running.get(i);
            f = f.eventually(() -> quietly(feature.getClass().getSimpleName(), feature.stop()));
        }
        if (http != null) {
            HttpApi h = http;
            http = null;
            f = f.eventually(() -> quietly("HTTP", h.stop()));
        }
        if (mqtt != null) {
            MqttIngest m = mqtt;
            mqtt = null;
            f = f.eventually(() -> quietly("MQTT", m.stop()));
        }
        if (timeSeries != null) {
            TimeSeries t = timeSeries;
            timeSeries = null;
            f = f.eventually(() -> quietly("time series", t.close()));
        }
        if (hashing != null) {
            WorkerExecutor h = hashing;
            hashing = null;
            f = f.eventually(() -> quietly("password hashing", h.close()));
        }
        if (db != null) {
            Database d = db;
            db = null;
            f = f.eventually(() -> quietly("database", d.close()));
        }
        return f.onComplete(ar -> {
            metrics.unbindJvm();
            loopDelay.stop();
            LOG.info("Hub stopped");
        });
    }

    private static Future<Void> quietly(String what, Future<Void> f) {
        return f.recover(e -> {
            LOG.warn("Stopping {} failed: {}", what, e.getMessage());
            return Future.succeededFuture();
        });
    }

    /** The HTTP routes the running hub answers, {@code "METHOD /path"}; empty before {@link #start()}. */
    public List<String> httpRoutes() {
        HttpApi h = http;
        return h == null ? List.of() : h.routes();
    }

    public int httpPort() {
        return http == null ? -1 : http.actualPort();
    }

    public int mqttPort() {
        return mqtt == null ? -1 : mqtt.actualPort();
    }

    public HubConfig config() {
        return config;
    }

    public Database database() {
        return db;
    }

    public HubMetrics metrics() {
        return metrics;
    }

    public StationLive live() {
        return live;
    }

    public TimeSeries timeSeries() {
        return timeSeries;
    }

    public MqttIngest mqtt() {
        return mqtt;
    }

    /** The pass signing keys (shared through the registry). */
    public PassKeyring passKeys() {
        return passKeys;
    }

    /**
     * The file holding the first admin's password when this start generated it (readable by the hub's user only;
     * the caller tells the operator where it is); empty otherwise.
     */
    public Optional<Path> generatedAdminPasswordFile() {
        return generatedAdminPasswordFile;
    }

    /** The demo stations when {@code demo-stations} > 0, with claim codes for those not yet provisioned. */
    public List<DemoStations.Demo> demoStations() {
        return demoStations;
    }
}
