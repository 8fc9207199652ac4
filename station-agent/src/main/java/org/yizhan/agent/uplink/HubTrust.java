package org.yizhan.agent.uplink;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mqtt.MqttClientOptions;
import org.yizhan.config.StationConfig;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.net.ConnectException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/**
 * How the agent trusts the hub over TLS, for MQTT and for its HTTPS calls to {@code hub.url}: only the CA it was
 * provisioned with ({@code mqtt.caPem}), or the system's trust store when none was given; the host name is
 * always checked against the certificate. {@link #explain} turns a failed connection into words for the log and
 * {@code /status}.
 */
public final class HubTrust {

    private HubTrust() {
    }

    /** Sets the trust and host name checking on the MQTT client's options (which then speak TLS). */
    public static MqttClientOptions apply(MqttClientOptions options, StationConfig.Mqtt link) {
        trust(options, link);
        options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
        return options;
    }

    /** Sets the trust and host name checking for {@code https://} calls to the hub. */
    public static WebClientOptions apply(WebClientOptions options, StationConfig.Mqtt link) {
        trust(options, link);
        options.setVerifyHost(true);
        return options;
    }

    private static void trust(ClientOptionsBase options, StationConfig.Mqtt link) {
        link.caPem().ifPresent(pem -> options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pem))));
    }

    /** Why a connection to the hub failed, in plain words (unknown CA, expired, host name mismatch, ...). */
    public static String explain(Throwable failure, String host, int port) {
        boolean tls = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String msg = t.getMessage() == null ? "" : t.getMessage();
            String lower = msg.toLowerCase(Locale.ROOT);
            if (t instanceof CertificateExpiredException) {
                return "the hub's TLS certificate has expired (" + msg + "); refused";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "the hub's TLS certificate is not valid yet (" + msg + "); check the clocks; refused";
            }
            if (lower.contains("no subject alternative") || lower.contains("no name matching")
                    || lower.contains("subject alternative names")) {
                return "the hub's TLS certificate is not for the host name '" + host + "' (" + msg + "); refused";
            }
            if (t instanceof CertPathBuilderException || lower.contains("unable to find valid certification path")) {
                return "the hub's TLS certificate is not signed by a CA this station trusts (unknown CA); refused";
            }
            if (t instanceof CertPathValidatorException v) {
                if (lower.contains("validity check failed") || lower.contains("expired")) {
                    return "the hub's TLS certificate has expired or is not yet valid (" + msg + "); refused";
                }
                return "the hub's TLS certificate failed verification (" + v.getReason() + ": " + msg + "); refused";
            }
            if (lower.contains("unsupported or unrecognized ssl message") || lower.contains("not an ssl/tls record")) {
                return "the hub at " + host + ":" + port + " did not answer in TLS (a plaintext port?)";
            }
            if (t instanceof SSLHandshakeException || t instanceof SSLException) {
                tls = true;
            }
            if (t instanceof ConnectException) {
                return "cannot reach " + host + ":" + port + " (" + msg + ")";
            }
        }
        String msg = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return (tls ? "TLS handshake with the hub failed: " : "connecting to the hub failed: ") + msg;
    }
}
