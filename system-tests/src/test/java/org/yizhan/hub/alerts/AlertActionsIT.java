package org.yizhan.hub.alerts;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.HubApp;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestHub;
import org.yizhan.hub.live.Bus;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/** Acknowledging and resolving alerts over HTTP against a real hub. */
@ExtendWith(VertxExtension.class)
class AlertActionsIT {

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static String operator;

    @BeforeAll
    static void start(Vertx v) throws Exception {
        vertx = v;
        hub = TestHub.start(v, dataDir);
        app = hub.app();
        api = hub.client();
        operator = hub.user("op1", "operator");
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    private static long openAlert(String station) throws Exception {
        return get(new AlertStore(app.database()).open(station, AlertStore.DOOR_FORCED, 1000, new JsonObject()));
    }

    @Test
    void acknowledgesThenResolvesWithANoteClosingTheAlertAndPublishingEachChange() throws Exception {
        long id = openAlert("st-ack-1");
        CompletableFuture<JsonObject> published = new CompletableFuture<>();
        var consumer = vertx.eventBus().<JsonObject>consumer(Bus.LIVE, m -> {
            if ("alert".equals(m.body().getString("kind")) && m.body().getJsonObject("data").getJsonObject("resolution") != null) {
                published.complete(m.body());
            }
        });
        get(consumer.completion());
        HttpResponse<Buffer> ack = get(api.post("/api/v1/alerts/" + id + "/ack", operator, new JsonObject()));
        assertThat(ack.statusCode()).as(ack.bodyAsString()).isEqualTo(200);
        JsonObject acked = ack.bodyAsJsonObject();
        assertThat(acked.getJsonObject("ack").getString("by")).isEqualTo("op1");
        assertThat(acked.getValue("closedAt")).as("acknowledging leaves it open").isNull();

        HttpResponse<Buffer> again = get(api.post("/api/v1/alerts/" + id + "/ack", operator, new JsonObject()));
        assertThat(again.bodyAsJsonObject().getJsonObject("ack").getLong("at")).as("first acknowledgement kept")
                .isEqualTo(acked.getJsonObject("ack").getLong("at"));

        HttpResponse<Buffer> res = get(api.post("/api/v1/alerts/" + id + "/resolve", operator,
                new JsonObject().put("note", "门锁已检查")));
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
        JsonObject resolved = res.bodyAsJsonObject();
        assertThat(resolved.getJsonObject("resolution").getString("note")).isEqualTo("门锁已检查");
        assertThat(resolved.getLong("closedAt")).isEqualTo(resolved.getJsonObject("resolution").getLong("at"));
        JsonObject live = published.get(10, TimeUnit.SECONDS);
        assertThat(live.getString("stationId")).isEqualTo("st-ack-1");
        consumer.unregister();

        HttpResponse<Buffer> twice = get(api.post("/api/v1/alerts/" + id + "/resolve", operator,
                new JsonObject().put("note", "again")));
        assertThat(twice.statusCode()).isEqualTo(409);
        assertThat(twice.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("already-resolved");
        assertThat(get(api.post("/api/v1/alerts/" + id + "/ack", operator, new JsonObject())).statusCode()).isEqualTo(409);
    }

    @Test
    void refusesUnknownAlertsBadNotesAndMissingTokens() throws Exception {
        long id = openAlert("st-ack-2");
        assertThat(get(api.post("/api/v1/alerts/999999/ack", operator, new JsonObject())).statusCode()).isEqualTo(404);
        assertThat(get(api.post("/api/v1/alerts/abc/resolve", operator, new JsonObject().put("note", "x"))).statusCode())
                .isEqualTo(404);
        for (JsonObject bad : new JsonObject[]{new JsonObject(), new JsonObject().put("note", "   "),
                new JsonObject().put("note", "x".repeat(501)), new JsonObject().put("note", 5)}) {
            HttpResponse<Buffer> r = get(api.post("/api/v1/alerts/" + id + "/resolve", operator, bad));
            assertThat(r.statusCode()).as(bad.encode()).isEqualTo(400);
            assertThat(r.bodyAsString()).contains("note");
        }
        assertThat(get(api.post("/api/v1/alerts/" + id + "/ack", new JsonObject())).statusCode()).isEqualTo(401);
        JsonObject still = get(api.get("/api/v1/alerts?stationId=st-ack-2", operator)).bodyAsJsonObject()
                .getJsonArray("alerts").getJsonObject(0);
        assertThat(still.getValue("closedAt")).as("bad requests left it open").isNull();
        assertThat(still.getValue("resolution")).isNull();
    }
}
