package org.yizhan.hub.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.db.Rows;
import org.yizhan.testing.TestHub;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yizhan.testing.Futures.get;

/**
 * Member tokens over the HTTP API: they expire after {@code member-token-days}, a member can see its phones, renew
 * its token, sign this phone out and sign every other phone out (a lost phone), staff hand a member a new token in
 * person, and a suspension ends every token of the member.
 */
@ExtendWith(VertxExtension.class)
class MemberTokensIT {

    private static final long DAY_MS = 86_400_000L;

    @TempDir
    static Path dir;
    static TestHub hub;
    static String operator;
    static int phone;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir, Map.of("YIZHAN_MEMBER_TOKEN_DAYS", "30"));
        operator = hub.user("desk", "operator");
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    private static JsonObject join() throws Exception {
        return hub.call("POST", "/api/v1/members", null, new JsonObject().put("name", "李师傅")
                .put("phone", "1390000" + String.format("%04d", phone++)).put("occupation", "courier"));
    }

    /** A call only a signed-in member may make: 200 while the token holds, 401 after. */
    private static int pass(String token) throws Exception {
        return hub.send("GET", "/api/v1/members/me/pass", token, null).statusCode();
    }

    private static String newToken(String memberId) throws Exception {
        HttpResponse<String> r = hub.send("POST", "/api/v1/members/" + memberId + "/member-token", operator, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return new JsonObject(r.body()).getString("memberToken");
    }

    @Test
    void aTokenExpiresAfterTheConfiguredDays() throws Exception {
        long before = System.currentTimeMillis();
        JsonObject joined = join();
        String token = joined.getString("memberToken");
        assertThat(joined.getLong("memberTokenExpiresAt")).isBetween(before + 30 * DAY_MS,
                System.currentTimeMillis() + 30 * DAY_MS);
        assertThat(pass(token)).isEqualTo(200);

        // the day comes: the registry's clock passes the expiry
        get(hub.app().database().call(c -> Rows.update(c, "UPDATE member_tokens SET expires_at = ? WHERE member_id = ?",
                System.currentTimeMillis() - 1, joined.getJsonObject("member").getString("id"))));
        HttpResponse<String> expired = hub.send("GET", "/api/v1/members/me/pass", token, null);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(expired.body()).getJsonObject("error").getString("code")).isEqualTo("invalid-token");
    }

    @Test
    void aMemberRenewsItsTokenAndSignsThisPhoneOut() throws Exception {
        String token = join().getString("memberToken");
        JsonObject renewed = hub.call("POST", "/api/v1/members/me/token", token, null);
        String fresh = renewed.getString("memberToken");
        assertThat(fresh).startsWith("ymt_").isNotEqualTo(token);
        assertThat(pass(token)).as("the renewed token ends").isEqualTo(401);
        assertThat(pass(fresh)).isEqualTo(200);

        assertThat(hub.call("POST", "/api/v1/members/me/sign-out", fresh, null).getInteger("ended")).isEqualTo(1);
        assertThat(pass(fresh)).isEqualTo(401);
    }

    @Test
    void aMemberWithANewPhoneSignsTheLostOneOut() throws Exception {
        JsonObject joined = join();
        String lostPhone = joined.getString("memberToken");
        String id = joined.getJsonObject("member").getString("id");
        String newPhone = newToken(id);

        JsonArray phones = hub.call("GET", "/api/v1/members/me/tokens", newPhone, null).getJsonArray("tokens");
        assertThat(phones).hasSize(2);
        assertThat(phones.stream().map(o -> ((JsonObject) o).getBoolean("current"))).containsExactly(true, false);

        assertThat(hub.call("POST", "/api/v1/members/me/sign-out-others", newPhone, null).getInteger("ended"))
                .isEqualTo(1);
        assertThat(pass(lostPhone)).as("the lost phone is signed out").isEqualTo(401);
        assertThat(pass(newPhone)).as("this phone stays signed in").isEqualTo(200);
        assertThat(hub.call("GET", "/api/v1/members/me/tokens", newPhone, null).getJsonArray("tokens")).hasSize(1);
    }

    @Test
    void aSuspensionEndsEveryTokenOfTheMember() throws Exception {
        JsonObject joined = join();
        String id = joined.getJsonObject("member").getString("id");
        String first = joined.getString("memberToken");
        String second = newToken(id);
        String someoneElse = join().getString("memberToken");

        hub.call("POST", "/api/v1/members/" + id + "/suspend", operator, new JsonObject());
        assertThat(pass(first)).isEqualTo(401);
        assertThat(pass(second)).isEqualTo(401);
        assertThat(pass(someoneElse)).as("other members keep theirs").isEqualTo(200);
        assertThat(hub.send("POST", "/api/v1/members/" + id + "/member-token", operator, null).statusCode())
                .as("no token for a suspended member").isEqualTo(409);

        hub.call("POST", "/api/v1/members/" + id + "/resume", operator, new JsonObject());
        assertThat(pass(first)).as("resuming brings no ended token back").isEqualTo(401);
        assertThat(pass(newToken(id))).isEqualTo(200);
        assertThat(hub.send("POST", "/api/v1/members/" + id + "/member-token", null, null).statusCode())
                .as("staff only").isEqualTo(401);
    }
}
