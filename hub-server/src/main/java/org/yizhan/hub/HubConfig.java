package org.yizhan.hub;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.auth.Passwords;
import org.yizhan.hub.broker.BrokerSettings;
import org.yizhan.hub.http.IpRanges;
import org.yizhan.hub.members.JoinPolicy;
import org.yizhan.hub.members.JoinSettings;
import org.yizhan.hub.mqtt.ConnectLimits;
import org.yizhan.hub.mqtt.MqttIngest;
import org.yizhan.hub.stations.ProvisionRoutes;
import org.yizhan.hub.tls.TlsCredentials;
import org.yizhan.hub.timeseries.DeadBands;
import org.yizhan.hub.timeseries.TimeSeriesSettings;
import org.yizhan.protocol.Limits;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Settings of the hub. Read from an optional JSON file with lower-case dash-separated keys
 * ({@code "http-port": 8080}); environment variables {@code YIZHAN_HTTP_PORT} and so on override the file.
 * Port 0 means "pick a free port"; the bound ports are written to {@code data-dir/ports.json}.
 */
public record HubConfig(
        String httpHost,
        int httpPort,
        String mqttHost,
        int mqttPort,
        String publicMqttHost,
        String publicHttpUrl,
        boolean mqttTls,
        Path dataDir,
        Optional<String> adminPassword,
        int mqttMaxMessageBytes,
        int mqttKeepAliveMaxSeconds,
        int loginFreeFailures,
        int provisionAttemptsPerMinute,
        int startupGraceSeconds,
        int questdbHttpPort,
        int demoStations,
        String mapTileUrl,
        String mapTileAttribution,
        String dbUrl,
        String dbUser,
        Optional<String> dbPassword,
        String tlsCert,
        String tlsKey,
        String tlsCa,
        boolean httpTls,
        OptionalInt mqttPlainPort,
        TimeSeriesSettings timeSeries,
        // shared state for several hubs on one registry, proxies, health and metrics
        IpRanges trustedProxies,
        Optional<String> metricsToken,
        IpRanges metricsAllow,
        int passKeyRotationDays,
        // broker mode: the hub replicas as clients of an MQTT broker
        String mqttMode,
        String mqttBrokerUrl,
        String mqttBrokerUsername,
        Optional<String> mqttBrokerPassword,
        String mqttBrokerCa,
        String mqttSharedGroup,
        boolean mqttBrokerDynsec,
        Optional<String> mqttBrokerHookToken,
        // logins: staff password hashing, member tokens
        int passwordIterations,
        int memberTokenDays,
        // joining: policy and SMS gateway
        JoinSettings joining,
        // the key that seals face templates at rest; empty: beside the data directory, never in it
        String faceKeyFile,
        // the MQTT endpoint before CONNECT: how long, and how many attempts per source address
        ConnectLimits mqttConnectLimits,
        // agent updates: the release keys (PEM) whose signature uploaded updates must carry; empty: no updates
        String updateKeys,
        // the map: which datum the tiles are drawn in (wgs84, or gcj02 for Amap/Gaode), and {s} subdomains
        String mapTileCoords,
        String mapTileSubdomains) {

    /** Names of the settings: file key, and the environment variable that overrides it. */
    private static final List<String> KEYS = List.of("http-host", "http-port", "mqtt-host", "mqtt-port",
            "public-mqtt-host", "public-http-url", "mqtt-tls", "data-dir", "admin-password", "mqtt-max-message-bytes",
            "mqtt-keep-alive-max-seconds", "login-free-failures", "provision-attempts-per-minute",
            "startup-grace-seconds", "questdb-http-port", "demo-stations", "map-tile-url", "map-tile-attribution",
            "db-url", "db-user", "db-password",
            "tls-cert", "tls-key", "tls-ca", "http-tls", "mqtt-plain-port",
            // time series on a server (engine, where, credentials), its disk buffer and retention
            "ts-engine", "ts-url", "ts-token", "ts-org", "ts-bucket", "ts-buffer-max-bytes", "ts-retention-days",
            // which telemetry readings are written: unchanged ones are thinned
            "ts-unchanged-write-seconds", "ts-deadband-power-w", "ts-deadband-energy-wh", "ts-deadband-temp-c",
            "ts-deadband-humidity",
            // shared state for several hubs on one registry, proxies, health and metrics
            "trusted-proxies", "metrics-token", "metrics-allow", "pass-key-rotation-days",
            // broker mode: the hub replicas as clients of an MQTT broker
            "mqtt-mode", "mqtt-broker-url", "mqtt-broker-username", "mqtt-broker-password", "mqtt-broker-ca",
            "mqtt-shared-group", "mqtt-broker-dynsec", "mqtt-broker-hook-token",
            // logins: staff password hashing, member tokens
            "password-iterations", "member-token-days",
            // joining: policy and the SMS gateway's webhook for one-time codes
            "join-policy", "sms-gateway-url", "sms-gateway-secret", "sms-gateway-timeout-ms",
            // face templates at rest
            "face-key-file",
            // the MQTT endpoint before CONNECT: how long, and how many attempts per source address
            "mqtt-connect-timeout-seconds", "mqtt-connects-per-second-per-address", "mqtt-connect-burst-per-address",
            "mqtt-connect-limit-exempt",
            // agent updates: the union's release public keys
            "update-keys",
            // the map's tiles: datum and subdomains
            "map-tile-coords", "map-tile-subdomains");

    /** Settings older hubs knew that no longer apply: accepted, with a warning, so an old file still starts. */
    private static final Map<String, String> OBSOLETE = Map.of("login-attempts-per-minute",
            "logins are limited with growing delays now; see login-free-failures");

    private static final Logger LOG = LoggerFactory.getLogger(HubConfig.class);

    public static final String MODE_EMBEDDED = "embedded";
    public static final String MODE_BROKER = "broker";

    /** The MQTT port when {@code mqtt-tls} is on and no {@code mqtt-port} is set (MQTT over TLS, IANA). */
    public static final int MQTT_TLS_PORT = 8883;

    /** Shortest {@code metrics-token} accepted. */
    static final int MIN_METRICS_TOKEN = 16;

    /** Longest map tile URL template and attribution text accepted. */
    static final int MAX_TILE_URL = 512;
    static final int MAX_ATTRIBUTION = 200;

    public static String envName(String key) {
        return "YIZHAN_" + key.toUpperCase().replace('-', '_');
    }

    /**
     * The smallest MQTT packet the endpoint must take: an events payload of the contract's size
     * ({@link Limits#BATCH_BYTES}) with its topic and packet header. A smaller one would drop the connection of a
     * station sending a batch the contract allows.
     */
    static final int MIN_MQTT_MESSAGE_BYTES = Limits.BATCH_BYTES + 1024;

    /** Defaults for one machine: HTTP 8080, MQTT 1883, data in {@code ./data}. */
    public static HubConfig defaults() {
        return new HubConfig("0.0.0.0", 8080, "0.0.0.0", 1883, "", "", false, Path.of("data"), Optional.empty(),
                MIN_MQTT_MESSAGE_BYTES, 600, 5, 20, 30, 0, 0, "", "", "", "", Optional.empty(),
                "", "", "", false, OptionalInt.empty(),
                TimeSeriesSettings.embedded(),

                IpRanges.none(), Optional.empty(), IpRanges.none(), 90,
                MODE_EMBEDDED, "", "", Optional.empty(), "", BrokerSettings.DEFAULT_GROUP, false, Optional.empty(),
                Passwords.OWASP_ITERATIONS, 180, JoinSettings.open(), "", ConnectLimits.defaults(), "", "wgs84", "");
    }

    /**
     * Loads settings: defaults, then the file (if given), then the environment.
     *
     * @throws IllegalArgumentException naming the setting and why, for unknown keys and bad values
     */
    public static HubConfig load(Optional<Path> file, Map<String, String> env) throws IOException {
        JsonObject merged = new JsonObject();
        if (file.isPresent()) {
            String text = Files.readString(file.get());
            JsonObject fromFile;
            try {
                fromFile = new JsonObject(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file.get() + ": not a JSON object");
            }
            List<String> unknown = new ArrayList<>();
            for (String k : List.copyOf(fromFile.fieldNames())) {
                if (OBSOLETE.containsKey(k)) {
                    LOG.warn("{}: setting {} is no longer used: {}", file.get(), k, OBSOLETE.get(k));
                    fromFile.remove(k);
                } else if (!KEYS.contains(k)) {
                    unknown.add(k);
                }
            }
            if (!unknown.isEmpty()) {
                List<String> shown = unknown.stream().limit(5).map(HubConfig::shorten).toList();
                throw new IllegalArgumentException(file.get() + ": unknown setting(s) " + shown
                        + (unknown.size() > shown.size() ? " and " + (unknown.size() - shown.size()) + " more" : "")
                        + "; known are " + KEYS);
            }
            fromFile.forEach(e -> merged.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
        }
        OBSOLETE.forEach((k, why) -> {
            if (env.containsKey(envName(k))) {
                LOG.warn("{} is no longer used: {}", envName(k), why);
            }
        });
        for (String k : KEYS) {
            String v = env.get(envName(k));
            if (v != null && !v.isBlank()) {
                merged.put(k, v.trim());
            }
        }
        return fromStrings(merged);
    }

    private static HubConfig fromStrings(JsonObject s) {
        HubConfig d = defaults();
        boolean mqttTls = bool(s, "mqtt-tls", d.mqttTls());
        return new HubConfig(
                str(s, "http-host", d.httpHost()),
                port(s, "http-port", d.httpPort()),
                str(s, "mqtt-host", d.mqttHost()),
                port(s, "mqtt-port", mqttTls ? MQTT_TLS_PORT : d.mqttPort()),
                str(s, "public-mqtt-host", d.publicMqttHost()),
                str(s, "public-http-url", d.publicHttpUrl()),
                mqttTls,
                Path.of(str(s, "data-dir", d.dataDir().toString())),
                Optional.ofNullable(s.getString("admin-password")).filter(p -> !p.isBlank()),
                num(s, "mqtt-max-message-bytes", d.mqttMaxMessageBytes(), MIN_MQTT_MESSAGE_BYTES, 16 * 1024 * 1024),
                num(s, "mqtt-keep-alive-max-seconds", d.mqttKeepAliveMaxSeconds(), 5, 3600),
                num(s, "login-free-failures", d.loginFreeFailures(), 1, 1000),
                num(s, "provision-attempts-per-minute", d.provisionAttemptsPerMinute(), 1, 1_000_000),
                num(s, "startup-grace-seconds", d.startupGraceSeconds(), 0, 3600),
                port(s, "questdb-http-port", d.questdbHttpPort()),
                num(s, "demo-stations", d.demoStations(), 0, 1000),
                tileUrl(s, "map-tile-url"),
                attribution(s, "map-tile-attribution"),
                dbUrl(s, "db-url"),
                str(s, "db-user", d.dbUser()).trim(),
                Optional.ofNullable(s.getString("db-password")).filter(p -> !p.isEmpty()),
                str(s, "tls-cert", "").trim(),
                str(s, "tls-key", "").trim(),
                str(s, "tls-ca", "").trim(),
                bool(s, "http-tls", d.httpTls()),
                optionalPort(s, "mqtt-plain-port"),
                timeSeries(s, d.timeSeries()),
                ranges(s, "trusted-proxies"),
                metricsToken(s, "metrics-token"),
                ranges(s, "metrics-allow"),
                num(s, "pass-key-rotation-days", d.passKeyRotationDays(), 1, 3650),
                str(s, "mqtt-mode", d.mqttMode()).trim(),
                str(s, "mqtt-broker-url", "").trim(),
                str(s, "mqtt-broker-username", "").trim(),
                Optional.ofNullable(s.getString("mqtt-broker-password")).filter(p -> !p.isEmpty()),
                str(s, "mqtt-broker-ca", "").trim(),
                str(s, "mqtt-shared-group", d.mqttSharedGroup()).trim(),
                bool(s, "mqtt-broker-dynsec", d.mqttBrokerDynsec()),
                metricsToken(s, "mqtt-broker-hook-token"),
                num(s, "password-iterations", d.passwordIterations(), Passwords.MIN_ITERATIONS, 10_000_000),
                num(s, "member-token-days", d.memberTokenDays(), 1, 3650),
                joining(s),
                str(s, "face-key-file", "").trim(),
                connectLimits(s, d.mqttConnectLimits()),
                str(s, "update-keys", "").trim(),
                str(s, "map-tile-coords", "wgs84").trim().toLowerCase(Locale.ROOT),
                str(s, "map-tile-subdomains", "").trim()).checkBroker().checkTls().checkUpdateKeys().checkTiles();
    }

    /** {@code update-keys}, when set, names a readable PEM file of at least one Ed25519 public key. */
    private HubConfig checkUpdateKeys() {
        if (!updateKeys.isEmpty()) {
            releaseKeys();
        }
        return this;
    }

    /** The release keys of {@code update-keys}; none when it is not set. */
    public List<java.security.PublicKey> releaseKeys() {
        if (updateKeys.isEmpty()) {
            return List.of();
        }
        String where = "update-keys (" + envName("update-keys") + "): " + updateKeys;
        try {
            List<java.security.PublicKey> keys = org.yizhan.protocol.UpdateBundle.publicKeys(
                    Files.readString(Path.of(updateKeys), java.nio.charset.StandardCharsets.US_ASCII));
            if (keys.isEmpty()) {
                throw new IllegalArgumentException(where + " holds no -----BEGIN PUBLIC KEY----- block; make one "
                        + "with: openssl pkey -in release.key -pubout");
            }
            return keys;
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(where + " is not a PEM file of Ed25519 public keys: " + e.getMessage());
        }
    }

    /**
     * TLS settings hang together: {@code mqtt-tls} or {@code http-tls} needs {@code tls-cert} and {@code tls-key},
     * whose files must hold a certificate valid now and its key; {@code tls-ca} a certificate;
     * {@code mqtt-plain-port} is only a second listener beside a TLS one.
     */
    private HubConfig checkTls() {
        if ((mqttTls || httpTls) && (tlsCert.isEmpty() || tlsKey.isEmpty())) {
            throw new IllegalArgumentException((mqttTls ? "mqtt-tls" : "http-tls") + " is on, so tls-cert ("
                    + envName("tls-cert") + ") and tls-key (" + envName("tls-key") + ") must name the PEM "
                    + "certificate chain and private key files, e.g. /etc/letsencrypt/live/HOST/fullchain.pem and "
                    + "privkey.pem");
        }
        if (mqttPlainPort.isPresent() && !mqttTls) {
            throw new IllegalArgumentException("mqtt-plain-port (" + envName("mqtt-plain-port") + "): a second, "
                    + "plaintext MQTT listener only makes sense beside mqtt-tls=true; leave it empty");
        }
        if (!tlsCert.isEmpty() || !tlsKey.isEmpty()) {
            if (tlsCert.isEmpty() || tlsKey.isEmpty()) {
                throw new IllegalArgumentException("tls-cert and tls-key go together; only "
                        + (tlsCert.isEmpty() ? "tls-key" : "tls-cert") + " is set");
            }
            TlsCredentials.load(Path.of(tlsCert), Path.of(tlsKey), Instant.now());
        }
        if (!tlsCa.isEmpty()) {
            Path ca = Path.of(tlsCa);
            TlsCredentials.certificates(TlsCredentials.read(ca, TlsCredentials.CA_SETTING),
                    TlsCredentials.CA_SETTING + ": " + ca);
        }
        return this;
    }

    /**
     * {@code mqtt-mode} is embedded (the hub's own MQTT endpoint) or broker (the hub a client of
     * {@code mqtt-broker-url}); the broker settings are checked in broker mode and refused in embedded mode, and the
     * embedded endpoint's TLS listener settings are refused in broker mode (the broker's listeners serve stations).
     */
    private HubConfig checkBroker() {
        if (!mqttMode.equals(MODE_EMBEDDED) && !mqttMode.equals(MODE_BROKER)) {
            throw new IllegalArgumentException("mqtt-mode (" + envName("mqtt-mode") + "): '" + shorten(mqttMode)
                    + "' must be embedded (the hub's own MQTT endpoint) or broker (through mqtt-broker-url)");
        }
        if (mqttMode.equals(MODE_BROKER)) {
            if (mqttTls || mqttPlainPort.isPresent()) {
                throw new IllegalArgumentException((mqttTls ? "mqtt-tls" : "mqtt-plain-port") + " configures the hub's "
                        + "own MQTT endpoint, which does not run with mqtt-mode=broker; give mqtts:// in "
                        + "mqtt-broker-url instead");
            }
            broker();
            return this;
        }
        List<String> unused = new ArrayList<>();
        if (!mqttBrokerUrl.isEmpty()) {
            unused.add("mqtt-broker-url");
        }
        if (!mqttBrokerUsername.isEmpty()) {
            unused.add("mqtt-broker-username");
        }
        if (mqttBrokerPassword.isPresent()) {
            unused.add("mqtt-broker-password");
        }
        if (!mqttBrokerCa.isEmpty()) {
            unused.add("mqtt-broker-ca");
        }
        if (!mqttSharedGroup.equals(BrokerSettings.DEFAULT_GROUP)) {
            unused.add("mqtt-shared-group");
        }
        if (mqttBrokerDynsec) {
            unused.add("mqtt-broker-dynsec");
        }
        if (mqttBrokerHookToken.isPresent()) {
            unused.add("mqtt-broker-hook-token");
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(withEnv(unused) + " not used with mqtt-mode=" + mqttMode
                    + " (set mqtt-mode to broker)");
        }
        return this;
    }

    /** The broker the hub is a client of, in broker mode; empty with the embedded MQTT endpoint. */
    public Optional<BrokerSettings> broker() {
        if (!mqttMode.equals(MODE_BROKER)) {
            return Optional.empty();
        }
        return Optional.of(BrokerSettings.of(mqttBrokerUrl, mqttBrokerUsername, mqttBrokerPassword, mqttBrokerCa,
                mqttSharedGroup, mqttBrokerDynsec, HubConfig::envName));
    }

    /** Whether the hub has a certificate configured (so that it can run TLS servers). */
    public boolean hasTls() {
        return !tlsCert.isEmpty();
    }

    private static OptionalInt optionalPort(JsonObject s, String k) {
        String v = s.getString(k);
        return v == null || v.isBlank() ? OptionalInt.empty() : OptionalInt.of(port(s, k, 0));
    }

    /**
     * The time series settings: {@code ts-engine} embedded (default), questdb (needs {@code ts-url}) or influxdb2
     * (needs {@code ts-url}, {@code ts-token}, {@code ts-org} and {@code ts-bucket}); a setting the engine does not
     * use is refused rather than silently ignored.
     */
    private static TimeSeriesSettings timeSeries(JsonObject s, TimeSeriesSettings d) {
        String name = str(s, "ts-engine", d.engine().setting()).trim();
        TimeSeriesSettings.Engine engine = TimeSeriesSettings.Engine.of(name).orElseThrow(() ->
                new IllegalArgumentException("ts-engine (" + envName("ts-engine") + "): '" + shorten(name)
                        + "' must be embedded, questdb or influxdb2"));
        String url = tsUrl(s, "ts-url");
        Optional<String> token = Optional.ofNullable(s.getString("ts-token")).map(String::trim).filter(t -> !t.isEmpty());
        String org = str(s, "ts-org", "").trim();
        String bucket = str(s, "ts-bucket", "").trim();
        long bufferMax = longNum(s, "ts-buffer-max-bytes", d.bufferMaxBytes(), 1024, 1L << 40);
        int retention = num(s, "ts-retention-days", d.retentionDays(), 0, 36_500);
        List<String> missing = new ArrayList<>();
        List<String> unused = new ArrayList<>();
        sort(!url.isEmpty(), engine != TimeSeriesSettings.Engine.EMBEDDED, "ts-url", missing, unused);
        boolean influx = engine == TimeSeriesSettings.Engine.INFLUXDB2;
        sort(token.isPresent(), influx, "ts-token", missing, unused);
        sort(!org.isEmpty(), influx, "ts-org", missing, unused);
        sort(!bucket.isEmpty(), influx, "ts-bucket", missing, unused);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("ts-engine=" + name + " needs " + withEnv(missing)
                    + (influx ? " (the InfluxDB 2.x server's URL, an API token that may write and read the bucket, "
                    + "its organisation and bucket)" : " (the QuestDB server's HTTP URL, such as http://questdb:9000)"));
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(withEnv(unused) + " not used with ts-engine=" + name
                    + (engine == TimeSeriesSettings.Engine.EMBEDDED ? " (set ts-engine to questdb or influxdb2)"
                    : " (token, org and bucket are for influxdb2 only)"));
        }
        for (String k : List.of("ts-org", "ts-bucket")) {
            String v = str(s, k, "").trim();
            if (v.length() > 200 || v.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException(k + " (" + envName(k) + "): at most 200 characters, no control characters");
            }
        }
        return new TimeSeriesSettings(engine, url, token, org, bucket, bufferMax, retention, deadBands(s, d.deadBands()));
    }

    /** {@code ts-unchanged-write-seconds} (0 writes every reading) and the per-field dead bands. */
    private static DeadBands deadBands(JsonObject s, DeadBands d) {
        int keepSeconds = num(s, "ts-unchanged-write-seconds", (int) (d.keepMillis() / 1000), 0, 86_400);
        return new DeadBands(keepSeconds * 1000L,
                decimal(s, "ts-deadband-power-w", d.powerW(), 1_000),
                decimal(s, "ts-deadband-energy-wh", d.energyWh(), 100_000),
                decimal(s, "ts-deadband-temp-c", d.tempC(), 50),
                decimal(s, "ts-deadband-humidity", d.humidity(), 100));
    }

    /** Puts {@code key} in {@code missing} when the engine needs it and it is not set, in {@code unused} the other way. */
    private static void sort(boolean set, boolean needed, String key, List<String> missing, List<String> unused) {
        if (needed && !set) {
            missing.add(key);
        } else if (!needed && set) {
            unused.add(key);
        }
    }

    private static String withEnv(List<String> keys) {
        return String.join(", ", keys.stream().map(k -> k + " (" + envName(k) + ")").toList());
    }

    /** Empty, or http(s)://host[:port] with no user, path, query or fragment. */
    private static String tsUrl(JsonObject s, String k) {
        String v = str(s, k, "").trim();
        if (v.isEmpty()) {
            return v;
        }
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        String why = httpUrlProblem(v, "ts-token");
        if (why == null && hasPathOrQuery(v)) {
            why = "must be just scheme, host and port";
        }
        if (why != null) {
            // a URL holding a password is not repeated
            String shown = why.startsWith("may not hold") ? "" : "'" + shorten(v) + "' ";
            throw new IllegalArgumentException(k + " (" + envName(k) + "): " + shown + why
                    + "; for example http://questdb:9000 or http://influxdb:8086");
        }
        return v;
    }

    /**
     * Why a URL is not an http(s) URL with a host and without user information (named {@code secretSetting} as
     * the place for the secret), or null when it is one.
     */
    private static String httpUrlProblem(String v, String secretSetting) {
        try {
            URI u = new URI(v);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return "must start with http:// or https://";
            } else if (u.getHost() == null) {
                return "needs a host name";
            } else if (u.getRawUserInfo() != null) {
                return "may not hold a user name or password (give the secret in " + secretSetting + ")";
            }
            return null;
        } catch (URISyntaxException e) {
            return "is not a URL (" + e.getReason() + ")";
        }
    }

    private static boolean hasPathOrQuery(String v) {
        URI u = URI.create(v);
        return !(u.getRawPath() == null || u.getRawPath().isEmpty()) || u.getRawQuery() != null
                || u.getRawFragment() != null;
    }

    /**
     * {@code mqtt-connect-limit-exempt} is a list like {@code trusted-proxies}, or {@code none} to count every address
     * (an empty setting keeps the default, loopback).
     */
    private static ConnectLimits connectLimits(JsonObject s, ConnectLimits d) {
        String exempt = str(s, "mqtt-connect-limit-exempt", "").trim();
        return new ConnectLimits(
                num(s, "mqtt-connect-timeout-seconds", d.timeoutSeconds(), 1, 120),
                num(s, "mqtt-connects-per-second-per-address", d.perSecondPerAddress(), 1, 1_000_000),
                num(s, "mqtt-connect-burst-per-address", d.burstPerAddress(), 1, 1_000_000),
                exempt.isEmpty() ? d.exempt()
                        : exempt.equalsIgnoreCase("none") ? IpRanges.none() : ranges(s, "mqtt-connect-limit-exempt"));
    }

    private static IpRanges ranges(JsonObject s, String k) {
        try {
            return IpRanges.parse(str(s, k, ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): " + e.getMessage()
                    + "; give IP addresses and CIDR ranges separated by commas, or nothing");
        }
    }

    /** A bearer token ({@code metrics-token}, {@code mqtt-broker-hook-token}): empty, or long enough. */
    private static Optional<String> metricsToken(JsonObject s, String k) {
        String v = str(s, k, "").trim();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.length() < MIN_METRICS_TOKEN || v.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): must be at least " + MIN_METRICS_TOKEN
                    + " printable ASCII characters without spaces, or empty"
                    + (k.equals("metrics-token") ? " to leave /metrics open" : ""));
        }
        return Optional.of(v);
    }

    /**
     * {@code join-policy} open (default), approval or sms; sms needs {@code sms-gateway-url} (http or https) and
     * {@code sms-gateway-secret}, which the other policies refuse rather than silently ignore.
     */
    private static JoinSettings joining(JsonObject s) {
        String name = str(s, "join-policy", JoinPolicy.OPEN.setting()).trim();
        JoinPolicy policy = JoinPolicy.of(name).orElseThrow(() -> new IllegalArgumentException("join-policy ("
                + envName("join-policy") + "): '" + shorten(name) + "' must be open (riders join at once, "
                + "unverified), approval (an operator approves each join) or sms (a one-time code to the phone)"));
        String url = str(s, "sms-gateway-url", "").trim();
        Optional<String> secret = metricsToken(s, "sms-gateway-secret");
        int timeout = num(s, "sms-gateway-timeout-ms", JoinSettings.DEFAULT_TIMEOUT_MS, 100, 60_000);
        List<String> missing = new ArrayList<>();
        List<String> unused = new ArrayList<>();
        boolean sms = policy == JoinPolicy.SMS;
        sort(!url.isEmpty(), sms, "sms-gateway-url", missing, unused);
        sort(secret.isPresent(), sms, "sms-gateway-secret", missing, unused);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("join-policy=sms needs " + withEnv(missing) + " (the SMS gateway's "
                    + "webhook URL, such as https://sms.union.example/send, and the secret it expects as a bearer token)");
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(withEnv(unused) + " not used with join-policy=" + name
                    + " (set join-policy to sms)");
        }
        String why = sms ? httpUrlProblem(url, "sms-gateway-secret") : null;
        if (why != null) {
            throw new IllegalArgumentException("sms-gateway-url (" + envName("sms-gateway-url") + "): " + why);
        }
        return new JoinSettings(policy, url, secret, timeout);
    }

    /** How often the pass signing key is replaced. */
    public long passKeyRotationMillis() {
        return passKeyRotationDays * 86_400_000L;
    }

    /** Empty (the H2 file under the data directory) or a PostgreSQL JDBC URL. */
    private static String dbUrl(JsonObject s, String k) {
        String v = str(s, k, "").trim();
        if (!v.isEmpty() && !v.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): must be empty (the registry in the data "
                    + "directory) or a PostgreSQL URL such as jdbc:postgresql://db.example:5432/yizhan");
        }
        return v;
    }

    /** Where the registry is, for the log: the database URL without its parameters (which may hold a password). */
    public String registryDescription() {
        if (dbUrl.isEmpty()) {
            return "(data dir)";
        }
        int q = dbUrl.indexOf('?');
        return q < 0 ? dbUrl : dbUrl.substring(0, q);
    }

    /**
     * The origin ({@code https://tile.example.org:8443}) the map tiles come from, for the pages' content
     * security policy; empty when no tile source is set (the overview then shows the stations on a plain map).
     */
    public Optional<String> mapTileOrigin() {
        return mapTileOrigins().stream().findFirst();
    }

    /** Every origin the tiles come from: one per subdomain when the template has {s}. */
    public List<String> mapTileOrigins() {
        if (mapTileUrl.isEmpty()) {
            return List.of();
        }
        List<String> subs = mapTileUrl.contains("{s}") ? mapTileSubdomains.chars().mapToObj(c -> String.valueOf((char) c))
                .toList() : List.of("");
        List<String> out = new ArrayList<>();
        for (String sub : subs) {
            URI u = URI.create(sample(mapTileUrl.replace("{s}", sub)));
            out.add(u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT)
                    + (u.getPort() == -1 ? "" : ":" + u.getPort()));
        }
        return List.copyOf(new java.util.LinkedHashSet<>(out));
    }

    /**
     * {@code map-tile-coords} is wgs84 (OpenStreetMap, Tianditu) or gcj02 (Amap/Gaode, Tencent: the pages shift
     * the stations onto those tiles); {@code map-tile-subdomains} is the letters or digits {s} in the tile URL
     * stands for (Amap: 1234), needed exactly when the URL has {s}.
     */
    private HubConfig checkTiles() {
        if (!mapTileCoords.equals("wgs84") && !mapTileCoords.equals("gcj02")) {
            throw new IllegalArgumentException("map-tile-coords (" + envName("map-tile-coords") + "): '"
                    + shorten(mapTileCoords) + "' must be wgs84 (OpenStreetMap, Tianditu) or gcj02 (Amap/Gaode)");
        }
        if (!mapTileSubdomains.matches("[a-z0-9]{0,8}")) {
            throw new IllegalArgumentException("map-tile-subdomains (" + envName("map-tile-subdomains") + "): '"
                    + shorten(mapTileSubdomains) + "' must be up to 8 letters or digits, each one subdomain, e.g. abc");
        }
        if (mapTileUrl.contains("{s}") != !mapTileSubdomains.isEmpty()) {
            throw new IllegalArgumentException(mapTileUrl.contains("{s}")
                    ? "map-tile-url (" + envName("map-tile-url") + "): has {s}: set map-tile-subdomains ("
                            + envName("map-tile-subdomains")
                            + ") to what {s} stands for, e.g. 1234 for Amap, or use a URL without it, for example "
                            + "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
                    : "map-tile-subdomains is set but map-tile-url has no {s}");
        }
        return this;
    }

    /** A tile URL template with its placeholders filled in, so that it can be parsed as a URL. */
    private static String sample(String template) {
        return template.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0").replace("{s}", "a");
    }

    /**
     * A map tile URL template: empty, or http(s) with a host and all of {z}, {x} and {y}, and nothing that could
     * break out of the content security policy or a page attribute.
     */
    private static String tileUrl(JsonObject s, String k) {
        String v = str(s, k, "").trim();
        if (v.isEmpty()) {
            return "";
        }
        String why = null;
        if (v.length() > MAX_TILE_URL) {
            why = "is longer than " + MAX_TILE_URL + " characters";
        } else if (!v.contains("{z}") || !v.contains("{x}") || !v.contains("{y}")) {
            why = "must contain {z}, {x} and {y}";
        } else if (v.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == ';' || c == ','
                || c == '<' || c == '>' || c == '\\')) {
            why = "may not contain spaces, quotes, ';', ',', '<', '>', '\\' or non-ASCII characters";
        } else {
            try {
                URI u = new URI(sample(v));
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    why = "must start with http:// or https://";
                } else if (u.getHost() == null || u.getRawUserInfo() != null) {
                    why = "needs a host name (and no user name or password)";
                }
            } catch (URISyntaxException e) {
                why = "is not a URL (" + e.getReason() + ")";
            }
        }
        if (why != null) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): '" + shorten(v) + "' " + why
                    + "; for example https://tile.openstreetmap.org/{z}/{x}/{y}.png, or empty for a map without tiles");
        }
        return v;
    }

    private static String attribution(JsonObject s, String k) {
        String v = str(s, k, "").trim();
        if (v.length() > MAX_ATTRIBUTION) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): longer than " + MAX_ATTRIBUTION + " characters");
        }
        if (v.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): may not contain control characters");
        }
        return v;
    }

    private static String shorten(String v) {
        return v.length() <= 80 ? v : v.substring(0, 80) + "...";
    }

    private static String str(JsonObject s, String k, String dflt) {
        String v = s.getString(k);
        return v == null ? dflt : v;
    }

    private static int port(JsonObject s, String k, int dflt) {
        return num(s, k, dflt, 0, 65535);
    }

    private static int num(JsonObject s, String k, int dflt, int min, int max) {
        String v = s.getString(k);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): '" + shorten(v) + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): " + n + " must be " + min + " to " + max);
        }
        return n;
    }

    private static long longNum(JsonObject s, String k, long dflt, long min, long max) {
        String v = s.getString(k);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): '" + shorten(v) + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): " + n + " must be " + min + " to " + max);
        }
        return n;
    }

    /** A plain decimal number from 0 to {@code max} (no exponent, no NaN or infinity). */
    private static double decimal(JsonObject s, String k, double dflt, double max) {
        String v = s.getString(k);
        if (v == null) {
            return dflt;
        }
        String t = v.trim();
        if (t.isEmpty() || t.length() > 20 || !t.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): '" + shorten(v)
                    + "' is not a decimal number such as 0.5");
        }
        double n = Double.parseDouble(t);
        if (n > max) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): " + t + " must be 0 to " + (long) max);
        }
        return n;
    }

    private static boolean bool(JsonObject s, String k, boolean dflt) {
        String v = s.getString(k);
        if (v == null) {
            return dflt;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(k + " (" + envName(k) + "): '" + shorten(v) + "' must be true or false");
        }
        return Boolean.parseBoolean(v);
    }

    public HubConfig withPorts(int http, int mqtt) {
        return with(Map.of("http-port", http, "mqtt-port", mqtt));
    }

    public HubConfig withDataDir(Path dir) {
        return with(Map.of("data-dir", dir));
    }

    public HubConfig withAdminPassword(String password) {
        return with(Map.of("admin-password", password));
    }

    public HubConfig withStartupGraceSeconds(int seconds) {
        return with(Map.of("startup-grace-seconds", seconds));
    }

    public HubConfig withDemoStations(int n) {
        return with(Map.of("demo-stations", n));
    }

    /** These settings with some changed, checked as if they came from the file. */
    private HubConfig with(Map<String, Object> changes) {
        List<Object> values = List.of(httpHost, httpPort, mqttHost, mqttPort, publicMqttHost, publicHttpUrl, mqttTls,
                dataDir, adminPassword.orElse(""), mqttMaxMessageBytes, mqttKeepAliveMaxSeconds,
                loginFreeFailures, provisionAttemptsPerMinute, startupGraceSeconds, questdbHttpPort, demoStations,
                mapTileUrl, mapTileAttribution, dbUrl, dbUser, dbPassword.orElse(""),
                tlsCert, tlsKey, tlsCa, httpTls, mqttPlainPort.isPresent() ? mqttPlainPort.getAsInt() : "",
                timeSeries.engine().setting(), timeSeries.url(), timeSeries.token().orElse(""), timeSeries.org(),
                timeSeries.bucket(), timeSeries.bufferMaxBytes(), timeSeries.retentionDays(),
                timeSeries.deadBands().keepMillis() / 1000, plain(timeSeries.deadBands().powerW()),
                plain(timeSeries.deadBands().energyWh()), plain(timeSeries.deadBands().tempC()),
                plain(timeSeries.deadBands().humidity()),

                trustedProxies, metricsToken.orElse(""), metricsAllow, passKeyRotationDays,
                mqttMode, mqttBrokerUrl, mqttBrokerUsername, mqttBrokerPassword.orElse(""), mqttBrokerCa,
                mqttSharedGroup, mqttBrokerDynsec, mqttBrokerHookToken.orElse(""),
                passwordIterations, memberTokenDays,
                joining.policy().setting(), joining.smsGatewayUrl(), joining.smsGatewaySecret().orElse(""),
                joining.smsGatewayTimeoutMs(), faceKeyFile,
                mqttConnectLimits.timeoutSeconds(), mqttConnectLimits.perSecondPerAddress(),
                mqttConnectLimits.burstPerAddress(),
                mqttConnectLimits.exempt().isEmpty() ? "none" : mqttConnectLimits.exempt(), updateKeys,
                mapTileCoords, mapTileSubdomains);
        JsonObject s = new JsonObject();
        for (int i = 0; i < KEYS.size(); i++) {
            s.put(KEYS.get(i), String.valueOf(values.get(i)));
        }
        changes.forEach((k, v) -> s.put(k, String.valueOf(v)));
        return fromStrings(s);
    }

    /** A decimal as the file would spell it (no exponent). */
    private static String plain(double d) {
        return java.math.BigDecimal.valueOf(d).toPlainString();
    }

    /** The settings of the MQTT endpoint for stations. */
    public MqttIngest.Settings mqttEndpoint() {
        return new MqttIngest.Settings(mqttHost, mqttPort, mqttTls, mqttMaxMessageBytes, startupGraceSeconds,
                mqttPlainPort, broker(), mqttConnectLimits);
    }

    /** How stations reach the hub, as provisioning hands it out. */
    public ProvisionRoutes.Published published() {
        Optional<BrokerSettings> b = broker();
        if (b.isPresent()) {
            // stations connect to the broker: its host unless public-mqtt-host names another, and its TLS
            return new ProvisionRoutes.Published(publicHttpUrl,
                    publicMqttHost.isBlank() ? b.get().host() : publicMqttHost, b.get().tls());
        }
        return new ProvisionRoutes.Published(publicHttpUrl, publicMqttHost, mqttTls);
    }

    @Override
    public String toString() {
        return "HubConfig[http=" + httpHost + ":" + httpPort + ", mqtt=" + mqttHost + ":" + mqttPort + ", mqttTls=" + mqttTls
                + (mqttPlainPort.isPresent() ? ", mqttPlainPort=" + mqttPlainPort.getAsInt() : "")
                + ", httpTls=" + httpTls + (tlsCert.isEmpty() ? "" : ", tlsCert=" + tlsCert)
                + (tlsCa.isEmpty() ? "" : ", tlsCa=" + tlsCa)
                + ", dataDir=" + dataDir + ", mapTiles=" + (mapTileUrl.isEmpty() ? "(none)" : mapTileOrigins() + " " + mapTileCoords)
                + ", registry=" + registryDescription() + (dbUser.isEmpty() ? "" : ", dbUser=" + dbUser)
                + ", dbPassword=" + (dbPassword.isPresent() ? "***" : "(none)") + ", timeSeries=" + timeSeries
                + ", adminPassword=" + (adminPassword.isPresent() ? "***" : "(generated)")
                + ", trustedProxies=" + (trustedProxies.isEmpty() ? "(none)" : trustedProxies)
                + ", metrics=" + (metricsToken.isEmpty() && metricsAllow.isEmpty() ? "(open)"
                : (metricsToken.isPresent() ? "token *** " : "") + metricsAllow)
                + ", passKeyRotationDays=" + passKeyRotationDays
                + ", mqttMode=" + mqttMode + broker().map(b -> ", " + b).orElse("")
                + (mqttBrokerHookToken.isPresent() ? ", brokerHooks=token ***" : "")
                + ", loginFreeFailures=" + loginFreeFailures + ", passwordIterations=" + passwordIterations
                + ", memberTokenDays=" + memberTokenDays + ", joinPolicy=" + joining
                + ", mqttConnect=(" + mqttConnectLimits + ")]";
    }
}
