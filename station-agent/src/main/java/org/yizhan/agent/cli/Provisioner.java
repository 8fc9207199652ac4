package org.yizhan.agent.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.agent.update.ReleaseKeys;
import org.yizhan.protocol.UpdateBundle;
import org.yizhan.config.ConfigException;
import org.yizhan.config.StationConfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.yizhan.agent.uplink.HubTrust;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * First-boot provisioning: trades a claim code for the station's identity, MQTT credentials and
 * configuration at {@code POST {hub}/api/v1/provision}, validates the configuration and stores it in the
 * state directory (0600). Nothing is written unless everything checks out. Blocking; for the CLI.
 */
public final class Provisioner {

    /** Why provisioning failed, in words for the technician; {@code badInput} means exit code 2. */
    public static final class ProvisionException extends Exception {
        private final boolean badInput;

        public ProvisionException(String message, boolean badInput) {
            super(message);
            this.badInput = badInput;
        }

        public boolean badInput() {
            return badInput;
        }
    }

    public StationConfig provision(String hubUrl, String claimCode, Path dir) throws ProvisionException {
        return provision(hubUrl, claimCode, dir, Optional.empty());
    }

    /**
     * As {@link #provision(String, String, Path)}; with {@code caFile} (PEM) an {@code https://} hub must present a
     * certificate from that CA (and for its host name), and the station keeps trusting only that CA unless the hub
     * hands it its own.
     */
    public StationConfig provision(String hubUrl, String claimCode, Path dir, Optional<Path> caFile)
            throws ProvisionException {
        Optional<String> caPem = Optional.empty();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (caFile.isPresent()) {
            String pem;
            try {
                pem = Files.readString(caFile.get(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new ProvisionException("--ca " + caFile.get() + ": cannot be read (" + e.getMessage() + ")", true);
            }
            builder.sslContext(trusting(pem, caFile.get()));
            caPem = Optional.of(pem);
        }
        HttpClient http = builder.build();
        URI uri;
        try {
            String base = hubUrl.endsWith("/") ? hubUrl.substring(0, hubUrl.length() - 1) : hubUrl;
            uri = URI.create(base + "/api/v1/provision");
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new ProvisionException("--hub '" + hubUrl + "' is not an http:// or https:// address", true);
        }
        if (claimCode.isBlank() || claimCode.length() > 200) {
            throw new ProvisionException("--code must be the claim code shown when the station was registered", true);
        }
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("claimCode", claimCode).encode()))
                .build();
        HttpResponse<String> res;
        try {
            res = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (javax.net.ssl.SSLException e) {
            throw new ProvisionException("the hub at " + hubUrl + " failed TLS verification: "
                    + HubTrust.explain(e, uri.getHost(), uri.getPort())
                    + (caFile.isEmpty() ? " (give the union CA with --ca FILE if the hub's certificate is from it)"
                    : ""), false);
        } catch (IOException e) {
            throw new ProvisionException("cannot reach the hub at " + hubUrl + ": " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisionException("interrupted", false);
        }
        JsonObject body;
        try {
            body = new JsonObject(res.body());
        } catch (DecodeException | ClassCastException e) {
            throw new ProvisionException("the hub answered " + res.statusCode() + " with something that is not JSON",
                    false);
        }
        if (res.statusCode() != 200 && res.statusCode() != 201) {
            JsonObject err = body.getValue("error") instanceof JsonObject o ? o : new JsonObject();
            String msg = err.getValue("message") instanceof String s ? s : "no reason given";
            String code = err.getValue("code") instanceof String s ? " (" + s + ")" : "";
            throw new ProvisionException("the hub refused the claim code: " + msg + code,
                    res.statusCode() >= 400 && res.statusCode() < 500);
        }
        if (!(body.getValue("config") instanceof JsonObject config)) {
            throw new ProvisionException("the hub's answer has no config", false);
        }
        JsonObject merged = config.copy();
        JsonObject mqtt = merged.getValue("mqtt") instanceof JsonObject m ? m.copy() : new JsonObject();
        if (body.getValue("mqtt") instanceof JsonObject given) {
            mqtt.mergeIn(given);
        }
        if (!mqtt.containsKey("caPem") && caPem.isPresent()) {
            mqtt.put("caPem", caPem.get());
        }
        merged.put("mqtt", mqtt);
        if (body.getValue("stationId") instanceof String id && !merged.containsKey("stationId")) {
            merged.put("stationId", id);
        }
        StationConfig parsed;
        try {
            parsed = StationConfig.parse(merged);
        } catch (ConfigException e) {
            throw new ProvisionException("the hub's configuration is not usable:\n  "
                    + String.join("\n  ", e.problems()), false);
        }
        if (body.getValue("stationId") instanceof String id && !id.equals(parsed.stationId())) {
            throw new ProvisionException("the hub's answer names station '" + id + "' but its config is for '"
                    + parsed.stationId() + "'", false);
        }
        String updateKeys = body.getValue("updateKeys") instanceof String k ? k : "";
        if (!updateKeys.isEmpty()) {
            try {
                if (UpdateBundle.publicKeys(updateKeys).isEmpty()) {
                    throw new java.security.GeneralSecurityException("no PUBLIC KEY block");
                }
            } catch (java.security.GeneralSecurityException e) {
                throw new ProvisionException("the hub's release keys (updateKeys) are not usable: " + e.getMessage(),
                        false);
            }
        }
        try {
            ConfigFile.write(dir, parsed);
            // the release keys agent updates must be signed with, pinned now: later configurations cannot change them
            Path keys = dir.resolve(ReleaseKeys.PINNED);
            if (updateKeys.isEmpty()) {
                Files.deleteIfExists(keys);
            } else {
                Files.writeString(keys, updateKeys, StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new ProvisionException("cannot write " + ConfigFile.path(dir) + ": " + e.getMessage(), false);
        }
        return parsed;
    }

    /** An SSL context that trusts only the certificates in {@code pem}. */
    private static SSLContext trusting(String pem, Path file) throws ProvisionException {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new CertificateException("no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (CertificateException e) {
            throw new ProvisionException("--ca " + file + ": holds no readable PEM certificate", true);
        } catch (GeneralSecurityException | IOException e) {
            throw new ProvisionException("--ca " + file + ": " + e.getMessage(), true);
        }
    }
}
