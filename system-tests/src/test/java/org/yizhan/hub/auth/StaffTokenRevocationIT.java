package org.yizhan.hub.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.PostgresRegistry;
import org.yizhan.testing.TestHub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Staff tokens end on every hub of a registry within seconds: two hubs on one PostgreSQL; a token signed in on one
 * and used on the other stops working on both after a logout, a password change, disabling the user or changing
 * its role.
 */
@ExtendWith(VertxExtension.class)
class StaffTokenRevocationIT {

    /** What the hubs promise: a check against the registry is trusted for 2 s; a margin for a busy machine. */
    private static final Duration WITHIN = Duration.ofSeconds(6);

    @TempDir
    static Path dir;
    static TestHub a;
    static TestHub b;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        Map<String, String> registry = PostgresRegistry.newDatabase();
        a = TestHub.start(vertx, dir.resolve("a"), registry);
        b = TestHub.start(vertx, dir.resolve("b"), registry);
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(a, b);
    }

    private static int me(TestHub hub, String token) throws Exception {
        return hub.send("GET", "/api/v1/auth/me", token, null).statusCode();
    }

    private static void endsOnBoth(String token) {
        await("the token ends on both hubs").atMost(WITHIN).untilAsserted(() -> {
            assertThat(me(a, token)).isEqualTo(401);
            assertThat(me(b, token)).isEqualTo(401);
        });
    }

    @Test
    void logoutEndsThatTokenOnEveryHubAndNoOther() throws Exception {
        String other = a.user("night-shift", "operator");
        String token = a.login("night-shift", TestHub.password("night-shift"));
        assertThat(me(b, token)).as("the other hub takes it").isEqualTo(200);

        assertThat(a.send("POST", "/api/v1/auth/logout", token, null).statusCode()).isEqualTo(200);
        assertThat(me(a, token)).as("at once on the hub that ended it").isEqualTo(401);
        endsOnBoth(token);
        assertThat(me(b, other)).as("the user's other token stays").isEqualTo(200);
        assertThat(b.send("POST", "/api/v1/auth/logout", token, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aPasswordChangeEndsTheUsersEarlierTokens() throws Exception {
        String first = a.user("day-shift", "operator");
        assertThat(me(b, first)).isEqualTo(200);
        JsonObject changed = b.call("POST", "/api/v1/auth/password", first, new JsonObject()
                .put("currentPassword", TestHub.password("day-shift")).put("newPassword", "a-new-password-42"));
        endsOnBoth(first);
        String fresh = changed.getString("token");
        assertThat(me(a, fresh)).as("the token the change answered with").isEqualTo(200);
        assertThat(a.send("POST", "/api/v1/auth/login", null, new JsonObject().put("username", "day-shift")
                .put("password", TestHub.password("day-shift"))).statusCode()).isEqualTo(401);
        assertThat(a.login("day-shift", "a-new-password-42")).isNotBlank();
        assertThat(b.send("POST", "/api/v1/auth/password", fresh, new JsonObject()
                .put("currentPassword", "wrong-password").put("newPassword", "another-password-1")).statusCode())
                .isEqualTo(400);
    }

    @Test
    void disablingAUserOrChangingItsRoleEndsItsTokens() throws Exception {
        String admin = a.adminToken();
        String tech = a.user("field-tech", "technician");
        assertThat(b.send("PATCH", "/api/v1/users/field-tech", admin, new JsonObject().put("role", "operator"))
                .statusCode()).isEqualTo(200);
        endsOnBoth(tech);
        String asOperator = b.login("field-tech", TestHub.password("field-tech"));
        assertThat(a.call("GET", "/api/v1/auth/me", asOperator, null).getString("role")).isEqualTo("operator");

        JsonObject disabled = a.call("PATCH", "/api/v1/users/field-tech", admin, new JsonObject().put("disabled", true));
        assertThat(disabled.getBoolean("disabled")).isTrue();
        endsOnBoth(asOperator);
        assertThat(b.send("POST", "/api/v1/auth/login", null, new JsonObject().put("username", "field-tech")
                .put("password", TestHub.password("field-tech"))).statusCode()).isEqualTo(401);

        assertThat(a.send("PATCH", "/api/v1/users/admin", admin, new JsonObject().put("disabled", true)).statusCode())
                .as("an admin cannot lock itself out").isEqualTo(409);
        assertThat(a.send("PATCH", "/api/v1/users/nobody", admin, new JsonObject().put("disabled", true)).statusCode())
                .isEqualTo(404);
        assertThat(a.send("PATCH", "/api/v1/users/field-tech", asOperator, new JsonObject().put("disabled", false))
                .statusCode()).isEqualTo(401);
    }
}
