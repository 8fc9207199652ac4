package org.yizhan.hub.charging;

import org.yizhan.testing.Cleanup;
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
import org.yizhan.access.EntryNonce;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.HubApp;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestHub;
import org.yizhan.hub.stations.StationViews;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What riders call on the hub, over real HTTP against a real hub with simulated stations connected over loopback
 * MQTT: the public station list (nearest first, walking time, open now, free ports, nothing private), "charge at
 * port N" for a member (with every refusal), and what a member token may not do (staff APIs, another station's
 * door).
 */
@ExtendWith(VertxExtension.class)
class RiderApiIT {

    /** The rider stands here (Hangzhou, Wensan Road). */
    static final double LAT = 30.2741;
    static final double LON = 120.1290;

    @TempDir
    static Path dataDir;
    @TempDir
    static Path agentDir;
    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static String operator;
    static StationConfig near;
    static StationConfig far;
    static StationConfig dark;
    static int phone = 100;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dataDir);
        app = hub.app();
        api = hub.client();
        operator = hub.user("oper", "operator");
        String technician = hub.user("tech", "technician");
        // registered far one first, so "nearest first" is not just the order of registration
        far = hub.provision(technician, spec("西溪驿站", 30.2700, 120.0800));
        near = hub.provision(technician, spec("文三路驿站", 30.2790, 120.1300));
        dark = hub.provision(technician, spec("没有联网的驿站", 30.2742, 120.1291));
        for (StationConfig c : List.of(far, near)) {
            hub.connectedAgent(c, agentDir.resolve(c.stationId()));
        }
        // the agents' first telemetry shows their ports free
        await().atMost(Duration.ofSeconds(20)).until(() -> publicList().stream()
                .allMatch(s -> s.getInteger("freePorts") == 4));
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(hub);
    }

    private static JsonObject spec(String name, double lat, double lon) {
        return TestHub.station(name).put("lat", lat).put("lon", lon).put("telemetrySeconds", 2);
    }

    private static List<JsonObject> publicList() throws Exception {
        HttpResponse<Buffer> r = get(api.get("/api/v1/public/stations?near=" + LAT + "," + LON));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("stations").stream().map(JsonObject.class::cast).toList();
    }

    private static JsonObject join() throws Exception {
        HttpResponse<Buffer> r = get(api.post("/api/v1/members", new JsonObject().put("name", "李师傅")
                .put("phone", "13900139" + (phone++)).put("occupation", "food-delivery")));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
        return r.bodyAsJsonObject();
    }

    private static HttpResponse<Buffer> startCharging(String token, String stationId, Object port) throws Exception {
        return get(api.post("/api/v1/charging/start", token,
                new JsonObject().put("stationId", stationId).put("port", port)));
    }

    private static String code(HttpResponse<Buffer> r) {
        return r.bodyAsJsonObject().getJsonObject("error").getString("code");
    }

    private static JsonObject awaitOutcome(String token, String commandId) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                get(api.get("/api/v1/charging/start/" + commandId, token)).bodyAsJsonObject(),
                b -> Set.of("succeeded", "failed", "expired").contains(b.getString("status")));
    }

    /** The stored commands of a station, as {name, args} (read straight from the registry). */
    private static List<JsonObject> storedCommands(String stationId) throws Exception {
        return get(app.database().call(c -> {
            List<JsonObject> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, args, created_by FROM commands WHERE station_id = ?")) {
                ps.setString(1, stationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new JsonObject().put("name", rs.getString(1)).put("args", new JsonObject(rs.getString(2)))
                                .put("createdBy", rs.getString(3)));
                    }
                }
            }
            return out;
        }));
    }

    @Test
    void listsOnlineStationsNearestFirstWithWalkingTimeOpenNowAndFreePorts() throws Exception {
        List<JsonObject> list = publicList();
        assertThat(list).extracting(s -> s.getString("id")).as("online stations, nearest first; the unconnected one left out")
                .containsExactly(near.stationId(), far.stationId());
        JsonObject first = list.get(0);
        double straight = StationViews.distanceMetres(LAT, LON, 30.2790, 120.1300);
        assertThat(first.getDouble("distanceM")).isCloseTo(straight, org.assertj.core.data.Offset.offset(1.0))
                .isBetween(500.0, 600.0);
        assertThat(first.getInteger("walkMinutes")).as("1.3 × straight line at 75 m/min, rounded up")
                .isEqualTo((int) Math.ceil(straight * 1.3 / 75));
        assertThat(list.get(1).getInteger("walkMinutes")).isGreaterThan(60);
        assertThat(first.getBoolean("openNow")).isTrue();
        assertThat(first.getBoolean("online")).isTrue();
        assertThat(first.getString("openingHours")).isEqualTo("00:00-24:00");
        assertThat(first.getInteger("freePorts")).isEqualTo(4);
        assertThat(first.getInteger("ports")).isEqualTo(4);
        assertThat(first.getJsonArray("chargers")).hasSize(4);
        assertThat(first.getJsonObject("occupancy").getInteger("capacity")).isEqualTo(20);

        HttpResponse<Buffer> noNear = get(api.get("/api/v1/public/stations"));
        assertThat(noNear.bodyAsJsonObject().getJsonArray("stations").stream().map(JsonObject.class::cast)
                .map(s -> s.getValue("distanceM"))).as("no distance without a location").containsOnlyNulls();

        JsonObject offline = get(api.get("/api/v1/public/stations/" + dark.stationId())).bodyAsJsonObject()
                .getJsonObject("station");
        assertThat(offline.getString("name")).isEqualTo("没有联网的驿站");
        assertThat(offline.getBoolean("online")).isFalse();
        assertThat(offline.getBoolean("openNow")).as("an offline station cannot let anyone in").isFalse();
        assertThat(get(api.get("/api/v1/public/stations/no-such-station")).statusCode()).isEqualTo(404);
        assertThat(get(api.get("/api/v1/public/stations/%3Cscript%3E")).statusCode()).isEqualTo(404);
        for (String bad : List.of("91,120", "30.2", "abc,def", "30,120,1", "NaN,NaN", "1".repeat(80))) {
            HttpResponse<Buffer> r = get(api.get("/api/v1/public/stations?near=" + bad));
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).as(bad).isEqualTo("near");
        }
    }

    @Test
    void publicViewsShowNothingPrivate() throws Exception {
        // a session running for a member must not show who it is
        JsonObject member = join();
        String pseudonym = member.getJsonObject("member").getString("pseudonym");
        HttpResponse<Buffer> r = startCharging(member.getString("memberToken"), far.stationId(), 4);
        assertThat(awaitOutcome(member.getString("memberToken"), r.bodyAsJsonObject().getString("commandId"))
                .getString("status")).isEqualTo("succeeded");

        // where it is (also in GCJ-02 for Amap), whether it moves and until when it stays: public, like its address
        Set<String> allowed = Set.of("id", "name", "address", "lat", "lon", "gcj02", "mobile", "hereUntil",
                "distanceM", "walkMinutes", "online", "openingHours", "openNow", "ports", "freePorts", "chargers",
                "occupancy");
        String list = get(api.get("/api/v1/public/stations?near=" + LAT + "," + LON)).bodyAsString();
        String one = get(api.get("/api/v1/public/stations/" + far.stationId())).bodyAsString();
        for (String body : List.of(list, one)) {
            assertThat(body).doesNotContain(pseudonym).doesNotContain("13900139").doesNotContain("claim")
                    .doesNotContain("secret").doesNotContain("entryKey").doesNotContain("session")
                    .doesNotContain("profile").doesNotContain("door");
        }
        for (Object o : new JsonObject(list).getJsonArray("stations")) {
            JsonObject s = (JsonObject) o;
            assertThat(s.fieldNames()).isSubsetOf(allowed);
            for (Object c : s.getJsonArray("chargers")) {
                assertThat(((JsonObject) c).fieldNames()).containsExactlyInAnyOrder("port", "state");
            }
            assertThat(s.getJsonObject("occupancy").fieldNames()).containsExactlyInAnyOrder("count", "capacity");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> publicList().stream()
                .filter(s -> s.getString("id").equals(far.stationId())).findFirst().orElseThrow()
                .getInteger("freePorts") == 3);
    }

    @Test
    void memberStartsChargingForThemselfAndSeesTheResult() throws Exception {
        JsonObject member = join();
        String token = member.getString("memberToken");
        String pseudonym = member.getJsonObject("member").getString("pseudonym");
        HttpResponse<Buffer> r = startCharging(token, near.stationId(), 2);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
        String commandId = r.bodyAsJsonObject().getString("commandId");
        assertThat(r.bodyAsJsonObject().getInteger("port")).isEqualTo(2);

        JsonObject done = awaitOutcome(token, commandId);
        assertThat(done.getString("status")).as(done.encode()).isEqualTo("succeeded");
        assertThat(done.getJsonObject("session").getString("sessionId")).isNotBlank();
        assertThat(done.getJsonObject("session").getLong("endsBy")).isGreaterThan(System.currentTimeMillis());

        JsonObject seenByOperator = get(api.get("/api/v1/commands/" + commandId, operator)).bodyAsJsonObject();
        assertThat(seenByOperator.getString("name")).isEqualTo("charger.start");
        assertThat(seenByOperator.getJsonObject("args")).isEqualTo(new JsonObject().put("port", 2).put("member", pseudonym));
        assertThat(seenByOperator.encode()).as("the phone never goes to a station").doesNotContain("13900139");
        JsonObject started = await().atMost(Duration.ofSeconds(10)).until(() -> get(api.get(
                "/api/v1/events?stationId=" + near.stationId() + "&type=charger.session_started", operator))
                .bodyAsJsonObject().getJsonArray("events").stream().map(JsonObject.class::cast)
                .filter(e -> pseudonym.equals(e.getJsonObject("data").getString("member"))).findFirst(),
                Optional::isPresent).orElseThrow();
        assertThat(started.getJsonObject("data").getInteger("port")).isEqualTo(2);

        // one session at a time from the phone, at this station or any other: free ports cannot be held from afar
        for (StationConfig s : List.of(near, far)) {
            HttpResponse<Buffer> more = startCharging(token, s.stationId(), 3);
            assertThat(more.statusCode()).as(more.bodyAsString()).isEqualTo(409);
            assertThat(code(more)).isEqualTo("already-charging");
        }

        String second = join().getString("memberToken");
        HttpResponse<Buffer> again = startCharging(second, near.stationId(), 2);
        JsonObject busy = awaitOutcome(second, again.bodyAsJsonObject().getString("commandId"));
        assertThat(busy.getString("status")).isEqualTo("failed");
        assertThat(busy.getJsonObject("error").getString("code")).as("the port has a session").isEqualTo("busy");

        JsonObject other = join();
        assertThat(get(api.get("/api/v1/charging/start/" + commandId, other.getString("memberToken"))).statusCode())
                .as("another member's request").isEqualTo(404);
        assertThat(get(api.get("/api/v1/charging/start/" + commandId)).statusCode()).isEqualTo(401);
        assertThat(get(api.get("/api/v1/charging/start/not-a-ulid", token)).statusCode()).isEqualTo(404);
    }

    @Test
    void refusesBadUnknownForeignAndSuspendedChargingRequests() throws Exception {
        JsonObject member = join();
        String token = member.getString("memberToken");
        String id = near.stationId();

        HttpResponse<Buffer> unknown = startCharging(token, "no-such-station", 1);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(code(unknown)).isEqualTo("station-not-found");
        for (Object port : List.of(5, 0, -1, 65, 2.5, "1", true)) {
            HttpResponse<Buffer> r = startCharging(token, id, port);
            assertThat(r.statusCode()).as("port %s: %s", port, r.bodyAsString()).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("port");
        }
        HttpResponse<Buffer> badId = startCharging(token, "BAD<script>", 1);
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("stationId");
        assertThat(get(api.post("/api/v1/charging/start", token, new JsonObject().put("port", 1))).statusCode())
                .as("no station").isEqualTo(400);
        assertThat(get(api.postRaw("/api/v1/charging/start", token, Buffer.buffer("{\"stationId\":"))).statusCode())
                .as("malformed JSON").isEqualTo(400);
        assertThat(get(api.postRaw("/api/v1/charging/start", token, Buffer.buffer("{\"stationId\":\""
                + "x".repeat(70_000) + "\"}"))).statusCode()).as("oversized").isEqualTo(413);

        String someoneElse = join().getJsonObject("member").getString("pseudonym");
        HttpResponse<Buffer> forOther = get(api.post("/api/v1/charging/start", token,
                new JsonObject().put("stationId", id).put("port", 3).put("member", someoneElse)));
        assertThat(forOther.statusCode()).isEqualTo(403);
        assertThat(code(forOther)).isEqualTo("not-yourself");

        HttpResponse<Buffer> offline = startCharging(token, dark.stationId(), 1);
        assertThat(offline.statusCode()).isEqualTo(503);
        assertThat(code(offline)).isEqualTo("station-offline");

        assertThat(startCharging(null, id, 1).statusCode()).as("no token").isEqualTo(401);
        assertThat(startCharging("ymt_forged", id, 1).statusCode()).as("forged token").isEqualTo(401);
        assertThat(startCharging(operator, id, 1).statusCode()).as("a staff token is no member token").isEqualTo(401);

        String memberId = member.getJsonObject("member").getString("id");
        assertThat(get(api.post("/api/v1/members/" + memberId + "/suspend", operator, new JsonObject())).statusCode())
                .isEqualTo(200);
        HttpResponse<Buffer> suspended = startCharging(token, id, 3);
        assertThat(suspended.statusCode()).as("suspension ends the member's tokens").isEqualTo(401);
        assertThat(code(suspended)).isEqualTo("invalid-token");

        assertThat(storedCommands(id)).as("no refused request reached the station")
                .noneMatch(c -> someoneElse.equals(c.getJsonObject("args").getString("member"))
                        || member.getJsonObject("member").getString("pseudonym").equals(c.getString("createdBy")));
    }

    @Test
    void limitsChargingRequestsPerMember() throws Exception {
        String token = join().getString("memberToken");
        for (int i = 0; i < 6; i++) {
            assertThat(startCharging(token, dark.stationId(), 1).statusCode()).as("attempt %d", i + 1).isEqualTo(503);
        }
        HttpResponse<Buffer> limited = startCharging(token, dark.stationId(), 1);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.getHeader("Retry-After")).isNotBlank();
        HttpResponse<Buffer> otherMember = startCharging(join().getString("memberToken"), dark.stationId(), 1);
        assertThat(otherMember.statusCode()).as("another member is not held up").isEqualTo(503);
    }

    @Test
    void aMemberTokenOpensNoStaffApiAndNoOtherStationsDoor() throws Exception {
        JsonObject member = join();
        String token = member.getString("memberToken");
        String memberId = member.getJsonObject("member").getString("id");
        String id = near.stationId();

        HttpResponse<Buffer> command = get(api.post("/api/v1/stations/" + id + "/commands", token,
                new JsonObject().put("name", "door.unlock")));
        assertThat(command.statusCode()).as("commands").isEqualTo(401);
        HttpResponse<Buffer> charge = get(api.post("/api/v1/stations/" + id + "/commands", token, new JsonObject()
                .put("name", "charger.start").put("args", new JsonObject().put("port", 1).put("member", "x"))));
        assertThat(charge.statusCode()).as("charger commands").isEqualTo(401);
        for (String path : List.of("/api/v1/stations", "/api/v1/stations/" + id, "/api/v1/members/" + memberId,
                "/api/v1/members/" + memberId + "/pass", "/api/v1/events", "/api/v1/alerts",
                "/api/v1/stream?access_token=" + token, "/api/v1/stations/" + id + "/sessions")) {
            HttpResponse<Buffer> r = get(api.get(path, token));
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.bodyAsString()).as(path).doesNotContain("13900139");
        }
        assertThat(get(api.post("/api/v1/members/" + memberId + "/resume", token, new JsonObject())).statusCode())
                .as("a member cannot lift a suspension").isEqualTo(401);

        // the entry code on near's screen opens near's door only
        EntryNonce nearNonces = EntryNonce.ofBase64(id, near.access().entryKey().orElseThrow()).orElseThrow();
        String nonce = nearNonces.nonceAt(System.currentTimeMillis());
        for (String other : List.of(far.stationId(), dark.stationId())) {
            HttpResponse<Buffer> crossed = get(api.post("/api/v1/entry", token,
                    new JsonObject().put("stationId", other).put("nonce", nonce)));
            assertThat(crossed.statusCode()).as(other).isEqualTo(400);
            assertThat(code(crossed)).isEqualTo("bad-nonce");
            assertThat(storedCommands(other)).as("no door command for " + other)
                    .noneMatch(c -> "door.unlock".equals(c.getString("name")));
        }
        HttpResponse<Buffer> own = get(api.post("/api/v1/entry", token,
                new JsonObject().put("stationId", id).put("nonce", nonce)));
        assertThat(own.statusCode()).as("the right station still opens: %s", own.bodyAsString()).isEqualTo(202);
    }
}
