package org.yizhan.agent;

import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestBroker;
import org.yizhan.testing.QrTools;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.oned.EAN13Writer;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.access.Base32;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Topics;
import org.yizhan.protocol.Ulid;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.agent.StationAgentUplinkIT.command;
import static org.yizhan.testing.Futures.get;

/**
 * Rider passes signed with a test hub key, rendered as QR codes by a different encoder than ours
 * ({@code qrencode}, Debian package qrencode), shown to a simulated station's camera through
 * {@code POST /sim/camera}. The station has no hub: a small MQTT endpoint stands in to deliver
 * {@code credentials.sync} and to receive the events.
 */
@ExtendWith(VertxExtension.class)
class DoorAccessIT {

    private static final String ID = "st-door";
    private static final int KID = 7;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static KeyPair hubKey;
    private static KeyPair otherKey;

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestBroker broker;
    private TestAgent agent;
    private final byte[] member = RiderPass.newMemberId(RANDOM);

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        hubKey = g.generateKeyPair();
        otherKey = g.generateKeyPair();
    }

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        QrTools.assumeQrencode();
        this.vertx = vertx;
        broker = new TestBroker();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        if (broker != null) {
            get(broker.close());
        }
    }

    private StationConfig.Access access() {
        return StationConfig.Access.DEFAULTS.withHubKeys(
                List.of(new StationConfig.HubKey(KID, Ed25519.rawBase64(hubKey.getPublic()))));
    }

    private void start(StationConfig.Access access, boolean withBroker) throws Exception {
        int mqttPort = withBroker ? get(broker.start(vertx)) : 9;
        StationConfig c = TestAgent.config(ID, mqttPort, 1, 2).withAccess(access);
        agent = TestAgent.start(vertx, c, dir);
        if (withBroker) {
            agent.awaitUplink();
        }
    }

    private String pass(long slotOffset, int kid, KeyPair key) throws Exception {
        long slot = RiderPass.slotOf(System.currentTimeMillis()) + slotOffset;
        return RiderPass.sign(kid, member, slot, RANDOM.nextInt(), key.getPrivate()).text();
    }

    private HttpResponse<Buffer> camera(byte[] body, String type) throws Exception {
        return agent.post("/sim/camera", type, Buffer.buffer(body));
    }

    private JsonObject show(String passText) throws Exception {
        HttpResponse<Buffer> r = camera(QrTools.qrencode(passText), "image/png");
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private JsonObject status() throws Exception {
        return agent.status();
    }

    private DigitalState doorRelay() {
        return agent.doorRelay();
    }

    @Test
    void validPassOpensTheDoorOnceAndTheSameImageAgainIsReplayed() throws Exception {
        start(access(), true);
        String text = pass(0, KID, hubKey);
        assertThat(text).hasSize(RiderPass.TEXT_LENGTH).matches("[0-9A-Z:]+");
        byte[] png = QrTools.qrencode(text);
        assertThat(doorRelay()).isEqualTo(DigitalState.LOW);

        JsonObject first = camera(png, "image/png").bodyAsJsonObject();
        assertThat(first.getString("decision")).isEqualTo("granted");
        assertThat(doorRelay()).as("door relay after a grant").isEqualTo(DigitalState.HIGH);
        JsonObject last = status().getJsonObject("lastAccess");
        assertThat(last.getString("decision")).isEqualTo("granted");
        assertThat(last.getString("method")).isEqualTo("qr");

        JsonObject again = camera(png, "image/png").bodyAsJsonObject();
        assertThat(again.getMap()).containsEntry("decision", "denied").containsEntry("reason", "replayed");

        await().atMost(Duration.ofSeconds(5)).until(() -> broker.events().stream()
                .filter(e -> e.getString("type").startsWith("access.")).count() == 2);
        List<JsonObject> events = broker.events().stream().filter(e -> e.getString("type").startsWith("access."))
                .toList();
        assertThat(events.get(0).getString("type")).isEqualTo("access.granted");
        assertThat(events.get(0).getJsonObject("data").getMap()).containsEntry("method", "qr")
                .containsEntry("member", RiderPass.pseudonym(member)).containsEntry("reason", "ok");
        assertThat(events.get(1).getString("type")).isEqualTo("access.denied");
        assertThat(events.get(1).getJsonObject("data").getString("reason")).isEqualTo("replayed");
    }

    @Test
    void refusesChangedExpiredAndUnknownKeyPassesWithTheHubAway() throws Exception {
        start(access(), false);
        String good = pass(0, KID, hubKey);
        byte[] raw = Base32.decode(good.substring(RiderPass.PREFIX.length())).orElseThrow();
        raw[15] ^= 0x01; // one byte of the slot
        String changed = RiderPass.PREFIX + Base32.encode(raw);
        assertThat(show(changed).getString("reason")).isEqualTo("bad-signature");
        assertThat(show(pass(0, KID, otherKey)).getString("reason")).as("signed by another key").isEqualTo("bad-signature");
        assertThat(show(pass(-10, KID, hubKey)).getString("reason")).isEqualTo("expired");
        assertThat(show(pass(10, KID, hubKey)).getString("reason")).as("not valid yet").isEqualTo("expired");
        assertThat(show(pass(0, KID + 1, hubKey)).getString("reason")).isEqualTo("unknown-key");
        assertThat(show("HELLO WORLD").getMap()).containsEntry("decision", "denied").containsEntry("reason", "unreadable");
        assertThat(doorRelay()).as("door stays locked").isEqualTo(DigitalState.LOW);
        assertThat(show(good).getString("decision")).as("the unchanged pass still works").isEqualTo("granted");
        JsonObject decisions = status().getJsonObject("access").getJsonObject("decisions");
        assertThat(decisions.getMap()).containsEntry("bad-signature", 2).containsEntry("expired", 2)
                .containsEntry("unknown-key", 1).containsEntry("unreadable", 1).containsEntry("ok", 1);
    }

    @Test
    void revokedMemberIsRefusedAfterCredentialsSync() throws Exception {
        start(access(), true);
        String id = Ulid.next(System.currentTimeMillis());
        broker.send(Topics.root(ID) + "cmd", command(id, "credentials.sync", new JsonObject()
                .put("revoked", new JsonArray().add(RiderPass.pseudonym(member))).put("version", 5),
                System.currentTimeMillis() + 30_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.on("cmd/res").stream()
                .anyMatch(r -> id.equals(r.payload().getString("id"))));
        JsonObject res = broker.on("cmd/res").get(0).payload();
        assertThat(res.getBoolean("ok")).as(res.encode()).isTrue();
        assertThat(show(pass(0, KID, hubKey)).getMap()).containsEntry("decision", "denied")
                .containsEntry("reason", "revoked");
        assertThat(doorRelay()).isEqualTo(DigitalState.LOW);

        String bad = Ulid.next(System.currentTimeMillis());
        broker.send(Topics.root(ID) + "cmd", command(bad, "credentials.sync", new JsonObject()
                .put("revoked", new JsonArray().add("0138000000")).put("version", 6), System.currentTimeMillis() + 30_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.on("cmd/res").size() == 2);
        JsonObject refused = broker.on("cmd/res").get(1).payload();
        assertThat(refused.getBoolean("ok")).isFalse();
        assertThat(refused.getJsonObject("error").getString("code")).isEqualTo("invalid");
        assertThat(status().getJsonObject("access").getLong("revocationVersion")).isEqualTo(5L);
    }

    @Test
    void fullRoomAndClosedHoursKeepTheDoorShut() throws Exception {
        ZonedDateTime now = ZonedDateTime.now(ZoneId.of("Asia/Shanghai"));
        String hours = String.format("%02d:00-%02d:00", (now.getHour() + 2) % 24, (now.getHour() + 3) % 24);
        start(access().withOpeningHours(hours), false);
        assertThat(show(pass(0, KID, hubKey)).getString("reason")).isEqualTo("closed");
        agent.stop();

        agent = null;
        Path other = dir.resolve("second");
        StationConfig c = TestAgent.config("st-door2", 9, 1, 2).withAccess(access());
        agent = TestAgent.start(vertx, c, other);
        for (int i = 0; i < 2; i++) {
            agent.post("/sim/beam", new JsonObject().put("direction", "in").encode());
        }
        await().atMost(Duration.ofSeconds(3)).until(() -> status().getJsonObject("occupancy").getInteger("count") == 2);
        assertThat(show(pass(0, KID, hubKey)).getString("reason")).isEqualTo("room-full");
        assertThat(doorRelay()).isEqualTo(DigitalState.LOW);
    }

    @Test
    void replayGuardSurvivesAnAgentRestart() throws Exception {
        start(access(), false);
        byte[] png = QrTools.qrencode(pass(0, KID, hubKey));
        assertThat(camera(png, "image/png").bodyAsJsonObject().getString("decision")).isEqualTo("granted");
        agent.stop();
        agent = TestAgent.start(vertx, TestAgent.config(ID, 9, 1, 2).withAccess(access()), dir);
        assertThat(camera(png, "image/png").bodyAsJsonObject().getString("reason")).isEqualTo("replayed");
    }

    @Test
    void garbageImagesNeverCrashTheStation() throws Exception {
        start(access(), false);
        BufferedImage noise = new BufferedImage(640, 480, BufferedImage.TYPE_BYTE_GRAY);
        Random r = new Random(42);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                int v = r.nextInt(256);
                noise.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        assertThat(camera(png(noise), "image/png").bodyAsJsonObject().getValue("decision")).isNull();
        assertThat(camera(jpeg(noise), "image/jpeg").bodyAsJsonObject().getValue("decision")).isNull();

        BufferedImage ean = MatrixToImageWriter.toBufferedImage(
                new EAN13Writer().encode("6901234567892", BarcodeFormat.EAN_13, 600, 300));
        HttpResponse<Buffer> eanReply = camera(png(ean), "image/png");
        assertThat(eanReply.statusCode()).isEqualTo(200);
        assertThat(eanReply.bodyAsJsonObject().getValue("decision")).as("an EAN-13 barcode is no pass").isNull();

        BufferedImage huge = new BufferedImage(6000, 6000, BufferedImage.TYPE_BYTE_BINARY);
        HttpResponse<Buffer> hugeReply = camera(png(huge), "image/png");
        assertThat(hugeReply.statusCode()).isEqualTo(200);
        assertThat(hugeReply.bodyAsJsonObject().getValue("decision")).isNull();

        assertThat(camera(claimsSize(100_000, 100_000), "image/png").statusCode()).as("a tiny file claiming 10^10 pixels")
                .isEqualTo(413);
        assertThat(camera(new byte[9 * 1024 * 1024], "image/png").statusCode()).isEqualTo(413);
        assertThat(camera("not an image".getBytes(), "image/png").statusCode()).isEqualTo(400);
        assertThat(camera(new byte[0], "image/png").statusCode()).isEqualTo(400);
        assertThat(camera(png(noise), "application/json").statusCode()).isEqualTo(415);

        assertThat(status().getValue("lastAccess")).as("no decision from garbage").isNull();
        assertThat(show(pass(0, KID, hubKey)).getString("decision")).as("still decides afterwards").isEqualTo("granted");
    }

    @Test
    void kioskPageIsServedWithoutInlineScript() throws Exception {
        start(access(), false);
        assertThat(agent.get("/kiosk/").statusCode()).isEqualTo(200);
        HttpResponse<Buffer> page = agent.get("/kiosk");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'");
        assertThat(page.bodyAsString()).contains("出示通行码", "kiosk.js").doesNotContain("<script>");
        HttpResponse<Buffer> js = agent.get("/kiosk/kiosk.js");
        assertThat(js.bodyAsString()).contains("欢迎", "room-full", "textContent").doesNotContain("innerHTML =");
    }

    private static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "PNG", out);
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "JPEG", out);
        return out.toByteArray();
    }

    /** A 1x1 PNG whose header claims {@code w x h} pixels. */
    private static byte[] claimsSize(int w, int h) throws Exception {
        byte[] b = png(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY));
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putInt(16, w).putInt(20, h);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        bb.putInt(29, (int) crc.getValue());
        return b;
    }
}
