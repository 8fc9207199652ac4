package org.yizhan.hub.passes;

import org.yizhan.testing.Cleanup;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.Encoder;
import com.pi4j.io.gpio.digital.DigitalState;
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
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.HubApp;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.QrTools;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;
import org.yizhan.hub.members.MemberStore;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/** Members, rider passes and revocation against a real hub on free ports. */
@ExtendWith(VertxExtension.class)
class MemberPassIT {

    @TempDir
    static Path dataDir;
    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static String admin;
    static String operator;
    static String technician;

    @BeforeAll
    static void startHub(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dataDir);
        app = hub.app();
        api = hub.client();
        admin = hub.adminToken();
        operator = hub.user("oper", "operator");
        technician = hub.user("tech", "technician");
    }

    @AfterAll
    static void stopHub() throws Exception {
        Cleanup.close(hub);
    }

    private static JsonObject join(String phone) throws Exception {
        HttpResponse<Buffer> r = get(api.post("/api/v1/members", new JsonObject().put("name", "王师傅")
                .put("phone", phone).put("occupation", "food-delivery")));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    private static HttpResponse<Buffer> myPass(String memberToken, String query) throws Exception {
        return get(api.get("/api/v1/members/me/pass" + query, memberToken));
    }

    private static PublicKey publishedKey(int kid) throws Exception {
        JsonObject keys = get(api.get("/api/v1/pass-keys")).bodyAsJsonObject();
        String b64 = keys.getJsonArray("keys").stream().map(JsonObject.class::cast)
                .filter(k -> k.getInteger("kid") == kid).findFirst().orElseThrow().getString("publicKey");
        return Ed25519.publicKey(b64);
    }

    @Test
    void joiningValidatesEveryFieldAndNeverShowsThePhoneToOperators() throws Exception {
        JsonObject created = join("13800138001");
        JsonObject m = created.getJsonObject("member");
        assertThat(m.getString("pseudonym")).matches("m-[a-z2-7]{16}");
        assertThat(m.getString("occupation")).isEqualTo("food-delivery");
        assertThat(created.getString("memberToken")).startsWith("ymt_").hasSizeGreaterThan(40);
        assertThat(created.encode()).doesNotContain("13800138001");

        JsonObject base = new JsonObject().put("name", "李").put("phone", "13900139000").put("occupation", "courier");
        for (var bad : Map.of("phone", base.copy().put("phone", "12345"), "phone ", base.copy().put("phone", "23800138000"),
                "occupation", base.copy().put("occupation", "pilot"), "name", base.copy().put("name", "x".repeat(51)),
                "name ", base.copy().put("name", "  ")).entrySet()) {
            HttpResponse<Buffer> r = get(api.post("/api/v1/members", bad.getValue()));
            assertThat(r.statusCode()).as(bad.getKey()).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo(bad.getKey().trim());
        }
        HttpResponse<Buffer> dup = get(api.post("/api/v1/members", operator, new JsonObject().put("name", "王")
                .put("phone", "13800138001").put("occupation", "other")));
        assertThat(dup.statusCode()).isEqualTo(409);

        String id = m.getString("id");
        JsonObject seenByOperator = get(api.get("/api/v1/members/" + id, operator)).bodyAsJsonObject().getJsonObject("member");
        assertThat(seenByOperator.getString("phone")).isEqualTo("138****8001");
        JsonObject seenByAdmin = get(api.get("/api/v1/members/" + id, admin)).bodyAsJsonObject().getJsonObject("member");
        assertThat(seenByAdmin.getString("phone")).isEqualTo("13800138001");
        assertThat(get(api.get("/api/v1/members/" + id, created.getString("memberToken"))).statusCode())
                .as("a member token is no staff token").isEqualTo(401);
    }

    @Test
    void passTextAndPngCarryAPassSignedWithThePublishedKey() throws Exception {
        JsonObject created = join("13800138002");
        String token = created.getString("memberToken");
        String pseudonym = created.getJsonObject("member").getString("pseudonym");

        JsonObject body = myPass(token, "").bodyAsJsonObject();
        String text = body.getString("pass");
        RiderPass pass = RiderPass.parse(text).orElseThrow();
        assertThat(pass.pseudonym()).isEqualTo(pseudonym);
        assertThat(body.getInteger("kid")).isEqualTo(pass.kid());
        assertThat(body.getLong("expiresAt")).isEqualTo(pass.expiresAtMillis())
                .isBetween(System.currentTimeMillis(), System.currentTimeMillis() + 31_000);
        assertThat(pass.verify(publishedKey(pass.kid()))).as("signature with the published key").isTrue();
        assertThat(Encoder.encode(text, ErrorCorrectionLevel.M).getVersion().getVersionNumber())
                .as("QR version").isLessThanOrEqualTo(6);

        HttpResponse<Buffer> png = myPass(token, "?format=png");
        assertThat(png.getHeader("Content-Type")).isEqualTo("image/png");
        var img = ImageIO.read(new ByteArrayInputStream(png.body().getBytes()));
        assertThat(img.getWidth()).isBetween(280, 340);
        String decoded = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(
                new BufferedImageLuminanceSource(img))), Map.of(DecodeHintType.PURE_BARCODE, Boolean.FALSE)).getText();
        RiderPass fromPng = RiderPass.parse(decoded).orElseThrow();
        assertThat(fromPng.verify(publishedKey(fromPng.kid()))).isTrue();
        assertThat(fromPng.pseudonym()).isEqualTo(pseudonym);

        String id = created.getJsonObject("member").getString("id");
        assertThat(get(api.get("/api/v1/members/" + id + "/pass", operator)).bodyAsJsonObject().getString("pass"))
                .startsWith(RiderPass.PREFIX);
        assertThat(myPass("ymt_forged-token", "").statusCode()).isEqualTo(401);
        assertThat(myPass(operator, "").statusCode()).as("a staff token is no member token").isEqualTo(401);
        assertThat(get(api.get("/api/v1/members/" + id + "/pass")).statusCode()).isEqualTo(401);
        assertThat(myPass(token, "?format=gif").statusCode()).isEqualTo(400);
    }

    @Test
    void suspendedMemberGetsNoPassAndIsOnTheRevocationList() throws Exception {
        JsonObject created = join("13800138003");
        String token = created.getString("memberToken");
        String id = created.getJsonObject("member").getString("id");
        String pseudonym = created.getJsonObject("member").getString("pseudonym");
        long before = get(new MemberStore(app.database(), Duration.ofDays(1)).revocations()).version();

        HttpResponse<Buffer> s = get(api.post("/api/v1/members/" + id + "/suspend", operator, new JsonObject()));
        assertThat(s.bodyAsJsonObject().getJsonObject("member").getString("status")).isEqualTo("suspended");
        HttpResponse<Buffer> refused = myPass(token, "");
        assertThat(refused.statusCode()).as("suspension ends the member's tokens").isEqualTo(401);
        assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid-token");
        MemberStore.Revocations r = get(new MemberStore(app.database(), Duration.ofDays(1)).revocations());
        assertThat(r.pseudonyms()).contains(pseudonym);
        assertThat(r.version()).isGreaterThan(before);

        get(api.post("/api/v1/members/" + id + "/resume", operator, new JsonObject()));
        assertThat(myPass(token, "").statusCode()).as("resuming does not bring an ended token back").isEqualTo(401);
        String fresh = get(api.post("/api/v1/members/" + id + "/member-token", operator, new JsonObject()))
                .bodyAsJsonObject().getString("memberToken");
        assertThat(myPass(fresh, "").statusCode()).as("a token staff hand over after resuming").isEqualTo(200);
        MemberStore.Revocations after = get(new MemberStore(app.database(), Duration.ofDays(1)).revocations());
        assertThat(after.pseudonyms()).doesNotContain(pseudonym);
        assertThat(after.version()).isGreaterThan(r.version());
        assertThat(get(api.post("/api/v1/members/nope/suspend", operator, new JsonObject())).statusCode()).isEqualTo(404);
    }

    /**
     * The whole way: a station provisioned by this hub gets its keys; a pass fetched from the hub, drawn by
     * qrencode, opens the station's door with the hub stopped, and the same image again is refused as replayed.
     */
    @Test
    void provisionedStationOpensForAHubPassWithTheHubStopped(Vertx vertx, @TempDir Path agentDir) throws Exception {
        QrTools.assumeQrencode();
        StationConfig cfg = hub.provision(technician, TestHub.station("门禁站"));
        assertThat(cfg.access().hubKeys()).as("provisioned hub keys").isNotEmpty();

        JsonObject member = join("13800138004");
        String text = myPass(member.getString("memberToken"), "").bodyAsJsonObject().getString("pass");
        byte[] png = QrTools.qrencode(text);

        // a separate hub process would be stopped here; this one stays for the other tests, so the station
        // is pointed at nothing: it never reaches a hub.
        StationConfig offline = cfg.withMqtt(new StationConfig.Mqtt("127.0.0.1", 9, false, cfg.stationId(),
                cfg.mqtt().password(), 30));
        try (TestAgent agent = TestAgent.start(vertx, offline, agentDir)) {
            JsonObject first = agent.postImage("/sim/camera", png).bodyAsJsonObject();
            assertThat(first.getString("decision")).as(first.encode()).isEqualTo("granted");
            assertThat(agent.doorRelay()).isEqualTo(DigitalState.HIGH);
            JsonObject again = agent.postImage("/sim/camera", png).bodyAsJsonObject();
            assertThat(again.getString("reason")).isEqualTo("replayed");
        }
    }
}
