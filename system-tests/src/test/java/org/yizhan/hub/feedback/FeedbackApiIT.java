package org.yizhan.hub.feedback;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.HubApp;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestHub;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rider feedback over real HTTP against a real hub (H2 registry): submitting, reading back with the secret,
 * triage and answer by operators, overdue flags, masking phone numbers for technicians, and refusing bad input.
 * Each test sends from its own loopback address, so the per-address limit of one test does not touch another.
 */
@ExtendWith(VertxExtension.class)
class FeedbackApiIT {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(10);

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static String admin;
    static String operator;
    static String technician;
    static String station;

    @BeforeAll
    static void start(Vertx v) throws Exception {
        vertx = v;
        hub = TestHub.start(v, dataDir);
        app = hub.app();
        api = hub.client();
        admin = hub.adminToken();
        operator = hub.user("fb-operator", "operator");
        technician = hub.user("fb-technician", "technician");
        station = hub.createStation(admin, TestHub.station("文三路驿站")).getJsonObject("station").getString("id");
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    /** A client that connects from its own loopback address (127.0.0.N): its own rate-limit bucket. */
    private static WebClient rider() {
        WebClientOptions o = new WebClientOptions();
        o.setLocalAddress("127.0.0." + NEXT_ADDRESS.getAndIncrement());
        o.setDefaultHost("127.0.0.1");
        o.setDefaultPort(app.httpPort());
        return WebClient.create(vertx, o);
    }

    private static JsonObject feedback(String text) {
        return new JsonObject().put("stationId", station).put("category", "charger").put("text", text);
    }

    private static HttpResponse<Buffer> submit(WebClient rider, JsonObject body) throws Exception {
        return get(rider.post("/api/v1/feedback").sendJsonObject(body));
    }

    private static JsonObject staffList(String token, String query) throws Exception {
        HttpResponse<Buffer> r = get(api.get("/api/v1/feedback" + query, token));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private static JsonObject item(JsonObject list, String id) {
        return list.getJsonArray("feedback").stream().map(JsonObject.class::cast)
                .filter(f -> id.equals(f.getString("id"))).findFirst().orElseThrow(() -> new AssertionError(id + " not listed"));
    }

    private static long endOfShanghaiDay(long at, int daysAfter) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(at), SHANGHAI).plusDays(1L + daysAfter).atStartOfDay(SHANGHAI)
                .toInstant().toEpochMilli();
    }

    @Test
    void riderSubmitsOperatorTriagesAndAnswersAndTheRiderReadsTheAnswerWithTheSecret() throws Exception {
        WebClient rider = rider();
        HttpResponse<Buffer> form = get(rider.get("/api/v1/feedback/form/" + station).send());
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.bodyAsJsonObject().getString("name")).isEqualTo("文三路驿站");
        assertThat(form.bodyAsJsonObject().getJsonArray("categories").getList()).contains("charger", "other");

        String text = "3号充电口坏了 <script>alert(1)</script>";
        HttpResponse<Buffer> created = submit(rider, feedback(text).put("contact", "微信 rider-7"));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        String id = created.bodyAsJsonObject().getString("id");
        String secret = created.bodyAsJsonObject().getString("secret");
        assertThat(id).matches(Feedback.ID);
        assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
        JsonObject mine = created.bodyAsJsonObject().getJsonObject("feedback");
        long createdAt = mine.getLong("createdAt");
        assertThat(mine.getString("text")).as("kept as written").isEqualTo(text);
        assertThat(mine.getString("status")).isEqualTo("new");
        assertThat(mine.getLong("deadline")).as("untriaged: the normal deadline").isEqualTo(endOfShanghaiDay(createdAt, 3));

