package org.yizhan.hub.broker;

import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClientOptions;
import org.yizhan.hub.tls.TlsCredentials;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * How a hub in broker mode ({@code mqtt-mode=broker}) reaches the MQTT broker: {@code mqtt-broker-url}
 * ({@code mqtt://host:port} or {@code mqtts://host:port}), the hub's own broker user and password, the CA that signed
 * a mqtts broker's certificate (host name checked), the shared-subscription group of the hub replicas, and whether
 * the hub manages station accounts through Mosquitto's dynamic-security plugin.
 */
public record BrokerSettings(String host, int port, boolean tls, String username, Optional<String> password,
                             Optional<Path> ca, String sharedGroup, boolean dynsec) {

    public static final String DEFAULT_GROUP = "yizhan-hub";
    /** MQTT shared-subscription group names may not hold the wildcards or a slash. */
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * Checks the broker settings; every error names the setting ({@code env} turns a key into its environment
     * variable) and says what is wanted. The password never appears in a message.
     */
    public static BrokerSettings of(String url, String username, Optional<String> password, String ca, String group,
                                    boolean dynsec, UnaryOperator<String> env) {
        String u = url.trim();
        if (u.isEmpty()) {
            throw new IllegalArgumentException("mqtt-mode=broker needs mqtt-broker-url (" + env.apply("mqtt-broker-url")
                    + "), such as mqtt://mosquitto:1883 or mqtts://broker.example:8883");
        }
        String why = null;
        String host = null;
        int port = -1;
        boolean tls = false;
        try {
            URI parsed = new URI(u);
            String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("mqtt") && !scheme.equals("mqtts")) {
                why = "must start with mqtt:// or mqtts://";
            } else if (parsed.getHost() == null) {
                why = "needs a host name";
            } else if (parsed.getRawUserInfo() != null) {
                return refuse(env, "may not hold a user name or password (give them in mqtt-broker-username and "
                        + "mqtt-broker-password)", null);
            } else if (!(parsed.getRawPath() == null || parsed.getRawPath().isEmpty() || parsed.getRawPath().equals("/"))
                    || parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
                why = "must be just scheme, host and port";
            } else {
                tls = scheme.equals("mqtts");
                host = parsed.getHost();
                port = parsed.getPort() == -1 ? (tls ? 8883 : 1883) : parsed.getPort();
            }
        } catch (URISyntaxException e) {
            why = "is not a URL (" + e.getReason() + ")";
        }
        if (why != null) {
            return refuse(env, why, u);
        }
        String user = username.trim();
        if (user.isEmpty() || user.length() > 128 || user.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("mqtt-mode=broker needs mqtt-broker-username ("
                    + env.apply("mqtt-broker-username") + "): the hub's own user on the broker, up to 128 characters "
                    + "without spaces");
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("mqtt-mode=broker needs mqtt-broker-password ("
                    + env.apply("mqtt-broker-password") + "), best given in the environment only");
        }
        String g = group.trim();
        if (!GROUP.matcher(g).matches()) {
            throw new IllegalArgumentException("mqtt-shared-group (" + env.apply("mqtt-shared-group") + "): '"
                    + (g.length() > 80 ? g.substring(0, 80) + "..." : g) + "' must be 1 to 64 letters, digits, '-' or '_'");
        }
        Optional<Path> caPath = Optional.of(ca.trim()).filter(c -> !c.isEmpty()).map(Path::of);
        if (caPath.isPresent()) {
            if (!tls) {
                throw new IllegalArgumentException("mqtt-broker-ca (" + env.apply("mqtt-broker-ca")
                        + ") is for a mqtts:// broker; mqtt-broker-url is plaintext");
            }
            TlsCredentials.certificates(TlsCredentials.read(caPath.get(), "mqtt-broker-ca"),
                    "mqtt-broker-ca: " + caPath.get());
        }
        return new BrokerSettings(host, port, tls, user, password, caPath, g, dynsec);
    }

    private static BrokerSettings refuse(UnaryOperator<String> env, String why, String shown) {
        throw new IllegalArgumentException("mqtt-broker-url (" + env.apply("mqtt-broker-url") + "): "
                + (shown == null ? "" : "'" + (shown.length() > 80 ? shown.substring(0, 80) + "..." : shown) + "' ")
                + why + "; for example mqtt://mosquitto:1883 or mqtts://broker.example:8883");
    }

    /** The broker URL as given, for the log (it never holds credentials). */
    public String url() {
        return (tls ? "mqtts://" : "mqtt://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "Broker[" + url() + ", user=" + username + ", password=" + (password.isPresent() ? "***" : "(none)")
                + ca.map(c -> ", ca=" + c).orElse("") + ", group=" + sharedGroup + ", dynsec=" + dynsec + "]";
    }

    /** The hub's connections to the broker keep alive this often. */
    static final int KEEP_ALIVE_SECONDS = 30;
    private static final long BACKOFF_MIN_MS = 500;
    private static final long BACKOFF_MAX_MS = 30_000;

    /**
     * Options for one of the hub's connections to the broker: its own client id, the hub's user, a clean
     * session, and for a mqtts:// broker TLS with the host name checked and {@code mqtt-broker-ca} trusted.
     */
    MqttClientOptions clientOptions(String clientId, int maxMessageBytes) {
        MqttClientOptions o = new MqttClientOptions()
                .setClientId(clientId)
                .setUsername(username)
                .setPassword(password.orElse(""))
                .setCleanSession(true)
                .setKeepAliveInterval(KEEP_ALIVE_SECONDS)
                .setMaxMessageSize(maxMessageBytes);
        o.setConnectTimeout(10_000);
        if (tls) {
            o.setSsl(true);
            o.setHostnameVerificationAlgorithm("HTTPS");
            ca.ifPresent(c -> o.setTrustOptions(new PemTrustOptions().addCertPath(c.toString())));
        }
        return o;
    }

    /** The wait before reconnect attempt {@code attempt}: 0.5 s doubling to 30 s, half of it jitter. */
    static long reconnectDelayMillis(int attempt) {
        long cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS << Math.min(attempt, 6));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }
}
