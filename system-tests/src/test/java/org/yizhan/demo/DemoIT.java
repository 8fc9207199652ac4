package org.yizhan.demo;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.Http;
import org.yizhan.testing.Proc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's quick start, {@code java -jar demo/target/yizhan-demo.jar}, as its own process: the hub comes up,
 * names its dashboard, and its three simulated demo stations come online by themselves.
 */
class DemoIT {

    private static final String ADMIN_PASSWORD = "demo-admin-Pa55word";

    @TempDir
    Path tmp;

    private Proc demo;

    @AfterEach
    void stop() throws InterruptedException {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void quickStartRunsAHubWhoseThreeDemoStationsComeOnline() throws Exception {
        Path dataDir = tmp.resolve("data");
        demo = Proc.start("demo", Proc.jar("demo", "yizhan-demo.jar"), List.of(), Map.of(
                "YIZHAN_HTTP_HOST", "127.0.0.1", "YIZHAN_HTTP_PORT", "0",
                "YIZHAN_MQTT_HOST", "127.0.0.1", "YIZHAN_MQTT_PORT", "0",
                "YIZHAN_DATA_DIR", dataDir.toString(), "YIZHAN_ADMIN_PASSWORD", ADMIN_PASSWORD), tmp.resolve("logs"));
        JsonObject ports = Proc.awaitPorts(dataDir, demo);
        Http api = new Http("http://127.0.0.1:" + ports.getInteger("http"));

        Http.Response login = api.post("/api/v1/auth/login",
                new JsonObject().put("username", "admin").put("password", ADMIN_PASSWORD));
        assertThat(login.status()).as("admin login: %s", login.body()).isEqualTo(200);
        api.token(login.body().getString("token"));

        await("the demo stations online").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(presence(api))
                        .containsEntry("demo-1", "online").containsEntry("demo-2", "online")
                        .containsEntry("demo-3", "online"));
        await("the banner").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(demo.output()).as("the banner names the dashboard")
                        .contains("Dashboard: http://127.0.0.1:" + ports.getInteger("http")));
    }

    /** Each station's presence state by id. */
    private static Map<String, String> presence(Http api) throws Exception {
        Http.Response r = api.get("/api/v1/stations");
        assertThat(r.status()).as("stations: %s", r.body()).isEqualTo(200);
        return r.body().getJsonArray("stations").stream().map(JsonObject.class::cast)
                .collect(Collectors.toMap(s -> s.getString("id"),
                        s -> s.getJsonObject("presence", new JsonObject()).getString("state", "")));
    }
}