        HttpResponse<Buffer> wrongKey = get(rider.get("/api/v1/feedback/" + id + "?k=" + "A".repeat(32)).send());
        assertThat(wrongKey.statusCode()).isEqualTo(404);
        assertThat(wrongKey.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("feedback-not-found");

        JsonObject listed = item(staffList(operator, "?stationId=" + station + "&status=new"), id);
        assertThat(listed.getString("text")).isEqualTo(text);
        assertThat(listed.getString("stationName")).isEqualTo("文三路驿站");
        assertThat(listed.getBoolean("overdue")).isFalse();

        HttpResponse<Buffer> triaged = get(api.post("/api/v1/feedback/" + id + "/triage", operator,
                new JsonObject().put("priority", "urgent")));
        assertThat(triaged.statusCode()).as(triaged.bodyAsString()).isEqualTo(200);
        JsonObject t = triaged.bodyAsJsonObject().getJsonObject("feedback");
        assertThat(t.getString("priority")).isEqualTo("urgent");
        assertThat(t.getLong("deadline")).as("urgent: end of the Shanghai day it came").isEqualTo(endOfShanghaiDay(createdAt, 0));
        assertThat(t.getJsonObject("triage").getString("by")).isEqualTo("fb-operator");

        HttpResponse<Buffer> answered = get(api.post("/api/v1/feedback/" + id + "/answer", operator,
                new JsonObject().put("text", "已安排维修，明天修好。")));
        assertThat(answered.statusCode()).as(answered.bodyAsString()).isEqualTo(200);
        assertThat(answered.bodyAsJsonObject().getJsonObject("feedback").getString("status")).isEqualTo("answered");

        HttpResponse<Buffer> read = get(rider.get("/api/v1/feedback/" + id + "?k=" + secret).send());
        assertThat(read.statusCode()).as(read.bodyAsString()).isEqualTo(200);
        JsonObject seen = read.bodyAsJsonObject().getJsonObject("feedback");
        assertThat(seen.getJsonObject("answer").getString("text")).isEqualTo("已安排维修，明天修好。");
        assertThat(seen.getJsonObject("answer").containsKey("by")).as("the rider is not told who answered").isFalse();
        assertThat(seen.getString("stationName")).isEqualTo("文三路驿站");

        HttpResponse<Buffer> twice = get(api.post("/api/v1/feedback/" + id + "/answer", operator,
                new JsonObject().put("text", "again")));
        assertThat(twice.statusCode()).isEqualTo(409);
        assertThat(twice.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("already-answered");
        assertThat(get(api.post("/api/v1/feedback/" + id + "/triage", operator,
                new JsonObject().put("priority", "normal"))).statusCode()).isEqualTo(409);
        JsonObject after = get(rider.get("/api/v1/feedback/" + id + "?k=" + secret).send()).bodyAsJsonObject()
                .getJsonObject("feedback");
        assertThat(after.getJsonObject("answer").getString("text")).as("the first answer stays").isEqualTo("已安排维修，明天修好。");
    }

    @Test
    void flagsAndCountsItemsPastTheirDeadline() throws Exception {
        WebClient rider = rider();
        String late = submit(rider, feedback("热水器不热")).bodyAsJsonObject().getString("id");
        String fresh = submit(rider, feedback("椅子坏了")).bodyAsJsonObject().getString("id");
        long fourDaysAgo = System.currentTimeMillis() - 4 * 86_400_000L;
        get(app.database().call(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE feedback SET created_at = ?, deadline = ? WHERE id = ?")) {
                ps.setLong(1, fourDaysAgo);
                ps.setLong(2, Deadlines.of(Deadlines.NORMAL, fourDaysAgo));
                ps.setString(3, late);
                return ps.executeUpdate();
            }
        }));
        JsonObject all = staffList(operator, "?stationId=" + station);
        assertThat(item(all, late).getBoolean("overdue")).isTrue();
        assertThat(item(all, fresh).getBoolean("overdue")).isFalse();
        JsonObject overdue = staffList(operator, "?stationId=" + station + "&overdue=true");
        assertThat(overdue.getJsonArray("feedback").stream().map(o -> ((JsonObject) o).getString("id")))
                .contains(late).doesNotContain(fresh);
        long expectedOverdue = overdue.getJsonArray("feedback").size();
        assertThat(overdue.getJsonObject("counts").getLong("overdue")).as("counted as listed").isEqualTo(expectedOverdue)
                .isGreaterThanOrEqualTo(1);

