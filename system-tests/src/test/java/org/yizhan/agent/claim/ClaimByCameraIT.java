package org.yizhan.agent.claim;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.camera.CommandFrameSource;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.ClaimQr;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestCerts;
import org.yizhan.testing.TestHub;

import javax.imageio.ImageIO;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fresh kiosk claimed by the claim QR held up to its camera: the hub draws the QR ({@code claim.png}), the frames
 * come through the agent's real {@link CommandFrameSource} from a stand-in capture program (Python) writing raw grey
 * 1280x720 frames with the QR drawn small in a corner, and the station provisioned so goes online at the hub. A claim
 * QR with a wrong CA pin or for another hub is refused on the screen while scanning goes on; other QR codes are ignored.
 */
@ExtendWith(VertxExtension.class)
class ClaimByCameraIT {

    private static final int W = 1280;
    private static final int H = 720;
    private static TestCerts.Authority unionCa;
    private static TestCerts.Authority otherCa;

    @TempDir
    Path dir;
    private Path frameFile;
    private CommandFrameSource camera;
    private final List<ClaimByCamera.Status> shown = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void authorities() {
        unionCa = TestCerts.authority("Union CA");
        otherCa = TestCerts.authority("Someone else's CA");
    }

    @AfterEach
    void stopCamera() {
        if (camera != null) {
            camera.stop();
        }
    }

    /** The stand-in camera: writes the current frame file over and over, five frames a second. */
    private CommandFrameSource camera() {
        frameFile = dir.resolve("frame.gray");
        String script = String.join("\n",
                "import sys, time",
                "out = sys.stdout.buffer",
                "while True:",
                "    with open(sys.argv[1], 'rb') as f:",
                "        out.write(f.read())",
                "    out.flush()",
                "    time.sleep(0.2)",
                "");
        camera = CommandFrameSource.grey("stand-in camera", List.of("python3", "-c", script, frameFile.toString()),
                W, H);
        return camera;
    }

