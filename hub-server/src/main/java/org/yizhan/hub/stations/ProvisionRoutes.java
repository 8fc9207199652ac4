package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.ClientAddress;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.RateLimiter;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/provision}: a new kiosk trades its claim code for its MQTT credentials and configuration.
 * The code is the only secret, so failed attempts are limited per client address (429 with Retry-After), and
 * the answer never tells whether a station exists. Each success issues a new station secret that replaces the
 * old one.
 */
public final class ProvisionRoutes implements HubFeature {

    public static final int KEEP_ALIVE_SECONDS = 30;

    /**
     * How stations reach the hub: its public base URL and MQTT host (blank: as the kiosk reached this call) and
     * whether MQTT uses TLS, and the CA (PEM) stations are to verify the hub's certificate with (empty: their
     * system trust store).
     */
    public record Published(String publicHttpUrl, String publicMqttHost, boolean mqttTls, Optional<String> caPem) {
        public Published(String publicHttpUrl, String publicMqttHost, boolean mqttTls) {
            this(publicHttpUrl, publicMqttHost, mqttTls, Optional.empty());
        }

        public Published withCaPem(Optional<String> pem) {
            return new Published(publicHttpUrl, publicMqttHost, mqttTls, pem);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProvisionRoutes.class);

    private final Vertx vertx;
    private final Published published;
    private final IntSupplier mqttPort;
    private final StationStore stations;
    private final Replies replies;
    private final HubMetrics metrics;
    private final RateLimiter failures;
    private Supplier<List<StationConfig.HubKey>> hubKeys = List::of;
    private Function<String, Optional<String>> entryKeys = id -> Optional.empty();
    private String updateKeys = "";
    private Function<String, Future<JsonObject>> settings = id -> Future.succeededFuture(new JsonObject());
    private BiFunction<String, String, Future<Void>> credentials = (id, secret) -> Future.succeededFuture();
    private HubAddress address;

    public ProvisionRoutes(Vertx vertx, Published published, IntSupplier mqttPort, StationStore stations,
                           Replies replies, HubMetrics metrics, int attemptsPerMinute) {
        this.vertx = vertx;
        this.published = published;
        this.mqttPort = mqttPort;
        this.stations = stations;
        this.replies = replies;
        this.metrics = metrics;
        this.failures = new RateLimiter(attemptsPerMinute);
        this.address = new HubAddress(published.publicHttpUrl(), Optional.empty());
    }

    /** Where stations reach this hub, and the union CA a kiosk fetches at {@code /api/v1/provision/ca.pem}. */
    public ProvisionRoutes address(HubAddress address) {
        this.address = address;
        return this;
    }

    @Override
    public void mount(Router router) {
        router.post("/api/v1/provision").handler(replies.json(this::provision));
        // public like any CA certificate: a kiosk that read a pinned claim QR checks it against the pin, then trusts it
        router.get("/api/v1/provision/ca.pem").handler(ctx -> address.caPem().ifPresentOrElse(
                pem -> ctx.response().putHeader("Content-Type", "application/x-pem-file").end(pem),
                () -> replies.fail(ctx, ApiException.of(404, "no-ca",
                        "This hub's certificate is not from a CA of its own (no tls-ca)"))));
    }

    /** Where the hub's current pass-signing public keys come from, for the configuration handed out. */
    public ProvisionRoutes hubKeys(Supplier<List<StationConfig.HubKey>> keys) {
        this.hubKeys = keys;
        return this;
    }

    /** Where a station's scan-to-enter key (base64, a secret) comes from, for the configuration handed out. */
    public ProvisionRoutes entryKeys(Function<String, Optional<String>> keys) {
        this.entryKeys = keys;
        return this;
    }

    /**
     * The union's release public keys (PEM) that agent updates must be signed with; handed out for the station to
     * pin (as {@code "updateKeys"}), so that no later configuration from the hub can change them.
     */
    public ProvisionRoutes updateKeys(String pem) {
        this.updateKeys = pem;
        return this;
    }

    /** Where a station's technician-pushed {@link ConfigSettings} come from, for the configuration handed out. */
    public ProvisionRoutes settings(Function<String, Future<JsonObject>> source) {
        this.settings = source;
        return this;
    }

    /**
     * What must hold the station's new secret before it is handed out (the broker's station account in broker
     * mode). When it fails the claim code stays unused and the kiosk is told to try again (503).
     */
    public ProvisionRoutes credentials(BiFunction<String, String, Future<Void>> store) {
        this.credentials = store;
        return this;
    }