        // triage cannot hide an old item: urgent counts from the day it came, so it stays overdue
        JsonObject triaged = get(api.post("/api/v1/feedback/" + late + "/triage", operator,
                new JsonObject().put("priority", "urgent"))).bodyAsJsonObject().getJsonObject("feedback");
        assertThat(triaged.getBoolean("overdue")).isTrue();
        get(api.post("/api/v1/feedback/" + late + "/answer", operator, new JsonObject().put("text", "抱歉回复晚了")));
        JsonObject afterAnswer = staffList(operator, "?stationId=" + station);
        assertThat(item(afterAnswer, late).getBoolean("overdue")).as("answered is no longer overdue").isFalse();
        assertThat(afterAnswer.getJsonObject("counts").getLong("overdue")).isEqualTo(expectedOverdue - 1);
    }

    @Test
    void linksAMemberAndMasksPhoneNumbersForTechnicians() throws Exception {
        WebClient rider = rider();
        HttpResponse<Buffer> joined = get(rider.post("/api/v1/members").sendJsonObject(new JsonObject()
                .put("name", "王师傅").put("phone", "13912345678").put("occupation", "courier")));
        assertThat(joined.statusCode()).as(joined.bodyAsString()).isEqualTo(201);
        String memberToken = joined.bodyAsJsonObject().getString("memberToken");
        String pseudonym = joined.bodyAsJsonObject().getJsonObject("member").getString("pseudonym");

        HttpResponse<Buffer> created = get(rider.post("/api/v1/feedback").putHeader("Authorization", "Bearer " + memberToken)
                .sendJsonObject(feedback("门禁坏了，请打 13800138000").put("contact", "13800138000")));
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
        String id = created.bodyAsJsonObject().getString("id");

        JsonObject byOperator = item(staffList(operator, "?stationId=" + station), id);
        assertThat(byOperator.getString("contact")).isEqualTo("13800138000");
        assertThat(byOperator.getString("member")).isEqualTo(pseudonym);
        JsonObject byTechnician = item(staffList(technician, "?stationId=" + station), id);
        assertThat(byTechnician.getValue("contact")).as("technicians do not see the contact").isNull();
        assertThat(byTechnician.getString("text")).isEqualTo("门禁坏了，请打 138****8000");
        assertThat(byTechnician.encode()).doesNotContain("13800138000").doesNotContain("13912345678");
        assertThat(byOperator.encode()).as("the member's own phone is never in feedback").doesNotContain("13912345678");

        HttpResponse<Buffer> forged = get(rider.post("/api/v1/feedback").putHeader("Authorization", "Bearer ymt_forged")
                .sendJsonObject(feedback("x")));
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid-token");
    }

    @Test
    void refusesBadInputWithTheApiErrorShapeAndStoresNothing() throws Exception {
        WebClient rider = rider();
        int before = staffList(admin, "?stationId=" + station).getJsonObject("counts").getInteger("total");
        Map<JsonObject, String> bad = Map.of(
                feedback("x").put("category", "weather"), "category",
                feedback(""), "text",
                feedback("   "), "text",
                feedback("x".repeat(FeedbackRoutes.MAX_TEXT_CHARS + 1)), "text",
                feedback("bell\u0007"), "text",
                feedback("x").put("contact", "c".repeat(FeedbackRoutes.MAX_CONTACT_CHARS + 1)), "contact",
                feedback("x").put("stationId", "../etc"), "stationId",
                feedback("x").put("text", 5), "text");
        for (Map.Entry<JsonObject, String> e : bad.entrySet()) {
            HttpResponse<Buffer> r = submit(rider(), e.getKey());
            assertThat(r.statusCode()).as(e.getKey().encode()).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo(e.getValue());
        }
        HttpResponse<Buffer> unknown = submit(rider, feedback("x").put("stationId", "no-such-station"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("station-not-found");
        HttpResponse<Buffer> notJson = get(rider.post("/api/v1/feedback").putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{not json")));
        assertThat(notJson.statusCode()).isEqualTo(400);
        HttpResponse<Buffer> huge = get(rider().post("/api/v1/feedback").putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(feedback("x".repeat(70_000)).encode())));
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(huge.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("too-large");

        assertThat(get(rider.get("/api/v1/feedback/not-a-ticket?k=" + "A".repeat(32)).send()).statusCode()).isEqualTo(404);
        HttpResponse<Buffer> noKey = get(rider.get("/api/v1/feedback/ABCDEFGHJK").send());
        assertThat(noKey.statusCode()).isEqualTo(400);
        assertThat(noKey.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("k");
        assertThat(get(rider.get("/api/v1/feedback/form/no-such-station").send()).statusCode()).isEqualTo(404);

        String id = submit(rider, feedback("ok")).bodyAsJsonObject().getString("id");
        for (JsonObject b : new JsonObject[]{new JsonObject(), new JsonObject().put("priority", "soon")}) {
            HttpResponse<Buffer> r = get(api.post("/api/v1/feedback/" + id + "/triage", operator, b));
            assertThat(r.statusCode()).as(b.encode()).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("priority");
        }
        for (JsonObject b : new JsonObject[]{new JsonObject(), new JsonObject().put("text", " "),
                new JsonObject().put("text", "y".repeat(FeedbackRoutes.MAX_TEXT_CHARS + 1))}) {
            HttpResponse<Buffer> r = get(api.post("/api/v1/feedback/" + id + "/answer", operator, b));
            assertThat(r.statusCode()).as(b.encode()).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("text");
        }
        assertThat(get(api.post("/api/v1/feedback/ABCDEFGHJK/answer", operator, new JsonObject().put("text", "y")))
                .statusCode()).isEqualTo(404);
        HttpResponse<Buffer> badFilter = get(api.get("/api/v1/feedback?status=lost", operator));
        assertThat(badFilter.statusCode()).isEqualTo(400);
        assertThat(badFilter.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("status");

        JsonObject counts = staffList(admin, "?stationId=" + station).getJsonObject("counts");
        assertThat(counts.getInteger("total")).as("only the one good item was stored").isEqualTo(before + 1);
        assertThat(item(staffList(admin, "?stationId=" + station), id).getString("status")).isEqualTo("new");
    }

    @Test
    void staffCallsNeedASignedInUser() throws Exception {
        WebClient rider = rider();
        String id = submit(rider, feedback("没有纸巾")).bodyAsJsonObject().getString("id");
        assertThat(get(rider.get("/api/v1/feedback").send()).statusCode()).isEqualTo(401);
        assertThat(get(rider.post("/api/v1/feedback/" + id + "/triage").sendJsonObject(new JsonObject().put("priority", "urgent")))
                .statusCode()).isEqualTo(401);
        HttpResponse<Buffer> forged = get(rider.post("/api/v1/feedback/" + id + "/answer")
                .putHeader("Authorization", "Bearer forged-token").sendJsonObject(new JsonObject().put("text", "hi")));
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid-token");
        assertThat(item(staffList(operator, "?stationId=" + station), id).getString("status")).isEqualTo("new");
    }

    @Test
    void limitsSubmissionsPerClientAddress() throws Exception {
        WebClient rider = rider();
        for (int i = 0; i < 10; i++) {
            assertThat(submit(rider, feedback("第 " + i + " 条")).statusCode()).isEqualTo(201);
        }
        HttpResponse<Buffer> limited = submit(rider, feedback("one more"));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("too-many-attempts");
        assertThat(Long.parseLong(limited.getHeader("Retry-After"))).isBetween(1L, 60L);
        assertThat(submit(rider(), feedback("from another address")).statusCode()).isEqualTo(201);
    }
}
