package org.yizhan.hub.face;

import org.yizhan.testing.Cleanup;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.face.FaceStore;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.HubApp;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Base64;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Face access end to end: a real hub, two real agents (simulated hardware) whose face engine is the module
 * engine talking to a small fake face module on loopback (the outer hardware edge). The fake module's
 * embedding is the mean brightness of eight horizontal bands of the frame (minus the frame's mean), and its
 * liveness the top-left pixel / 255, so the test draws faces as band patterns.
 */
@ExtendWith(VertxExtension.class)
public class FaceConsentIT {

    private static final int[] FACE_A = {40, 200, 60, 180, 90, 220, 30, 150};
    private static final int[] FACE_B = {200, 40, 180, 60, 220, 90, 150, 30};
    private static final int[] FACE_C = {100, 100, 230, 20, 20, 230, 100, 100};
    private static final int[] FACE_D = {20, 20, 20, 20, 230, 230, 230, 230};
    private static final int[] FACE_E = {230, 230, 20, 20, 230, 230, 20, 20};
    private static final int[] FACE_F = {230, 20, 20, 230, 20, 230, 230, 20};

    @TempDir
    static Path dataDir;
    @TempDir
    static Path dirA;
    @TempDir
    static Path dirB;
    @TempDir
    static Path dirC;
    static String technician;
    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static WebClient web;
    static HttpServer module;
    static StationConfig stationA;
    static StationConfig stationB;
    static TestAgent agentA;
    static TestAgent agentB;
    static int phone = 10;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dataDir);
        app = hub.app();
        api = hub.client();
        web = WebClient.create(vertx);
        technician = hub.user("tech", "technician");
        module = get(vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/v1/info")) {
                req.response().end(new JsonObject().put("dimension", 8).encode());
                return;
            }
            int w = Integer.parseInt(req.getParam("width"));
            int h = Integer.parseInt(req.getParam("height"));
            req.body().onSuccess(body -> req.response().end(fakeModule(body.getBytes(), w, h).encode()));
        }).listen(0, "127.0.0.1"));
        stationA = hub.provision(technician, TestHub.station("东门驿站"));
        stationB = hub.provision(technician, TestHub.station("西门驿站"));
        JsonObject face = new JsonObject().put("enabled", true).put("engine", "module")
                .put("moduleUrl", "http://127.0.0.1:" + module.actualPort()).put("matchThreshold", 0.9)
                .put("livenessThreshold", 0.5).put("enrolFrames", 2);
        Files.writeString(dirA.resolve("face.json"), face.encode());
        Files.writeString(dirB.resolve("face.json"), face.encode());
        agentA = hub.connectedAgent(stationA, dirA);
        agentB = hub.connectedAgent(stationB, dirB);
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(hub);
        if (module != null) {
            get(module.close());
        }
    }

    /** The fake face module: band means as the embedding, the top-left pixel as liveness, no face when dark. */
    public static JsonObject fakeModule(byte[] luma, int w, int h) {
        double total = 0;
        for (byte b : luma) {
            total += b & 0xff;
        }
        double mean = total / luma.length;
        if (mean < 5) {
            return new JsonObject().put("face", false);
        }
        JsonArray e = new JsonArray();
        for (int band = 0; band < 8; band++) {
            double s = 0;
            int n = 0;
            for (int y = band * h / 8; y < (band + 1) * h / 8; y++) {
                for (int x = 0; x < w; x++) {
                    s += luma[y * w + x] & 0xff;
                    n++;
                }
            }
            e.add(s / n - mean);
        }
        return new JsonObject().put("face", true).put("embedding", e).put("liveness", (luma[0] & 0xff) / 255.0);
    }

    public static Buffer face(int[] bands, int live) throws Exception {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int v = bands[y / 8];
                img.getRaster().setSample(x, y, 0, v);
            }
        }
        img.getRaster().setSample(0, 0, 0, live);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return Buffer.buffer(out.toByteArray());
    }

    private static JsonObject join() throws Exception {
        HttpResponse<Buffer> r = get(api.post("/api/v1/members", new JsonObject().put("name", "刘师傅")
                .put("phone", "136001360" + (phone++)).put("occupation", "food-delivery")));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    private static HttpResponse<Buffer> local(TestAgent a, String path, Buffer png, String type) throws Exception {
        return a.post(path, type, png);
    }

    private static HttpResponse<Buffer> local(TestAgent a, String path, Buffer png) throws Exception {
        return local(a, path, png, "image/png");
    }

    private static JsonObject status(TestAgent a) throws Exception {
        return a.status();
    }

    private static int templatesAt(TestAgent a) throws Exception {
        return status(a).getJsonObject("face").getInteger("templates");
    }

    private static Buffer passPng(String token) throws Exception {
        HttpResponse<Buffer> r = get(api.get("/api/v1/members/me/pass?format=png", token));
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<Buffer> giveConsent(String token, boolean sync) throws Exception {
        return get(api.post("/api/v1/members/me/face-consent", token,
                new JsonObject().put("consent", true).put("textVersion", "2026-01").put("sync", sync)));
    }

    private static String enrol(TestAgent a, String token, int[] face) throws Exception {
        String[] id = new String[1];
        Buffer[] shown = new Buffer[1];
        // the consent reaches the station as a command: wait until it has
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            shown[0] = passPng(token);
            HttpResponse<Buffer> r = local(a, "/kiosk/face/enrol", shown[0]);
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
            id[0] = r.bodyAsJsonObject().getString("enrolment");
        });
        // a copy of the same pass cannot start another enrolment (someone else's face for this member)
        HttpResponse<Buffer> copy = local(a, "/kiosk/face/enrol", shown[0]);
        assertThat(copy.statusCode()).as(copy.bodyAsString()).isEqualTo(403);
        assertThat(copy.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("replayed");
        HttpResponse<Buffer> first = local(a, "/kiosk/face/enrol/" + id[0] + "/frames", face(face, 250));
        assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
        assertThat(first.bodyAsJsonObject().getInteger("frames")).isEqualTo(1);
        return id[0];
    }

    private static JsonObject door(TestAgent a, int[] face, int live) throws Exception {
        HttpResponse<Buffer> r = local(a, "/sim/face", face(face, live));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private static int count(String sql, String... args) throws Exception {
        return get(app.database().call(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }));
    }

    @Test
    void enrolsOnlyWithConsentDecidesByFaceAndKeepsTheTemplateOnTheStationWithoutSyncConsent() throws Exception {
        JsonObject m = join();
        String token = m.getString("memberToken");
        String pseudonym = m.getJsonObject("member").getString("pseudonym");

        HttpResponse<Buffer> early = local(agentA, "/kiosk/face/enrol", passPng(token));
        assertThat(early.statusCode()).as(early.bodyAsString()).isEqualTo(403);
        assertThat(early.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("no-consent");

        HttpResponse<Buffer> given = giveConsent(token, false);
        assertThat(given.statusCode()).as(given.bodyAsString()).isEqualTo(201);
        assertThat(given.bodyAsJsonObject().getJsonObject("consent").getBoolean("syncAllowed")).isFalse();
        assertThat(given.bodyAsJsonObject().getInteger("stations")).isGreaterThanOrEqualTo(2);

        String id = enrol(agentA, token, FACE_A);
        HttpResponse<Buffer> notLive = local(agentA, "/kiosk/face/enrol/" + id + "/frames", face(FACE_A, 30));
        assertThat(notLive.statusCode()).isEqualTo(422);
        assertThat(notLive.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not-live");
        HttpResponse<Buffer> done = local(agentA, "/kiosk/face/enrol/" + id + "/frames", face(FACE_A, 250));
        assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(201);
        assertThat(done.bodyAsJsonObject().getBoolean("done")).isTrue();
        assertThat(done.bodyAsJsonObject().getString("member")).isEqualTo(pseudonym);
        assertThat(done.bodyAsJsonObject().getBoolean("syncAllowed")).isFalse();
        assertThat(done.bodyAsJsonObject().getBoolean("synced")).isFalse();

        JsonObject granted = door(agentA, FACE_A, 250);
        assertThat(granted.getString("decision")).as(granted.encode()).isEqualTo("granted");
        assertThat(granted.getString("method")).isEqualTo("face");
        assertThat(door(agentA, FACE_B, 250).getString("reason")).isEqualTo("no-match");
        assertThat(door(agentA, FACE_A, 20).getString("reason")).as("a photo held up").isEqualTo("not-live");
        assertThat(door(agentA, new int[8], 0).getValue("decision")).as("no face in the frame").isNull();

        String operator = hub.user("oper1", "operator");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonArray events = get(api.get("/api/v1/events?stationId=" + stationA.stationId()
                    + "&type=access.granted", operator)).bodyAsJsonObject().getJsonArray("events");
            assertThat(events.stream().map(JsonObject.class::cast).map(e -> e.getJsonObject("data")))
                    .anySatisfy(d -> {
                        assertThat(d.getString("method")).isEqualTo("face");
                        assertThat(d.getString("member")).isEqualTo(pseudonym);
                    });
        });

        // without sync consent the template never left station A
        assertThat(count("SELECT COUNT(*) FROM face_templates t JOIN members m ON m.id = t.member_id "
                + "WHERE m.pseudonym = ?", pseudonym)).isZero();
        assertThat(count("SELECT COUNT(*) FROM commands WHERE name = 'face.sync' AND args LIKE ?",
                "%" + pseudonym + "%")).isZero();
        assertThat(door(agentB, FACE_A, 250).getString("reason")).as("station B never got it").isEqualTo("no-match");
        assertThat(status(agentA).getJsonObject("lastAccess").getString("method")).isEqualTo("face");

        // face is never the only way in: the rider pass still opens the door at the same station
        HttpResponse<Buffer> qr = local(agentA, "/sim/camera", passPng(token));
        assertThat(qr.bodyAsJsonObject().getString("decision")).as(qr.bodyAsString()).isEqualTo("granted");
        assertThat(status(agentA).getJsonObject("lastAccess").getString("method")).isEqualTo("qr");
    }

    @Test
    void allowingSyncLaterSendsTheTemplateOnAndDenyingItDeletesTheCopiesButNotTheOriginal() throws Exception {
        JsonObject m = join();
        String token = m.getString("memberToken");
        String pseudonym = m.getJsonObject("member").getString("pseudonym");
        String memberId = m.getJsonObject("member").getString("id");
        assertThat(giveConsent(token, false).statusCode()).isEqualTo(201);
        String id = enrol(agentA, token, FACE_D);
        assertThat(local(agentA, "/kiosk/face/enrol/" + id + "/frames", face(FACE_D, 250)).statusCode()).isEqualTo(201);
        assertThat(door(agentB, FACE_D, 250).getString("reason")).isEqualTo("no-match");

        HttpResponse<Buffer> allow = get(web.put(api.port(), "127.0.0.1", "/api/v1/members/me/face-consent/sync")
                .putHeader("Authorization", "Bearer " + token).sendJsonObject(new JsonObject().put("allowed", true)));
        assertThat(allow.statusCode()).as(allow.bodyAsString()).isEqualTo(200);
        assertThat(allow.bodyAsJsonObject().getJsonObject("consent").getBoolean("syncAllowed")).isTrue();
        // station A hears of it, sends its template to the hub, and the hub passes it to B
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(door(agentB, FACE_D, 250).getString("decision")).isEqualTo("granted"));
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE member_id = ?", memberId)).isEqualTo(1);

        // operators see that a template went to B, never the template; nor can they send face commands themselves
        String operator = hub.user("oper2", "operator");
        String syncId = get(app.database().call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM commands WHERE name = 'face.sync' AND args LIKE ? AND args LIKE ?")) {
                ps.setString(1, "%" + pseudonym + "%");
                ps.setString(2, "%template%");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("a face.sync carrying the template").isTrue();
                    return rs.getString(1);
                }
            }
        }));
        JsonObject shown = get(api.get("/api/v1/commands/" + syncId, operator)).bodyAsJsonObject();
        assertThat(shown.getJsonObject("args").getString("member")).isEqualTo(pseudonym);
        assertThat(shown.getJsonObject("args").getString("template")).isEqualTo("(withheld)");
        for (String forged : List.of("face.sync", "face.consent", "face.delete", "credentials.sync", "config.apply")) {
            HttpResponse<Buffer> r = get(api.post("/api/v1/stations/" + stationB.stationId() + "/commands", operator,
                    new JsonObject().put("name", forged).put("args", new JsonObject().put("member", pseudonym))));
            assertThat(r.statusCode()).as(forged + ": " + r.bodyAsString()).isEqualTo(403);
        }

        // consent given again without sync is a denial of sync too: the hub keeps no copy
        assertThat(giveConsent(token, false).statusCode()).isIn(200, 201);
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE member_id = ?", memberId)).isZero();

        HttpResponse<Buffer> deny = get(web.put(api.port(), "127.0.0.1", "/api/v1/members/me/face-consent/sync")
                .putHeader("Authorization", "Bearer " + token).sendJsonObject(new JsonObject().put("allowed", false)));
        assertThat(deny.statusCode()).isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE member_id = ?", memberId)).isZero();
        assertThat(count("SELECT COUNT(*) FROM commands WHERE name = 'face.sync' AND args LIKE ?", "%\"member\":\""
                + pseudonym + "\"%")).as("the command log keeps no copy").isPositive();
        assertThat(count("SELECT COUNT(*) FROM commands WHERE name = 'face.sync' AND args LIKE ? AND args LIKE ?",
                "%" + pseudonym + "%", "%template%")).isZero();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(door(agentB, FACE_D, 250).getString("reason")).as("B's copy deleted").isEqualTo("no-match"));
        assertThat(door(agentA, FACE_D, 250).getString("decision")).as("A keeps the original").isEqualTo("granted");
    }

    @Test
    void syncsWithConsentAndWithdrawalDeletesTheTemplatesEverywhereEvenAtAStationThatWasOffline(Vertx vertx)
            throws Exception {
        JsonObject m = join();
        String token = m.getString("memberToken");
        String pseudonym = m.getJsonObject("member").getString("pseudonym");
        String memberId = m.getJsonObject("member").getString("id");
        assertThat(giveConsent(token, true).statusCode()).isEqualTo(201);

        String id = enrol(agentA, token, FACE_C);
        HttpResponse<Buffer> done = local(agentA, "/kiosk/face/enrol/" + id + "/frames", face(FACE_C, 250));
        assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(201);
        assertThat(done.bodyAsJsonObject().getBoolean("syncAllowed")).isTrue();
        assertThat(done.bodyAsJsonObject().getBoolean("synced")).as("sent to the hub").isTrue();
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE member_id = ?", memberId)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(door(agentB, FACE_C, 250).getString("decision")).as("synced to station B").isEqualTo("granted"));

        agentB.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> !app.mqtt().isConnected(stationB.stationId()));

        HttpResponse<Buffer> withdrawn = get(web.delete(api.port(), "127.0.0.1", "/api/v1/members/me/face-consent")
                .putHeader("Authorization", "Bearer " + token).send());
        assertThat(withdrawn.statusCode()).as(withdrawn.bodyAsString()).isEqualTo(200);
        assertThat(withdrawn.bodyAsJsonObject().getJsonObject("consent").getBoolean("given")).isFalse();
        assertThat(withdrawn.bodyAsJsonObject().getJsonObject("consent").getLong("withdrawnAt")).isPositive();
        assertThat(withdrawn.bodyAsJsonObject().getInteger("hubTemplatesDeleted")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE member_id = ?", memberId)).isZero();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(door(agentA, FACE_C, 250).getString("reason")).as("gone at A").isEqualTo("no-match"));
        assertThat(count("SELECT COUNT(*) FROM commands WHERE station_id = ? AND name = 'face.delete' "
                + "AND status = 'pending'", stationB.stationId())).as("queued for the offline station").isEqualTo(1);

        agentB = hub.connectedAgent(stationB, dirB);
        await().atMost(Duration.ofSeconds(15)).until(() -> count("SELECT COUNT(*) FROM commands WHERE station_id = ? "
                + "AND name = 'face.delete' AND status = 'succeeded'", stationB.stationId()) == 1);
        assertThat(door(agentB, FACE_C, 250).getString("reason")).as("gone at B").isEqualTo("no-match");

        // and on disk: the stations' face stores hold no template of the member
        for (Path dir : new Path[]{dirB}) {
            agentB.stop();
            FaceStore store = new FaceStore(vertx, dir);
            get(store.open());
            assertThat(get(store.count(pseudonym))).isZero();
            get(store.close());
            agentB = hub.connectedAgent(stationB, dirB);
        }
    }

    @Test
    void newWaysInRefuseBadInputClearly() throws Exception {
        JsonObject m = join();
        String token = m.getString("memberToken");
        String pseudonym = m.getJsonObject("member").getString("pseudonym");
        String path = "/api/v1/members/me/face-consent";

        assertThat(get(api.post(path, new JsonObject().put("consent", true).put("textVersion", "v1"))).statusCode())
                .as("no member token").isEqualTo(401);
        HttpResponse<Buffer> implicit = get(api.post(path, token, new JsonObject().put("textVersion", "v1")));
        assertThat(implicit.statusCode()).isEqualTo(400);
        assertThat(implicit.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("consent");
        HttpResponse<Buffer> noText = get(api.post(path, token, new JsonObject().put("consent", true)));
        assertThat(noText.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("textVersion");
        assertThat(get(api.postRaw(path, token, Buffer.buffer("{nope"))).statusCode()).isEqualTo(400);
        HttpResponse<Buffer> syncFirst = get(web.put(api.port(), "127.0.0.1", path + "/sync").putHeader("Authorization", "Bearer " + token)
                .sendJsonObject(new JsonObject().put("allowed", true)));
        assertThat(syncFirst.statusCode()).isEqualTo(409);
        HttpResponse<Buffer> withdrawFirst = get(web.delete(api.port(), "127.0.0.1", path).putHeader("Authorization", "Bearer " + token).send());
        assertThat(withdrawFirst.statusCode()).isEqualTo(409);
        assertThat(get(api.get(path, token)).bodyAsJsonObject().getValue("consent")).isNull();

        assertThat(giveConsent(token, false).statusCode()).isEqualTo(201);
        String tpl = Base64.getEncoder().encodeToString(new byte[8 * 4]);
        JsonObject body = new JsonObject().put("member", pseudonym).put("dims", 8).put("template", tpl);
        String upload = "/api/v1/stations/" + stationA.stationId() + "/face-templates";
        assertThat(get(api.post(upload, body)).statusCode()).as("no credentials").isEqualTo(401);
        assertThat(station(upload, stationA.stationId(), "wrong-secret", body).statusCode()).isEqualTo(401);
        String secretA = stationA.mqtt().password();
        assertThat(station("/api/v1/stations/" + stationB.stationId() + "/face-templates", stationA.stationId(), secretA,
                body).statusCode()).as("another station's path").isEqualTo(403);
        HttpResponse<Buffer> noSync = station(upload, stationA.stationId(), secretA, body);
        assertThat(noSync.statusCode()).isEqualTo(403);
        assertThat(noSync.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("no-sync-consent");
        assertThat(station(upload, stationA.stationId(), secretA, body.copy().put("template",
                Base64.getEncoder().encodeToString(new byte[8192]))).statusCode()).isEqualTo(413);
        assertThat(station(upload, stationA.stationId(), secretA, body.copy().put("template", "***")).statusCode())
                .isEqualTo(400);
        assertThat(station(upload, stationA.stationId(), secretA, body.copy().put("member", "13800138000")).statusCode())
                .isEqualTo(400);
        assertThat(count("SELECT COUNT(*) FROM face_templates t JOIN members m ON m.id = t.member_id "
                + "WHERE m.pseudonym = ?", pseudonym)).isZero();

        assertThat(local(agentA, "/kiosk/face/enrol", Buffer.buffer("hello"), "text/plain").statusCode()).isEqualTo(415);
        assertThat(local(agentA, "/kiosk/face/enrol", Buffer.buffer("not a png at all")).statusCode()).isEqualTo(400);
        HttpResponse<Buffer> noPass = local(agentA, "/kiosk/face/enrol", face(FACE_D, 250));
        assertThat(noPass.statusCode()).isEqualTo(400);
        assertThat(noPass.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("no-pass");
        assertThat(local(agentA, "/kiosk/face/enrol/e99/frames", face(FACE_D, 250)).statusCode()).isEqualTo(404);
    }

    private static JsonObject startAtKiosk(TestAgent a) throws Exception {
        HttpResponse<Buffer> r = a.post("/kiosk/face/enrol/start");
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        assertThat(r.bodyAsJsonObject().getString("step")).isEqualTo("waiting-for-pass");
        return r.bodyAsJsonObject();
    }

    private static JsonObject kioskStep(TestAgent a, String id) throws Exception {
        HttpResponse<Buffer> r = a.get("/kiosk/face/enrol/" + id);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    @Test
    void enrolsWithTheDoorCameraFromTheKioskAndTheFramesItTakesNeverOpenTheDoor() throws Exception {
        JsonObject m = join();
        String token = m.getString("memberToken");
        String pseudonym = m.getJsonObject("member").getString("pseudonym");

        // no consent: the pass the camera reads is taken by the enrolment, refused with the reason, door shut
        String refusedId = startAtKiosk(agentA).getString("enrolment");
        HttpResponse<Buffer> noConsent = local(agentA, "/sim/camera", passPng(token));
        assertThat(noConsent.bodyAsJsonObject().getValue("decision")).as(noConsent.bodyAsString()).isNull();
        assertThat(noConsent.bodyAsJsonObject().getJsonObject("enrolment").getString("step")).isEqualTo("refused");
        JsonObject refused = kioskStep(agentA, refusedId);
        assertThat(refused.getString("step")).isEqualTo("refused");
        assertThat(refused.getString("reason")).isEqualTo("no-consent");
        HttpResponse<Buffer> after = local(agentA, "/sim/face", face(FACE_E, 250));
        assertThat(after.bodyAsJsonObject().getString("reason")).as("a refused enrolment lets the face door decide")
                .isEqualTo("no-match");

        assertThat(giveConsent(token, false).statusCode()).isEqualTo(201);
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            id[0] = startAtKiosk(agentA).getString("enrolment");
            HttpResponse<Buffer> pass = local(agentA, "/sim/camera", passPng(token));
            assertThat(pass.bodyAsJsonObject().getValue("decision")).as(pass.bodyAsString()).isNull();
            assertThat(pass.bodyAsJsonObject().getJsonObject("enrolment").getString("step")).isEqualTo("capturing");
        });
        assertThat(agentA.get("/kiosk/face/enrol/" + refusedId).statusCode())
                .as("a replaced enrolment").isEqualTo(404);
        JsonObject decisionsBefore = status(agentA).getJsonObject("access").getJsonObject("decisions");
        JsonObject capturing = kioskStep(agentA, id[0]);
        assertThat(capturing.getInteger("frames")).isZero();
        assertThat(capturing.getInteger("needed")).isEqualTo(2);

        // a photo held up is not taken; live face frames from the camera (door and face inputs alike) are
        HttpResponse<Buffer> photo = local(agentA, "/sim/face", face(FACE_E, 20));
        assertThat(photo.bodyAsJsonObject().getValue("decision")).isNull();
        assertThat(photo.bodyAsJsonObject().getJsonObject("enrolment").getString("hint")).isEqualTo("not-live");
        assertThat(kioskStep(agentA, id[0]).getInteger("frames")).isZero();
        // the door camera's frames, through its pass input and its face input alike; those that come sooner than
        // the enrolment takes them are held back from the door all the same
        String[] paths = {"/sim/camera", "/sim/face"};
        int[] sent = {0};
        JsonObject[] step = new JsonObject[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(150)).until(() -> {
            HttpResponse<Buffer> r = local(agentA, paths[sent[0]++ % 2], face(FACE_E, 250));
            assertThat(r.bodyAsJsonObject().getValue("decision")).as("never the door: " + r.bodyAsString()).isNull();
            step[0] = r.bodyAsJsonObject().getJsonObject("enrolment");
            return "done".equals(step[0].getString("step"));
        });
        JsonObject last = step[0];
        assertThat(last.getString("step")).as(last.encode()).isEqualTo("done");
        JsonObject done = kioskStep(agentA, id[0]);
        assertThat(done.getString("step")).isEqualTo("done");
        assertThat(done.getInteger("frames")).isEqualTo(2);
        assertThat(done.getString("member")).isEqualTo(pseudonym);
        assertThat(status(agentA).getJsonObject("access").getJsonObject("decisions")).as("no door decision meanwhile")
                .isEqualTo(decisionsBefore);

        JsonObject granted = door(agentA, FACE_E, 250);
        assertThat(granted.getString("decision")).as(granted.encode()).isEqualTo("granted");
        assertThat(granted.getString("method")).isEqualTo("face");
        assertThat(status(agentA).getJsonObject("access").getJsonObject("decisions")).isNotEqualTo(decisionsBefore);

        // bad input at the new ways in
        assertThat(agentA.get("/kiosk/face/enrol/nope").statusCode())
                .isEqualTo(404);
        assertThat(agentA.get("/kiosk/face/enrol/" + "x".repeat(300))
                .statusCode()).isEqualTo(404);
        assertThat(agentA.get("/kiosk/face/enrol/" + "x".repeat(5000))
                .statusCode()).as("too long for the server").isEqualTo(414);
        assertThat(status(agentA).getJsonObject("face").getBoolean("enabled")).as("still up").isTrue();
        assertThat(agentA.get("/kiosk/face/enrol/start").statusCode())
                .isEqualTo(404);
    }

    @Test
    void aStationRegisteredAfterTheConsentLearnsItWhenItConnects(Vertx vertx) throws Exception {
        JsonObject m = join();
        String token = m.getString("memberToken");
        String pseudonym = m.getJsonObject("member").getString("pseudonym");
        assertThat(giveConsent(token, false).statusCode()).isEqualTo(201);

        StationConfig stationC = hub.provision(technician, TestHub.station("南门驿站"));
        Files.writeString(dirC.resolve("face.json"), Files.readString(dirA.resolve("face.json")));
        TestAgent agentC = hub.connectedAgent(stationC, dirC);
        try {
            String id = enrol(agentC, token, FACE_F);
            HttpResponse<Buffer> done = local(agentC, "/kiosk/face/enrol/" + id + "/frames", face(FACE_F, 250));
            assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(201);
            assertThat(door(agentC, FACE_F, 250).getString("decision")).isEqualTo("granted");
            String sent = "SELECT COUNT(*) FROM commands WHERE station_id = ? AND name = 'face.consent' AND args LIKE ?";
            assertThat(count(sent, stationC.stationId(), "%" + pseudonym + "%")).isEqualTo(1);

            // another member's face.consent to C expires unsent: connecting again sends that one, and nothing twice
            JsonObject other = join();
            String otherPseudonym = other.getJsonObject("member").getString("pseudonym");
            assertThat(giveConsent(other.getString("memberToken"), true).statusCode()).isEqualTo(201);
            agentC.stop();
            await().atMost(Duration.ofSeconds(15)).until(() -> !app.mqtt().isConnected(stationC.stationId()));
            get(app.database().call(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE commands SET status = 'expired' "
                        + "WHERE station_id = ? AND name = 'face.consent' AND args LIKE ?")) {
                    ps.setString(1, stationC.stationId());
                    ps.setString(2, "%" + otherPseudonym + "%");
                    return ps.executeUpdate();
                }
            }));
            agentC = hub.connectedAgent(stationC, dirC);
            String live = sent + " AND status <> 'expired'";
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    count(live, stationC.stationId(), "%" + otherPseudonym + "%") == 1);
            assertThat(count(sent, stationC.stationId(), "%" + otherPseudonym + "%")).isEqualTo(2);
            assertThat(count(sent, stationC.stationId(), "%" + pseudonym + "%")).isEqualTo(1);
        } finally {
            agentC.stop();
        }
    }

    private static HttpResponse<Buffer> station(String path, String user, String secret, JsonObject body) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return get(web.post(api.port(), "127.0.0.1", path).putHeader("Authorization", "Basic " + basic).sendJsonObject(body));
    }
}