    /** What the camera sees from now on: a grey room with {@code qrPng} drawn {@code side} pixels wide in a corner. */
    private void show(byte[] qrPng, int side, int corner) throws Exception {
        BufferedImage qr = ImageIO.read(new ByteArrayInputStream(qrPng));
        BufferedImage view = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = view.createGraphics();
        g.setColor(new Color(150, 150, 150));
        g.fillRect(0, 0, W, H);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        int x = corner % 2 == 0 ? 40 : W - side - 40;
        int y = corner < 2 ? 30 : H - side - 30;
        g.drawImage(qr, x, y, side, side, null);
        g.dispose();
        byte[] luma = new byte[W * H];
        view.getRaster().getDataElements(0, 0, W, H, luma);
        Path tmp = dir.resolve("frame.tmp");
        Files.write(tmp, luma);
        Files.move(tmp, dir.resolve("frame.gray"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] qrPng(String text) throws Exception {
        return org.yizhan.hub.stations.QrPng.render(text, 320);
    }

    private static String decode(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(img))))
                .getText();
    }

    private ClaimByCamera claim(Vertx vertx, Path stateDir, Optional<String> expectedHub) {
        return new ClaimByCamera(vertx, camera(), new QrDecoder(), new Provisioner(), stateDir, expectedHub,
                Optional.empty(), shown::add);
    }

    private static <T> T get(io.vertx.core.Future<T> f, int seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    private String everythingShown() {
        return shown.stream().map(s -> s.state() + ": " + s.message()).toList().toString();
    }

    @Test
    void claimQrInACornerProvisionsTheStationWhichGoesOnline(Vertx vertx) throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir)) {
            String tech = hub.user("tech", "technician");
            JsonObject created = hub.createStation(tech, TestHub.station("扫码开通 驿站"));
            String id = created.getJsonObject("station").getString("id");
            String code = created.getString("claimCode");
            HttpResponse<byte[]> png = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(hub.url("/api/v1/stations/" + id + "/claim.png")))
                    .header("Authorization", "Bearer " + tech).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(png.statusCode()).isEqualTo(200);
            assertThat(decode(png.body())).as("the hub's claim QR").startsWith("YZCLAIM1 http://127.0.0.1:");

            // a rider's pass and a web link are in view first: ignored, the screen keeps asking for the claim QR
            Path stateDir = dir.resolve("kiosk");
            show(qrPng("YZP1.eyJtIjoibS0xMjMiLCJleHAiOjE3fQ.c2lnbmF0dXJl"), 180, 0);
            ClaimByCamera scan = claim(vertx, stateDir, Optional.empty());
            io.vertx.core.Future<StationConfig> done = scan.run(Duration.ofSeconds(60));
            show(qrPng("https://example.org/not-a-claim"), 180, 1);
            assertThat(done.isComplete()).as(everythingShown()).isFalse();

            show(png.body(), 200, 3);
            StationConfig c = get(done, 60);
            assertThat(c.stationId()).isEqualTo(id);
            assertThat(ConfigFile.path(stateDir)).exists();
            assertThat(shown).extracting(ClaimByCamera.Status::state)
                    .as(everythingShown()).doesNotContain(ClaimByCamera.State.REFUSED)
                    .contains(ClaimByCamera.State.WAITING, ClaimByCamera.State.PROVISIONED);
            assertThat(everythingShown()).as("the claim code is never shown").doesNotContain(code)
                    .doesNotContain(code.replace("-", ""));

            // the hub sees the code spent and the station online once its agent runs
            assertThat(hub.send("GET", "/api/v1/stations/" + id + "/claim", tech, null).statusCode())
                    .as("no unused claim code left").isEqualTo(404);
            try (TestAgent agent = TestAgent.start(vertx, c, stateDir)) {
                hub.awaitConnected(id);
                await("online at the hub").atMost(Duration.ofSeconds(20)).until(() -> "online".equals(
                        hub.call("GET", "/api/v1/stations/" + id, tech, null).getJsonObject("presence")
                                .getString("state")));
            }
        }
    }

    @Test
    void onlyOtherQrCodesInViewLeaveTheStationWaiting(Vertx vertx) throws Exception {
        show(qrPng("YZP1.eyJtIjoibS0xMjMiLCJleHAiOjE3fQ.c2lnbmF0dXJl"), 180, 2);
        io.vertx.core.Future<StationConfig> done = claim(vertx, dir.resolve("kiosk"), Optional.empty())
                .run(Duration.ofSeconds(4));
        await().atMost(Duration.ofSeconds(15)).until(done::isComplete);
        assertThat(done.failed()).isTrue();
        assertThat(done.cause().getMessage()).contains("no usable claim QR");
        assertThat(shown).extracting(ClaimByCamera.Status::state).as(everythingShown())
                .containsExactly(ClaimByCamera.State.WAITING, ClaimByCamera.State.TIMED_OUT);
        assertThat(ConfigFile.path(dir.resolve("kiosk"))).doesNotExist();
    }

    @Test
    void claimQrForAnotherHubIsRefusedAndScanningGoesOn(Vertx vertx) throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir)) {
            String tech = hub.user("tech", "technician");
            JsonObject created = hub.createStation(tech, TestHub.station("别处 驿站"));
            String code = created.getString("claimCode");
            show(qrPng(ClaimQr.of("https://other-hub.example.org", code, Optional.empty()).text()), 200, 1);
            io.vertx.core.Future<StationConfig> done = claim(vertx, dir.resolve("kiosk"),
                    Optional.of(hub.url(""))).run(Duration.ofSeconds(60));
            await("refused on the screen").atMost(Duration.ofSeconds(20)).until(() -> shown.stream()
                    .anyMatch(s -> s.state() == ClaimByCamera.State.REFUSED));
            assertThat(everythingShown()).contains("is for the hub at https://other-hub.example.org")
                    .doesNotContain(code);

            show(qrPng(ClaimQr.of(hub.url(""), code, Optional.empty()).text()), 200, 2);
            assertThat(get(done, 60).stationId()).isEqualTo(created.getJsonObject("station").getString("id"));
        }
    }

    @Test
    void pinnedClaimQrProvisionsOverHttpsAndAWrongPinIsRefused(Vertx vertx) throws Exception {
        Path certs = unionCa.server().writeTo(Files.createDirectories(dir.resolve("certs")));
        Map<String, String> env = new HashMap<>();
        env.put("YIZHAN_TLS_CERT", certs.resolve("fullchain.pem").toString());
        env.put("YIZHAN_TLS_KEY", certs.resolve("privkey.pem").toString());
        env.put("YIZHAN_TLS_CA", unionCa.writeTo(certs.resolve("union-ca.pem")).toString());
        env.put("YIZHAN_HTTP_TLS", "true");
        try (TestHub hub = TestHub.start(vertx, dir, env)) {
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(unionCa)).build();
            String base = "https://localhost:" + hub.httpPort();
            String token = new JsonObject(https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            new JsonObject().put("username", "admin").put("password", TestHub.ADMIN_PASSWORD)
                                    .encode())).build(), HttpResponse.BodyHandlers.ofString()).body()).getString("token");
            JsonObject created = new JsonObject(https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/stations"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(TestHub.station("TLS 扫码 驿站").encode())).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            String id = created.getJsonObject("station").getString("id");
            byte[] png = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/stations/" + id + "/claim.png"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            ClaimQr drawn = ClaimQr.parse(decode(png));
            assertThat(drawn.pin()).as("the hub pins its own CA").contains(ClaimQr.pinOf(unionCa.certificate().getEncoded()));
            assertThat(drawn.hub()).isEqualTo(base);

            // the same hub and code, pinned to someone else's CA: nothing is sent, the code stays unused
            ClaimQr forged = ClaimQr.of(drawn.hub(), drawn.code(),
                    Optional.of(ClaimQr.pinOf(otherCa.certificate().getEncoded())));
            show(qrPng(forged.text()), 200, 0);
            Path stateDir = dir.resolve("kiosk");
            io.vertx.core.Future<StationConfig> done = claim(vertx, stateDir, Optional.empty())
                    .run(Duration.ofSeconds(60));
            await("refused on the screen").atMost(Duration.ofSeconds(20)).until(() -> shown.stream()
                    .anyMatch(s -> s.state() == ClaimByCamera.State.REFUSED));
            assertThat(everythingShown()).contains("does not match the claim QR's pin").doesNotContain(drawn.code());
            assertThat(done.isComplete()).isFalse();

            // a pinned QR carries ~50 more characters than a plain one: shown at 200 px its modules are 3 px, which
            // the decoder missed for a whole minute in one run; a phone held up to the camera shows it larger
            show(png, 280, 3);
            StationConfig c = get(done, 60);
            assertThat(c.stationId()).isEqualTo(id);
            assertThat(c.mqtt().caPem()).as("the station keeps trusting the union CA").isPresent();
            assertThat(stateDir.resolve("claim-ca.pem")).doesNotExist();
        }
    }

    private static SSLContext trusting(TestCerts.Authority ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
