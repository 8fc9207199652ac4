package org.yizhan.agent.claim;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The kiosk page while waiting for the claim QR: found through ports.json, it shows what the camera scan says. */
@ExtendWith(VertxExtension.class)
class ClaimScreenTest {

    @TempDir
    Path dir;

    @Test
    void servesThePageAndTheScanStateOnThePortInPortsJson(Vertx vertx, VertxTestContext ctx) {
        ClaimScreen screen = new ClaimScreen(vertx, dir);
        WebClient web = WebClient.create(vertx);
        screen.start("127.0.0.1", 0).compose(port -> {
            ctx.verify(() -> assertThat(new JsonObject(Files.readString(dir.resolve("ports.json"))).getInteger("http"))
                    .isEqualTo(port));
            return web.get(port, "127.0.0.1", "/kiosk").send().compose(page -> {
                ctx.verify(() -> assertThat(page.bodyAsString()).contains("请将开通二维码对准摄像头",
                        "Show the station's claim QR to the camera", "/kiosk/claim"));
                return web.get(port, "127.0.0.1", "/kiosk/claim").send();
            }).compose(waiting -> {
                ctx.verify(() -> assertThat(waiting.bodyAsJsonObject().getString("state")).isEqualTo("waiting"));
                screen.show(new ClaimByCamera.Status(ClaimByCamera.State.PROVISIONED, "provisioned as station st-1",
                        Optional.of("st-1")));
                return web.get(port, "127.0.0.1", "/kiosk/claim").send();
            });
        }).compose(done -> {
            ctx.verify(() -> assertThat(done.bodyAsJsonObject()).isEqualTo(new JsonObject().put("state", "provisioned")
                    .put("message", "provisioned as station st-1").put("stationId", "st-1")));
            return screen.stop();
        }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertThat(dir.resolve("ports.json")).as("the agent writes its own").doesNotExist();
            ctx.completeNow();
        })));
    }
}
