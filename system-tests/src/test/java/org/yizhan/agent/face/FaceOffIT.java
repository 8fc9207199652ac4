package org.yizhan.agent.face;

import org.yizhan.testing.TestAgent;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.camera.CameraClaim;
import org.yizhan.agent.camera.CameraScanner;
import org.yizhan.agent.camera.LumaFrame;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.face.FaceConfig;
import org.yizhan.agent.pass.AccessControl;
import org.yizhan.config.StationConfig;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Face is off unless configured; a broken configuration leaves it off and the agent running. */
@ExtendWith(VertxExtension.class)
class FaceOffIT {

    private static StationConfig config(String id) throws Exception {
        return StationConfig.defaults(id, "Test " + id, "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", 9, false, id, "s3cret-" + id, 30), "simulated", 1, 10, 1, 30)
                .withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
    }

    private static Buffer grey() throws Exception {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return Buffer.buffer(out.toByteArray());
    }

    @Test
    void withoutAFaceFileFaceIsOffAndEnrolmentSaysSo(Vertx vertx, @TempDir Path dir) throws Exception {
        checkOff(vertx, dir, "st-face-off");
    }

    @Test
    void aBrokenFaceFileLeavesFaceOffAndTheAgentRunning(Vertx vertx, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(FaceConfig.FILE), new JsonObject().put("enabled", true).put("engine", "module")
                .put("moduleUrl", "http://203.0.113.9:1").encode());
        checkOff(vertx, dir, "st-face-bad");
        Files.writeString(dir.resolve(FaceConfig.FILE), new JsonObject().put("enabled", true).put("engine", "onnx")
                .put("modelFile", dir.resolve("missing.onnx").toString()).encode());
        checkOff(vertx, dir, "st-face-bad");
    }

    private static void checkOff(Vertx vertx, Path dir, String id) throws Exception {
        TestAgent agent = TestAgent.start(vertx, config(id), dir);
        try {
            JsonObject status = agent.status();
            assertThat(status.getJsonObject("face").getBoolean("enabled")).isFalse();
            HttpResponse<Buffer> enrol = agent.post("/kiosk/face/enrol", "image/png", grey());
            assertThat(enrol.statusCode()).isEqualTo(409);
            assertThat(enrol.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("face-off");
            HttpResponse<Buffer> start = agent.post("/kiosk/face/enrol/start");
            assertThat(start.statusCode()).as("the kiosk button").isEqualTo(409);
            assertThat(start.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("face-off");
            HttpResponse<Buffer> door = agent.post("/sim/face", "image/png", grey());
            assertThat(door.bodyAsJsonObject().getValue("decision")).isNull();
        } finally {
            agent.close();
        }
    }

    @Test
    void cameraFramesWithoutAPassGoOnToTheFaceDoor(Vertx vertx) throws Exception {
        CopyOnWriteArrayList<LumaFrame> toFace = new CopyOnWriteArrayList<>();
        AccessControl unused = null;
        CameraScanner scanner = new CameraScanner(vertx, new QrDecoder(), unused, 2_000, System::currentTimeMillis)
                .withoutPass(toFace::add);
        LumaFrame blank = new LumaFrame(new byte[64 * 48], 64, 48);
        scanner.offer(blank);
        await().atMost(Duration.ofSeconds(5)).until(() -> toFace.size() == 1);
        assertThat(toFace.get(0)).isSameAs(blank);
    }

    @Test
    void whileTheKioskClaimsTheCameraItsPassAndFramesGoThereNotToTheDoor(Vertx vertx) throws Exception {
        CopyOnWriteArrayList<LumaFrame> toFace = new CopyOnWriteArrayList<>();
        CopyOnWriteArrayList<Object> claimed = new CopyOnWriteArrayList<>();
        AccessControl unused = null; // a pass reaching the door would fail here and never be claimed
        CameraScanner scanner = new CameraScanner(vertx, new QrDecoder(), unused, 2_000, System::currentTimeMillis)
                .claiming(new CameraClaim() {
                    @Override
                    public Optional<Future<JsonObject>> pass(String text) {
                        claimed.add(text);
                        return Optional.of(Future.succeededFuture(new JsonObject()));
                    }

                    @Override
                    public Optional<Future<JsonObject>> frame(LumaFrame frame) {
                        claimed.add(frame);
                        return Optional.of(Future.succeededFuture(new JsonObject()));
                    }
                })
                .withoutPass(toFace::add);
        LumaFrame blank = new LumaFrame(new byte[64 * 48], 64, 48);
        scanner.offer(blank);
        await().atMost(Duration.ofSeconds(5)).until(() -> claimed.size() == 1);
        assertThat(claimed.get(0)).isSameAs(blank);

        BitMatrix m = new QRCodeWriter().encode("YZ1.kiosk-claim-test", BarcodeFormat.QR_CODE, 240, 240);
        byte[] luma = new byte[240 * 240];
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 240; x++) {
                luma[y * 240 + x] = (byte) (m.get(x, y) ? 0 : 255);
            }
        }
        scanner.offer(new LumaFrame(luma, 240, 240));
        await().atMost(Duration.ofSeconds(5)).until(() -> claimed.size() == 2);
        assertThat(claimed.get(1)).isEqualTo("YZ1.kiosk-claim-test");
        assertThat(toFace).as("nothing went on to the face door").isEmpty();
    }
}
