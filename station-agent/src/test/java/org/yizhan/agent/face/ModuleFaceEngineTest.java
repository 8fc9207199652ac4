package org.yizhan.agent.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yizhan.agent.camera.LumaFrame;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The face module protocol (docs/face-module.md) against a small fake module on loopback. */
@ExtendWith(VertxExtension.class)
class ModuleFaceEngineTest {

    /** A module whose /v1/analyse answer is whatever {@code answer} holds; it records the frame it got. */
    private static HttpServer module(Vertx vertx, AtomicReference<String> answer, AtomicReference<String> seen,
                                     int status) throws Exception {
        return get(vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/v1/info")) {
                req.response().end(new JsonObject().put("dimension", 4).put("name", "fake").encode());
                return;
            }
            req.body().onSuccess(b -> {
                seen.set(req.getParam("width") + "x" + req.getParam("height") + ":" + b.length() + ":"
                        + req.getHeader("Content-Type"));
                req.response().setStatusCode(status).end(answer.get());
            });
        }).listen(0, "127.0.0.1"));
    }

    private static LumaFrame frame() {
        return new LumaFrame(new byte[6 * 4], 6, 4);
    }

    @Test
    void sendsTheLumaPlaneAndReadsEmbeddingAndLiveness(Vertx vertx) throws Exception {
        AtomicReference<String> answer = new AtomicReference<>();
        AtomicReference<String> seen = new AtomicReference<>();
        HttpServer m = module(vertx, answer, seen, 200);
        try (ModuleFaceEngine e = ModuleFaceEngine.connect(URI.create("http://127.0.0.1:" + m.actualPort()),
                Duration.ofSeconds(2))) {
            assertThat(e.dimension()).isEqualTo(4);
            answer.set(new JsonObject().put("face", true).put("embedding", new JsonArray().add(1).add(0.5).add(-2).add(0))
                    .put("liveness", 0.75).encode());
            FaceEngine.FaceSample s = e.analyse(frame()).orElseThrow();
            assertThat(s.embedding()).containsExactly(1f, 0.5f, -2f, 0f);
            assertThat(s.liveness()).isEqualTo(0.75f);
            assertThat(seen.get()).isEqualTo("6x4:24:application/octet-stream");

            answer.set("{\"face\":false}");
            assertThat(e.analyse(frame())).isEmpty();
        } finally {
            get(m.close());
        }
    }

    @Test
    void aModuleThatBreaksTheProtocolIsAnEngineFailureNeverAFace(Vertx vertx) throws Exception {
        AtomicReference<String> answer = new AtomicReference<>();
        HttpServer m = module(vertx, answer, new AtomicReference<>(), 200);
        try (ModuleFaceEngine e = ModuleFaceEngine.connect(URI.create("http://127.0.0.1:" + m.actualPort()),
                Duration.ofSeconds(2))) {
            for (String bad : new String[]{"not json", "{}", "{\"face\":\"yes\"}",
                    "{\"face\":true,\"embedding\":[1,2,3],\"liveness\":0.5}",
                    "{\"face\":true,\"embedding\":[1,2,3,\"x\"],\"liveness\":0.5}",
                    "{\"face\":true,\"embedding\":[1,2,3,4],\"liveness\":1.5}",
                    "{\"face\":true,\"embedding\":[1,2,3,4]}"}) {
                answer.set(bad);
                assertThatThrownBy(() -> e.analyse(frame())).as(bad)
                        .isInstanceOf(FaceEngine.FaceEngineException.class).hasMessageContaining("face module");
            }
        } finally {
            get(m.close());
        }
        HttpServer failing = module(vertx, new AtomicReference<>("{}"), new AtomicReference<>(), 500);
        try (ModuleFaceEngine e = ModuleFaceEngine.connect(URI.create("http://127.0.0.1:" + failing.actualPort()),
                Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> e.analyse(frame())).hasMessageContaining("answered 500");
        } finally {
            get(failing.close());
        }
    }

    @Test
    void refusesAModuleOffLoopbackOrNotThere(Vertx vertx) throws Exception {
        assertThatThrownBy(() -> ModuleFaceEngine.connect(URI.create("http://192.0.2.1:8701"), Duration.ofSeconds(1)))
                .isInstanceOf(FaceEngine.FaceEngineException.class).hasMessageContaining("loopback");
        HttpServer gone = get(vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1"));
        int port = gone.actualPort();
        get(gone.close());
        assertThatThrownBy(() -> ModuleFaceEngine.connect(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(1)))
                .isInstanceOf(FaceEngine.FaceEngineException.class).hasMessageContaining("did not answer");
    }

    @Test
    void theConfigurationIsOffByDefaultAndNamesEveryBadField() throws Exception {
        assertThat(FaceConfig.load(java.nio.file.Files.createTempDirectory("face")).enabled()).isFalse();
        FaceConfig ok = FaceConfig.parse(new JsonObject().put("enabled", true).put("moduleUrl", "http://127.0.0.1:8701"));
        assertThat(ok.engine()).isEqualTo("module");
        assertThat(ok.matchThreshold()).isEqualTo(0.55f);
        assertThatThrownBy(() -> FaceConfig.parse(new JsonObject().put("enabled", true).put("engine", "magic")
                .put("moduleUrl", "http://10.0.0.5:8701").put("matchThreshold", 2).put("livenessThreshold", -1)
                .put("enrolFrames", 2.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("engine:").hasMessageContaining("moduleUrl: must be on loopback")
                .hasMessageContaining("matchThreshold:").hasMessageContaining("livenessThreshold:")
                .hasMessageContaining("enrolFrames:");
        assertThatThrownBy(() -> FaceConfig.parse(new JsonObject().put("enabled", true).put("engine", "onnx")))
                .hasMessageContaining("modelFile: is required");
    }
}
