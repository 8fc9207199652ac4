package org.yizhan.agent.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.config.ConfigException;
import org.yizhan.config.StationConfig;

import java.io.IOException;
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

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public StationConfig provision(String hubUrl, String claimCode, Path dir) throws ProvisionException {
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
        try {
            ConfigFile.write(dir, parsed);
        } catch (IOException e) {
            throw new ProvisionException("cannot write " + ConfigFile.path(dir) + ": " + e.getMessage(), false);
        }
        return parsed;
    }
}
