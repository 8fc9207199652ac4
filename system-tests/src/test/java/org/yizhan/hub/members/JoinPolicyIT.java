package org.yizhan.hub.members;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.db.Rows;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestHub;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.yizhan.testing.Futures.get;

/**
 * Joining under each {@code join-policy}, end to end over real HTTP against a real hub per policy: what a rider
 * gets, that a phone number in use gets the very answer a new one gets, that a pending member has no pass and no
 * entry until an operator approves, and that under {@code sms} only the one-time code (sent to a loopback gateway)
 * makes a membership.
 */
@ExtendWith(VertxExtension.class)
class JoinPolicyIT {

    /** Self joins are limited per address; these tests join often from one. */
    private static final Map<String, String> MANY_JOINS = Map.of("YIZHAN_PROVISION_ATTEMPTS_PER_MINUTE", "1000");

    private static JsonObject application(String name, String phone) {
        return new JsonObject().put("name", name).put("phone", phone).put("occupation", "courier");
    }

    private static HttpResponse<String> join(TestHub hub, String name, String phone) throws Exception {
        return hub.send("POST", "/api/v1/members", null, application(name, phone));
    }

    private static String code(HttpResponse<String> r) {
        return new JsonObject(r.body()).getJsonObject("error").getString("code");
    }

