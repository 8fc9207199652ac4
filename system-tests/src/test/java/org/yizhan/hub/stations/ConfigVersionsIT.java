package org.yizhan.hub.stations;

import org.yizhan.testing.Cleanup;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestHub;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Configuration versions over real HTTP against a real hub: firmware-config's problems come back naming the
 * setting and store nothing; a push is numbered, attributed and diffed; and a kiosk provisioned after a push gets
 * the pushed settings under the current version (so the retained config does not look "not newer" to it).
 */
@ExtendWith(VertxExtension.class)
class ConfigVersionsIT {

    @TempDir
    static Path dataDir;

    static TestHub hub;
    static String technician;
    static String operator;

    @BeforeAll
    static void startHub(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dataDir);
        technician = hub.user("configurer", "technician");
        operator = hub.user("viewer", "operator");
    }

    @AfterAll
    static void stopHub() throws Exception {
        Cleanup.close(hub);
    }

    private static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        return hub.send(method, path, token, "application/json",
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonObject created() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/stations", technician, TestHub.station("配置测试驿站").encode());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return new JsonObject(r.body());
    }

    private static HttpResponse<String> push(String id, int base, JsonObject settings) throws Exception {
        return call("POST", "/api/v1/stations/" + id + "/config", technician,
                new JsonObject().put("baseVersion", base).put("settings", settings).encode());
    }

    @Test
    void refusesWhatTheStationWouldRefuseNamingEverySetting() throws Exception {
        String id = created().getJsonObject("station").getString("id");
        HttpResponse<String> r = push(id, 1, new JsonObject().put("door.unlockSeconds", 999).put("heartbeatSeconds", 0));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("invalid-config");
        assertThat(error.getJsonArray("problems").stream().map(String::valueOf))
                .anySatisfy(p -> assertThat(p).startsWith("door.unlockSeconds"))
                .anySatisfy(p -> assertThat(p).startsWith("heartbeatSeconds"));

        HttpResponse<String> unknown = push(id, 1, new JsonObject().put("mqtt.password", 1));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(unknown.body()).getJsonObject("error").getString("field")).isEqualTo("mqtt.password");
        HttpResponse<String> text = push(id, 1, new JsonObject().put("door.unlockSeconds", "8"));
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(text.body()).contains("must be a number");
        HttpResponse<String> same = push(id, 1, new JsonObject().put("door.unlockSeconds", 5));
        assertThat(same.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(same.body()).getJsonObject("error").getString("code")).isEqualTo("no-change");
        HttpResponse<String> byOperator = call("GET", "/api/v1/stations/" + id + "/config", operator, null);
        assertThat(byOperator.statusCode()).isEqualTo(403);

        JsonObject shown = new JsonObject(call("GET", "/api/v1/stations/" + id + "/config", technician, null).body());
        assertThat(shown.getInteger("version")).as("nothing stored").isEqualTo(1);
        assertThat(shown.getJsonArray("versions")).hasSize(1);
        assertThat(shown.containsKey("reported")).as("no station has reported yet").isFalse();
    }

    @Test
    void numbersEachPushAndProvisionsLaterKiosksWithIt() throws Exception {
        JsonObject reg = created();
        String id = reg.getJsonObject("station").getString("id");
        HttpResponse<String> first = push(id, 1, new JsonObject().put("door.unlockSeconds", 8)
                .put("occupancy.capacity", 30).put("charger.portMaxW", 800));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonObject answer = new JsonObject(first.body());
        assertThat(answer.getInteger("version")).isEqualTo(2);
        assertThat(answer.getBoolean("delivered")).as("no station connected").isFalse();
        assertThat(push(id, 2, new JsonObject().put("heartbeatSeconds", 20)).statusCode()).isEqualTo(201);
        assertThat(push(id, 2, new JsonObject().put("heartbeatSeconds", 25)).statusCode()).as("stale base").isEqualTo(409);

        JsonObject shown = new JsonObject(call("GET", "/api/v1/stations/" + id + "/config", technician, null).body());
        assertThat(shown.getInteger("version")).isEqualTo(3);
        assertThat(shown.getJsonObject("settings").getInteger("heartbeatSeconds")).isEqualTo(20);
        assertThat(shown.getJsonObject("settings").getInteger("door.unlockSeconds")).isEqualTo(8);
        JsonObject v2 = shown.getJsonArray("versions").getJsonObject(1);
        assertThat(v2.getInteger("version")).isEqualTo(2);
        assertThat(v2.getString("createdBy")).isEqualTo("configurer");
        assertThat(v2.getJsonArray("changes").stream().map(o -> ((JsonObject) o).getString("field")))
                .containsExactly("door.unlockSeconds", "occupancy.capacity", "charger.portMaxW");
        JsonObject station = new JsonObject(call("GET", "/api/v1/stations/" + id, technician, null).body());
        assertThat(station.getJsonObject("occupancy").getInteger("capacity")).as("the registry follows").isEqualTo(30);

        HttpResponse<String> provisioned = call("POST", "/api/v1/provision", null,
                new JsonObject().put("claimCode", reg.getString("claimCode")).encode());
        assertThat(provisioned.statusCode()).as(provisioned.body()).isEqualTo(200);
        JsonObject cfg = new JsonObject(provisioned.body()).getJsonObject("config");
        assertThat(cfg.getInteger("version")).isEqualTo(3);
        assertThat(cfg.getJsonObject("door").getInteger("unlockSeconds")).isEqualTo(8);
        assertThat(cfg.getJsonObject("charger").getDouble("portMaxW")).isEqualTo(800.0);
        assertThat(cfg.getInteger("heartbeatSeconds")).isEqualTo(20);
    }
}