    private Future<Reply> provision(RoutingContext ctx) {
        String key = ClientAddress.of(ctx);
        Optional<ApiException> limited = failures.refusal(System.currentTimeMillis(), key);
        if (limited.isPresent()) {
            return refuse(key, "rate-limited", limited.get());
        }
        failures.record(key, System.currentTimeMillis());
        String code;
        try {
            String typed = JsonBody.of(ctx).string("claimCode", 1, 64);
            code = ClaimCodes.normalize(typed).orElseThrow(() -> ApiException.badField("claimCode",
                    "a claim code has 10 letters and digits, like ABCDE-23456"));
        } catch (ApiException e) {
            return refuse(key, "malformed", e);
        }
        String hubUrl = hubUrl(ctx);
        String mqttHost = published.publicMqttHost().isBlank() ? requestHost(ctx) : published.publicMqttHost();
        return stations.lookupClaim(code).compose(found -> switch (found.state()) {
            case UNKNOWN -> refuse(key, "unknown", ApiException.of(404, "claim-code-unknown",
                    "This claim code is not known; check it, or ask for a new one"));
            case USED -> refuse(key, "used", ApiException.of(410, "claim-code-used",
                    "This claim code has been used already; ask for a new one"));
            case EXPIRED -> refuse(key, "expired", ApiException.of(410, "claim-code-expired",
                    "This claim code has expired; ask for a new one"));
            case VALID -> issue(key, code, found.station().orElseThrow(), hubUrl, mqttHost);
        });
    }

    private Future<Reply> issue(String key, String code, Station s, String hubUrl, String mqttHost) {
        String secret = StationSecrets.newSecret();
        // this hub acknowledges events on .../events/ack (contract 1.1): the station deletes outbox rows on that
        StationConfig.Mqtt plain = new StationConfig.Mqtt(mqttHost, mqttPort.getAsInt(), published.mqttTls(), s.id(),
                secret, KEEP_ALIVE_SECONDS).withEventAcks(true);
        StationConfig.Mqtt mqtt = published.caPem().map(plain::withCaPem).orElse(plain);
        StationConfig.Access withKeys = StationConfig.Access.DEFAULTS.withHubKeys(hubKeys.get());
        StationConfig.Access access = entryKeys.apply(s.id()).map(withKeys::withEntryKey).orElse(withKeys);
        return settings.apply(s.id()).compose(pushed -> vertx.executeBlocking(() -> {
            JsonObject json = StationConfig.defaults(s.id(), s.name(), hubUrl, mqtt, s.profile(), s.ports(),
                    s.capacity(), s.heartbeatSeconds(), s.telemetrySeconds()).withAccess(access).toJson()
                    .put("version", s.configVersion());
            return StationConfig.parse(ConfigSettings.apply(json, pushed)).toJson();
        }, false)).compose(cfg -> credentials.apply(s.id(), secret).recover(err -> {
            LOG.warn("Station {} not provisioned: its broker account could not be set: {}", s.id(), err.getMessage());
            return refuse(key, "broker", ApiException.of(503, "broker-unavailable",
                    "The MQTT broker could not take the station's credentials; try again shortly")).<Void>mapEmpty();
        }).map(v -> cfg)).compose(cfg -> stations.redeemClaim(code, s.id(), StationSecrets.hash(secret)).compose(ok -> {
            if (!ok) {
                return refuse(key, "used", ApiException.of(410, "claim-code-used",
                        "This claim code has been used already; ask for a new one"));
            }
            failures.forgive(key);
            metrics.counter("yizhan_provisioned");
            LOG.info("Station {} provisioned; MQTT {}:{}", s.id(), mqtt.host(), mqtt.port());
            JsonObject link = new JsonObject().put("host", mqtt.host()).put("port", mqtt.port())
                    .put("tls", mqtt.tls()).put("username", s.id()).put("password", secret);
            mqtt.caPem().ifPresent(pem -> link.put("caPem", pem));
            JsonObject answer = new JsonObject().put("stationId", s.id()).put("mqtt", link).put("config", cfg);
            if (!updateKeys.isEmpty()) {
                answer.put("updateKeys", updateKeys);
            }
            return Future.succeededFuture(Reply.ok(answer));
        }));
    }

    /** The attempt was counted when it came in; it stays counted. */
    private Future<Reply> refuse(String key, String reason, ApiException e) {
        metrics.counter("yizhan_provision_rejects", "reason", reason);
        return Future.failedFuture(e);
    }

    private String hubUrl(RoutingContext ctx) {
        return address.hubUrl(ctx);
    }

    private static String requestHost(RoutingContext ctx) {
        HostAndPort a = ctx.request().authority();
        String h = a == null ? ctx.request().localAddress().host() : a.host();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

}