    /** Every field name of a JSON object, nested ones as {@code a.b}: the shape of an answer. */
    private static Set<String> shape(JsonObject o) {
        Set<String> out = new TreeSet<>();
        o.forEach(e -> {
            out.add(e.getKey());
            if (e.getValue() instanceof JsonObject inner) {
                shape(inner).forEach(k -> out.add(e.getKey() + "." + k));
            }
        });
        return out;
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Open {

        TestHub hub;
        String operator;

        @BeforeAll
        void start(Vertx vertx, @TempDir Path dir) throws Exception {
            hub = TestHub.start(vertx, dir, MANY_JOINS);
            operator = hub.user("open-operator", "operator");
        }

        @AfterAll
        void stop() throws Exception {
            Cleanup.close(hub);
        }

        @Test
        void aJoinGetsAPassAtOnceAndAPhoneInUseGetsTheSameAnswerButNoPass() throws Exception {
            HttpResponse<String> first = join(hub, "王师傅", "+86 138-0013-8101");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
            JsonObject a = new JsonObject(first.body());
            assertThat(hub.send("GET", "/api/v1/members/me/pass", a.getString("memberToken"), null).statusCode())
                    .as("open: the pass works at once").isEqualTo(200);

            HttpResponse<String> again = join(hub, "冒名者", "13800138101");
            assertThat(again.statusCode()).as("same status for a number in use").isEqualTo(201);
            JsonObject b = new JsonObject(again.body());
            assertThat(shape(b)).as("same answer shape").isEqualTo(shape(a));
            HttpResponse<String> squatted = hub.send("GET", "/api/v1/members/me/pass", b.getString("memberToken"), null);
            assertThat(squatted.statusCode()).as("a second membership of the number gets no pass").isEqualTo(403);
            assertThat(code(squatted)).isEqualTo("member-pending");

            String secondId = b.getJsonObject("member").getString("id");
            JsonObject pending = hub.call("GET", "/api/v1/members?status=pending", operator, null);
            JsonObject listed = pending.getJsonArray("members").stream().map(JsonObject.class::cast)
                    .filter(m -> m.getString("id").equals(secondId)).findFirst().orElseThrow();
            assertThat(listed.getBoolean("phoneInUse")).as("operators see the number is held").isTrue();
            assertThat(listed.getString("phone")).isEqualTo("138****8101");
            HttpResponse<String> approve = hub.send("POST", "/api/v1/members/" + secondId + "/approve", operator, null);
            assertThat(approve.statusCode()).as(approve.body()).isEqualTo(409);
            assertThat(code(approve)).isEqualTo("phone-in-use");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Approval {

        TestHub hub;
        String operator;

        @BeforeAll
        void start(Vertx vertx, @TempDir Path dir) throws Exception {
            hub = TestHub.start(vertx, dir, Map.of("YIZHAN_JOIN_POLICY", "approval",
                    "YIZHAN_PROVISION_ATTEMPTS_PER_MINUTE", "1000"));
            operator = hub.user("approval-operator", "operator");
        }

        @AfterAll
        void stop() throws Exception {
            Cleanup.close(hub);
        }

        @Test
        void aPendingMemberHasNoPassAndNoEntryUntilAnOperatorApproves() throws Exception {
            HttpResponse<String> r = join(hub, "李师傅", "13800138201");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonObject joined = new JsonObject(r.body());
            assertThat(joined.getString("status")).isEqualTo("pending-approval");
            String token = joined.getString("memberToken");
            String id = joined.getJsonObject("member").getString("id");

            HttpResponse<String> pass = hub.send("GET", "/api/v1/members/me/pass", token, null);
            assertThat(pass.statusCode()).as(pass.body()).isEqualTo(403);
            assertThat(code(pass)).isEqualTo("member-pending");
            assertThat(code(hub.send("GET", "/api/v1/members/" + id + "/pass", operator, null)))
                    .as("nor through staff").isEqualTo("member-pending");
            HttpResponse<String> entry = hub.send("POST", "/api/v1/entry", token,
                    new JsonObject().put("stationId", "any-station").put("nonce", "x"));
            assertThat(entry.statusCode()).as("no door entry: " + entry.body()).isEqualTo(403);
            assertThat(hub.call("GET", "/api/v1/members/me", token, null).getJsonObject("member")
                    .getString("status")).as("the rider sees the membership waits").isEqualTo("pending");

            assertThat(hub.call("GET", "/api/v1/members?status=pending", operator, null).getJsonArray("members")
                    .stream().map(JsonObject.class::cast).map(m -> m.getString("id"))).contains(id);
            assertThat(hub.send("POST", "/api/v1/members/" + id + "/approve", token, null).statusCode())
                    .as("riders do not approve themselves").isEqualTo(401);
            HttpResponse<String> resume = hub.send("POST", "/api/v1/members/" + id + "/resume", operator, null);
            assertThat(resume.statusCode()).as("resuming is no way round approval").isEqualTo(409);

            JsonObject approved = hub.call("POST", "/api/v1/members/" + id + "/approve", operator, null);
            assertThat(approved.getJsonObject("member").getString("status")).isEqualTo("active");
            HttpResponse<String> after = hub.send("GET", "/api/v1/members/me/pass", token, null);
            assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
            assertThat(new JsonObject(after.body()).getString("pass")).isNotBlank();
            HttpResponse<String> reject = hub.send("POST", "/api/v1/members/" + id + "/reject", operator, null);
            assertThat(reject.statusCode()).as("an active member is not rejected").isEqualTo(409);
        }

        @Test
        void aPhoneInUseGetsTheSameAnswerAndTheNumberIsFreeOnceTheHolderIsRejected() throws Exception {
            HttpResponse<String> first = join(hub, "冒名者", "13800138202");
            HttpResponse<String> second = join(hub, "号码主人", "138 0013 8202");
            HttpResponse<String> fresh = join(hub, "张师傅", "13800138203");
            assertThat(second.statusCode()).isEqualTo(first.statusCode()).isEqualTo(fresh.statusCode()).isEqualTo(202);
            JsonObject a = new JsonObject(first.body());
            JsonObject b = new JsonObject(second.body());
            assertThat(shape(b)).isEqualTo(shape(a)).isEqualTo(shape(new JsonObject(fresh.body())));
            assertThat(b.getString("status")).isEqualTo(a.getString("status"));
            assertThat(b.getString("message")).isEqualTo(a.getString("message"));

            String holder = a.getJsonObject("member").getString("id");
            String owner = b.getJsonObject("member").getString("id");
            assertThat(code(hub.send("POST", "/api/v1/members/" + owner + "/approve", operator, null)))
                    .isEqualTo("phone-in-use");
            hub.call("POST", "/api/v1/members/" + holder + "/reject", operator, null);
            assertThat(hub.send("GET", "/api/v1/members/me", a.getString("memberToken"), null).statusCode())
                    .as("a rejected application's token ends").isEqualTo(401);
            JsonObject approved = hub.call("POST", "/api/v1/members/" + owner + "/approve", operator, null);
            assertThat(approved.getJsonObject("member").getString("status")).isEqualTo("active");
            assertThat(hub.send("GET", "/api/v1/members/me/pass", b.getString("memberToken"), null).statusCode())
                    .isEqualTo(200);
        }

        @Test
        void theDatabaseHoldsOneMembershipPerPhone() throws Exception {
            HttpResponse<String> r = join(hub, "赵师傅", "13800138204");
            assertThat(r.statusCode()).isEqualTo(202);
            assertThatThrownBy(() -> get(hub.app().database().call(c -> Rows.update(c,
                    "INSERT INTO members (id, pseudonym, name, phone, active_phone, occupation, status, "
                            + "status_changed_at, created_at) VALUES ('01TESTTESTTESTTESTTESTTEST', 'm-test', 'x', "
                            + "'13800138204', '13800138204', 'courier', 'active', 0, 0)"))))
                    .as("a second row holding the number").hasRootCauseInstanceOf(SQLException.class);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Sms {

        static final String SECRET = "sms-gateway-secret-for-tests";
        static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");

        TestHub hub;
        HttpServer gateway;
        final BlockingQueue<JsonObject> sent = new LinkedBlockingQueue<>();
        final BlockingQueue<String> refused = new LinkedBlockingQueue<>();
        final AtomicInteger failNext = new AtomicInteger();

        @BeforeAll
        void start(Vertx vertx, @TempDir Path dir) throws Exception {
            gateway = get(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
                if (!("Bearer " + SECRET).equals(req.getHeader("Authorization"))) {
                    refused.add("secret header: " + req.getHeader("Authorization"));
                    req.response().setStatusCode(401).end();
                } else if (!"POST".equals(req.method().name())
                        || !String.valueOf(req.getHeader("Content-Type")).startsWith("application/json")) {
                    refused.add(req.method() + " " + req.getHeader("Content-Type"));
                    req.response().setStatusCode(400).end();
                } else if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    req.response().setStatusCode(503).end();
                } else {
                    sent.add(body.toJsonObject());
                    req.response().setStatusCode(200).end("{\"queued\":true}");
                }
            })).listen(0, "127.0.0.1"));
            hub = TestHub.start(vertx, dir, Map.of("YIZHAN_JOIN_POLICY", "sms",
                    "YIZHAN_SMS_GATEWAY_URL", "http://127.0.0.1:" + gateway.actualPort() + "/send",
                    "YIZHAN_SMS_GATEWAY_SECRET", SECRET, "YIZHAN_SMS_GATEWAY_TIMEOUT_MS", "2000",
                    "YIZHAN_PROVISION_ATTEMPTS_PER_MINUTE", "1000"));
        }

        @AfterAll
        void stop() throws Exception {
            Cleanup.close(hub);
            if (gateway != null) {
                get(gateway.close());
            }
        }

        /** The code in the next message the gateway took, checking its format and recipient. */
        String codeSentTo(String phone) throws Exception {
            JsonObject msg = sent.poll(10, TimeUnit.SECONDS);
            assertThat(msg).as("a message reached the gateway; refused: %s", refused).isNotNull();
            assertThat(msg.fieldNames()).as("the webhook's JSON").containsExactlyInAnyOrder("to", "text");
            assertThat(msg.getString("to")).isEqualTo(phone);
            Matcher m = CODE.matcher(msg.getString("text"));
            assertThat(m.find()).as("a 6-digit code in %s", msg.getString("text")).isTrue();
            return m.group(1);
        }

        HttpResponse<String> verify(String phone, String code) throws Exception {
            return hub.send("POST", "/api/v1/members/verify", null,
                    new JsonObject().put("phone", phone).put("code", code));
        }

        String wrong(String code) {
            return String.format("%06d", (Integer.parseInt(code) + 1) % 1_000_000);
        }

        @Test
        void theCodeFromTheGatewayMakesTheMembershipAndAWrongOneDoesNot() throws Exception {
            HttpResponse<String> r = join(hub, "孙师傅", "+86 13800138301");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonObject answer = new JsonObject(r.body());
            assertThat(answer.getString("status")).isEqualTo("code-sent");
            assertThat(answer.getString("phone")).isEqualTo("138****8301");
            assertThat(answer.containsKey("memberToken")).as("no token before the code").isFalse();
            String code = codeSentTo("13800138301");
            assertThat(r.body()).doesNotContain(code);

            HttpResponse<String> bad = verify("13800138301", wrong(code));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(code(bad)).isEqualTo("code-wrong");
            assertThat(new JsonObject(bad.body()).getJsonObject("error").getString("message")).contains("4 attempt");
            assertThat(code(verify("13800138301", "12ab56"))).as("not digits").isEqualTo("invalid-field");

            HttpResponse<String> ok = verify("138-0013-8301", code);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            String token = new JsonObject(ok.body()).getString("memberToken");
            assertThat(hub.send("GET", "/api/v1/members/me/pass", token, null).statusCode()).isEqualTo(200);
            assertThat(code(verify("13800138301", code))).as("a code works once").isEqualTo("no-code");
        }

        @Test
        void aPhoneInUseGetsTheSameAnswerAndOnlyTheCodeSignsItsMemberIn() throws Exception {
            get(hub.client().post("/api/v1/members", application("周师傅", "13800138302")));
            JsonObject member = new JsonObject(verify("13800138302", codeSentTo("13800138302")).body());
            String memberId = member.getJsonObject("member").getString("id");

            HttpResponse<String> inUse = join(hub, "冒名者", "13800138302");
            String codeForHolder = codeSentTo("13800138302");
            HttpResponse<String> fresh = join(hub, "吴师傅", "13800138303");
            codeSentTo("13800138303");
            assertThat(inUse.statusCode()).isEqualTo(fresh.statusCode()).isEqualTo(202);
            JsonObject a = new JsonObject(inUse.body());
            JsonObject b = new JsonObject(fresh.body());
            assertThat(shape(a)).isEqualTo(shape(b));
            assertThat(a.getString("status")).isEqualTo(b.getString("status"));
            assertThat(a.getString("message").replace("8302", "8303")).isEqualTo(b.getString("message"));
            assertThat(a.getLong("codeExpiresAt") - a.getLong("resendAfter"))
                    .isEqualTo(b.getLong("codeExpiresAt") - b.getLong("resendAfter"));

            assertThat(code(verify("13800138302", wrong(codeForHolder)))).isEqualTo("code-wrong");
            JsonObject signedIn = new JsonObject(verify("13800138302", codeForHolder).body());
            assertThat(signedIn.getJsonObject("member").getString("id")).as("the holder, not a second membership")
                    .isEqualTo(memberId);
            assertThat(signedIn.getJsonObject("member").getString("name")).isEqualTo("周师傅");
        }

        @Test
        void tooManyWrongCodesUseTheCodeUp() throws Exception {
            join(hub, "郑师傅", "13800138304");
            String code = codeSentTo("13800138304");
            for (int left = 4; left >= 0; left--) {
                HttpResponse<String> r = verify("13800138304", wrong(code));
                assertThat(code(r)).isEqualTo("code-wrong");
                assertThat(r.body()).contains(left == 0 ? "no longer works" : left + " attempt");
            }
            HttpResponse<String> r = verify("13800138304", code);
            assertThat(r.statusCode()).as("even the right code, after five wrong").isEqualTo(429);
            assertThat(code(r)).isEqualTo("code-attempts-used-up");
        }

        @Test
        void anExpiredCodeIsRefused() throws Exception {
            join(hub, "王师傅", "13800138305");
            String code = codeSentTo("13800138305");
            // ten minutes on: the code's expiry moved into the past rather than waiting
            get(hub.app().database().call(c -> Rows.update(c,
                    "UPDATE join_codes SET expires_at = ? WHERE phone = ?", System.currentTimeMillis() - 1,
                    "13800138305")));
            HttpResponse<String> r = verify("13800138305", code);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(code(r)).isEqualTo("code-expired");
        }

        @Test
        void anotherCodeForTheSameNumberWaitsAMinute() throws Exception {
            join(hub, "陈师傅", "13800138306");
            codeSentTo("13800138306");
            HttpResponse<String> r = join(hub, "陈师傅", "13800138306");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(code(r)).isEqualTo("code-resend-too-soon");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(sent.poll(300, TimeUnit.MILLISECONDS)).as("no second message").isNull();
        }

        @Test
        void aGatewayFailureIsTriedOnceMoreThenCountedAndAnsweredClearly() throws Exception {
            failNext.set(1);
            HttpResponse<String> retried = join(hub, "刘师傅", "13800138307");
            assertThat(retried.statusCode()).as("the second try got through: " + retried.body()).isEqualTo(202);
            codeSentTo("13800138307");
            assertThat(hub.app().metrics().scrape()).contains("yizhan_sms_retries");

            failNext.set(2);
            HttpResponse<String> failed = join(hub, "黄师傅", "13800138308");
            assertThat(failed.statusCode()).isEqualTo(502);
            assertThat(code(failed)).isEqualTo("sms-failed");
            assertThat(hub.app().metrics().scrape()).containsPattern("yizhan_sms_failures_total\\{reason=\"status\"");
            HttpResponse<String> again = join(hub, "黄师傅", "13800138308");
            assertThat(again.statusCode()).as("the rider may ask again at once: " + again.body()).isEqualTo(202);
            codeSentTo("13800138308");
        }
    }
}
