package org.yizhan.hub.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestHub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A flood of bad passwords for {@code admin}, from one address and from many, behind a trusted proxy that names
 * each client: the attacker is held back with growing delays, and the real admin, signing in from another address
 * with the right password, gets in at once.
 */
@ExtendWith(VertxExtension.class)
class LoginLimitsIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> login(TestHub hub, String user, String password, String client) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/auth/login")))
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", user)
                        .put("password", password).encode()))
                .header("Content-Type", "application/json").header("X-Forwarded-For", client)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFloodOfBadPasswordsForAdminDoesNotLockTheRealAdminOut(Vertx vertx, @TempDir Path dir) throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir, Map.of("YIZHAN_TRUSTED_PROXIES", "127.0.0.1, ::1"))) {
            String attacker = "203.0.113.66";
            await("the attacker's address is held back").atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<String> r = login(hub, "admin", "guess-" + System.nanoTime(), attacker);
                assertThat(r.statusCode()).isIn(401, 429);
                return r.statusCode() == 429;
            });
            HttpResponse<String> held = login(hub, "admin", "another-guess", attacker);
            assertThat(held.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(held.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 300L);
            for (int i = 0; i < 30; i++) {
                assertThat(login(hub, "admin", "bot-guess", "192.0.2." + (i + 1)).statusCode())
                        .as("each bot's first guess is checked (and counted)").isEqualTo(401);
            }

            HttpResponse<String> owner = login(hub, "admin", TestHub.ADMIN_PASSWORD, "198.51.100.7");
            assertThat(owner.statusCode()).as("the real admin from another address: %s", owner.body()).isEqualTo(200);
            assertThat(new JsonObject(owner.body()).getString("token")).isNotBlank();
        }
    }
}
