package org.yizhan.hub.face;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.HubApp;
import org.yizhan.hub.db.Rows;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.Topics;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * Face templates reach the hub only from the station that enrolled the member, and rest there sealed: a real hub,
 * two real agents (A enrols, B receives the synced copy) with the fake face module of {@link FaceConsentIT}, and a
 * third provisioned station F that tries to claim the member over real MQTT and upload a template over HTTP.
 */
@ExtendWith(VertxExtension.class)
public class FaceTemplateEnrolmentIT {

    private static final int[] FACE = {60, 210, 40, 190, 80, 230, 20, 160};

    @TempDir
    static Path root;
    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static WebClient web;
    static io.vertx.core.http.HttpServer module;
    static StationConfig stationA;
    static StationConfig stationB;
    static StationConfig stationF;
    static TestAgent agentA;
    static TestAgent agentB;
    static MqttClient forger;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, Files.createDirectories(root.resolve("hub")));
        app = hub.app();
        api = hub.client();
        web = WebClient.create(vertx);
        String technician = hub.user("tech", "technician");
        module = get(vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/v1/info")) {
                req.response().end(new JsonObject().put("dimension", 8).encode());
                return;
            }
            int w = Integer.parseInt(req.getParam("width"));
            int h = Integer.parseInt(req.getParam("height"));
            req.body().onSuccess(b -> req.response().end(FaceConsentIT.fakeModule(b.getBytes(), w, h).encode()));
        }).listen(0, "127.0.0.1"));
        stationA = hub.provision(technician, TestHub.station("北门驿站"));
        stationB = hub.provision(technician, TestHub.station("南站驿站"));
        stationF = hub.provision(technician, TestHub.station("外站"));
        JsonObject face = new JsonObject().put("enabled", true).put("engine", "module")
                .put("moduleUrl", "http://127.0.0.1:" + module.actualPort()).put("matchThreshold", 0.9)
                .put("livenessThreshold", 0.5).put("enrolFrames", 1);
        Path dirA = Files.createDirectories(root.resolve("a"));
        Path dirB = Files.createDirectories(root.resolve("b"));
        Files.writeString(dirA.resolve("face.json"), face.encode());
        Files.writeString(dirB.resolve("face.json"), face.encode());
        agentA = hub.connectedAgent(stationA, dirA);
        agentB = hub.connectedAgent(stationB, dirB);
        forger = MqttClient.create(vertx, new MqttClientOptions().setClientId(stationF.stationId())
                .setUsername(stationF.mqtt().username()).setPassword(stationF.mqtt().password()));
        get(forger.connect(app.mqttPort(), "127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (forger != null && forger.isConnected()) {
            get(forger.disconnect());
        }
        Cleanup.close(hub);
        if (module != null) {
            get(module.close());
        }
    }

    @Test
    void onlyTheEnrollingStationsTemplateIsKeptSealedAndPassedOn() throws Exception {
        JsonObject m = join("13700137001");
        String token = m.getString("memberToken");
        String pseudonym = m.getJsonObject("member").getString("pseudonym");
        String memberId = m.getJsonObject("member").getString("id");
        assertThat(get(api.post("/api/v1/members/me/face-consent", token, new JsonObject().put("consent", true)
                .put("textVersion", "2026-01").put("sync", true))).statusCode()).isEqualTo(201);

        // enrolled at A: A reports it over MQTT and sends the template, which reaches B
        JsonObject done = enrol(agentA, token);
        assertThat(done.getBoolean("synced")).as(done.encode()).isTrue();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                door(agentB).getString("decision")).as("synced to B").isEqualTo("granted"));
        await().atMost(Duration.ofSeconds(15)).until(() -> count("SELECT COUNT(*) FROM events WHERE station_id = ? "
                + "AND type = 'face.enrolled'", stationA.stationId()) == 1);
        assertThat(count("SELECT COUNT(*) FROM face_enrolments WHERE member_id = ? AND station_id = ?", memberId,
                stationA.stationId())).isEqualTo(1);

        // at rest on the hub: sealed, not the plaintext the stations got, and it opens with the key file
        String synced = get(app.database().call(c -> Rows.one(c, "SELECT args FROM commands WHERE name = 'face.sync' "
                + "AND station_id = ?", rs -> rs.getString(1), stationB.stationId()))).orElseThrow();
        byte[] plain = Base64.getDecoder().decode(new JsonObject(synced).getString("template"));
        Object[] row = get(app.database().call(c -> Rows.one(c, "SELECT id, template, sealed, key_id FROM face_templates "
                + "WHERE member_id = ?", rs -> new Object[]{rs.getString(1), rs.getBytes(2), rs.getBytes(3),
                rs.getString(4)}, memberId))).orElseThrow();
        assertThat((byte[]) row[1]).as("no plaintext column").isNull();
        byte[] sealed = (byte[]) row[2];
        assertThat(sealed).isNotEqualTo(plain).hasSize(plain.length + 28);
        assertThat(contains(sealed, java.util.Arrays.copyOfRange(plain, 0, 8))).isFalse();
        // TestHub's data directory is <dir>/hub: the key sits in <dir>/hub-keys
        Path keyFile = root.resolve("hub").resolve("hub-keys").resolve(TemplateKey.FILE);
        assertThat(keyFile).as("beside the data directory, not in it").exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(TemplateKey.loadOrCreate(keyFile).open(sealed, (String) row[3], (String) row[0], memberId,
                stationA.stationId())).isEqualTo(plain);

        // station F claims the member over real MQTT: a made-up pass, then A's pass replayed
        String passAtA = new JsonObject(get(app.database().call(c -> Rows.one(c, "SELECT data FROM events WHERE "
                + "station_id = ? AND type = 'face.enrolled'", rs -> rs.getString(1), stationA.stationId())))
                .orElseThrow()).getString("pass");
        for (String pass : new String[]{"YZ:" + "A".repeat(passAtA.length() - 3), passAtA}) {
            Event claim = Event.of(EventType.FACE_ENROLLED, System.currentTimeMillis(),
                    new JsonObject().put("member", pseudonym).put("pass", pass));
            get(forger.publish(Topics.of(stationF.stationId(), Channel.EVENTS),
                    Codec.encode(EventsMessage.single(claim)), MqttQoS.AT_LEAST_ONCE, false, false));
            await().atMost(Duration.ofSeconds(15)).until(() -> count("SELECT COUNT(*) FROM events WHERE id = ?",
                    claim.id()) == 1);
        }
        assertThat(count("SELECT COUNT(*) FROM face_enrolments WHERE station_id = ?", stationF.stationId())).isZero();

        // and F's uploads of the member's template, with and without the replayed proof, are refused and not kept
        JsonObject body = new JsonObject().put("member", pseudonym).put("dims", 8)
                .put("template", Base64.getEncoder().encodeToString(plain));
        for (Optional<String> proof : java.util.List.of(Optional.<String>empty(), Optional.of(passAtA))) {
            JsonObject b = body.copy();
            proof.ifPresent(p -> b.put("enrolment", new JsonObject().put("pass", p)));
            HttpResponse<Buffer> r = upload(stationF, b);
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(403);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not-enrolled");
        }
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE member_id = ?", memberId)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM commands WHERE name = 'face.sync' AND station_id = ?",
                stationA.stationId())).as("nothing passed on from F").isZero();
        String metrics = get(web.get(app.httpPort(), "127.0.0.1", "/metrics").send()).bodyAsString();
        assertThat(metrics).containsPattern("yizhan_face_template_rejects_total\\{reason=\"not-enrolled\",?\\} 2\\.0");
        assertThat(metrics).containsPattern("yizhan_face_enrolments_total\\{outcome=\"pass-used-elsewhere\",?\\} 2\\.0");
        assertThat(metrics).containsPattern("yizhan_face_enrolments_total\\{outcome=\"bad-proof\",?\\} 1\\.0");

        // withdrawn: A's own upload, replayed, is refused, and where the member enrolled is forgotten
        assertThat(get(web.delete(api.port(), "127.0.0.1", "/api/v1/members/me/face-consent")
                .putHeader("Authorization", "Bearer " + token).send()).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> replay = upload(stationA, body.copy().put("enrolment", new JsonObject().put("pass", passAtA)));
        assertThat(replay.statusCode()).as(replay.bodyAsString()).isEqualTo(403);
        assertThat(replay.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("no-sync-consent");
        assertThat(count("SELECT COUNT(*) FROM face_enrolments WHERE member_id = ?", memberId)).isZero();
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE member_id = ?", memberId)).isZero();
    }

    // ---- helpers

    private static JsonObject join(String phone) throws Exception {
        HttpResponse<Buffer> r = get(api.post("/api/v1/members", new JsonObject().put("name", "王师傅")
                .put("phone", phone).put("occupation", "courier")));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    private static JsonObject enrol(TestAgent a, String token) throws Exception {
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            HttpResponse<Buffer> pass = get(api.get("/api/v1/members/me/pass?format=png", token));
            HttpResponse<Buffer> r = a.post("/kiosk/face/enrol", "image/png", pass.body());
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
            id[0] = r.bodyAsJsonObject().getString("enrolment");
        });
        HttpResponse<Buffer> done = a.post("/kiosk/face/enrol/" + id[0] + "/frames", "image/png",
                FaceConsentIT.face(FACE, 250));
        assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(201);
        return done.bodyAsJsonObject();
    }

    private static JsonObject door(TestAgent a) throws Exception {
        HttpResponse<Buffer> r = a.post("/sim/face", "image/png", FaceConsentIT.face(FACE, 250));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private static HttpResponse<Buffer> upload(StationConfig s, JsonObject body) throws Exception {
        String basic = Base64.getEncoder().encodeToString((s.mqtt().username() + ":" + s.mqtt().password())
                .getBytes(StandardCharsets.UTF_8));
        return get(web.post(api.port(), "127.0.0.1", "/api/v1/stations/" + s.stationId() + "/face-templates")
                .putHeader("Authorization", "Basic " + basic).sendJsonObject(body));
    }

    private static int count(String sql, String... args) throws Exception {
        return get(app.database().call(c -> Rows.one(c, sql, rs -> rs.getInt(1), (Object[]) args).orElseThrow()));
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
