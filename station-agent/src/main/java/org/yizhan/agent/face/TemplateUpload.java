package org.yizhan.agent.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.yizhan.agent.uplink.HubTrust;
import org.yizhan.config.StationConfig;

import java.util.Base64;
import java.util.Optional;

/**
 * Sends a template enrolled here to the hub, for a member who allows sync:
 * {@code POST {hub}/api/v1/stations/{stationId}/face-templates} with {@code {"member","dims","template"}} (the
 * template as base64 of little-endian floats) and {@code "enrolment":{"pass"}}, the rider pass the member showed
 * to enrol here (the hub takes templates only from the station that enrolled the member), authenticated as the
 * station (HTTP Basic, the station id and its MQTT secret). Completes with whether the hub took it.
 */
public final class TemplateUpload {

    private final WebClient client;
    private final String url;
    private final String stationId;
    private final String secret;

    public TemplateUpload(Vertx vertx, StationConfig config) {
        this.client = WebClient.create(vertx, HubTrust.apply(new WebClientOptions().setConnectTimeout(5_000)
                .setIdleTimeout(10), config.mqtt()));
        this.url = config.hub().url().replaceAll("/+$", "") + "/api/v1/stations/" + config.stationId()
                + "/face-templates";
        this.stationId = config.mqtt().username();
        this.secret = config.mqtt().password();
    }

    public Future<Boolean> send(String member, float[] template, Optional<String> enrolmentPass) {
        JsonObject body = new JsonObject().put("member", member).put("dims", template.length)
                .put("template", Base64.getEncoder().encodeToString(TemplateCipher.toBytes(template)));
        enrolmentPass.ifPresent(p -> body.put("enrolment", new JsonObject().put("pass", p)));
        return client.postAbs(url).timeout(10_000)
                .putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (stationId + ":" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .sendJsonObject(body)
                .map(r -> r.statusCode() / 100 == 2);
    }

    public void close() {
        client.close();
    }
}
