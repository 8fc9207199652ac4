package org.yizhan.hub;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Login and provisioning refuse guessing with 429 and Retry-After: logins with growing delays (3 free failures
 * here), provisioning after the limit of failures per minute.
 */
@ExtendWith(VertxExtension.class)
class RateLimitedEntryIT {

    @TempDir
    static Path dataDir;

    static TestHub hub;
    static HubApp app;
    static HubClient api;

    @BeforeAll
    static void startHub(Vertx vertx) throws Exception {
        // no admin password configured: the hub generates the first one
        hub = TestHub.start(vertx, dataDir, Map.of("YIZHAN_ADMIN_PASSWORD", "",
                "YIZHAN_LOGIN_FREE_FAILURES", "3", "YIZHAN_PROVISION_ATTEMPTS_PER_MINUTE", "3"));
        app = hub.app();
        api = hub.client();
    }

    @AfterAll
    static void stopHub() throws Exception {
        hub.close();
    }

    @Test
    void generatesTheFirstAdminPasswordOnceAndLimitsFailedLogins(VertxTestContext ctx) throws Exception {
        Path file = app.generatedAdminPasswordFile().orElseThrow();
        assertThat(file).isEqualTo(hub.dataDir().resolve("admin-password"));
        String password = Files.readString(file).trim();
        assertThat(password).hasSize(20);
        JsonObject wrong = new JsonObject().put("username", "admin").put("password", "guess");
        Future<HttpResponse<Buffer>> chain = api.post("/api/v1/auth/login", new JsonObject().put("username", "admin")
                .put("password", password));
        chain = chain.compose(ok -> {
            ctx.verify(() -> assertThat(ok.statusCode()).as("the generated password works").isEqualTo(200));
            return api.post("/api/v1/auth/login", wrong);
        });
        for (int i = 0; i < 2; i++) {
            chain = chain.compose(r -> {
                ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(401));
                return api.post("/api/v1/auth/login", wrong);
            });
        }
        chain.compose(r -> {
            ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(401));
            return api.post("/api/v1/auth/login", new JsonObject().put("username", "admin").put("password", password));
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            // three failures put the account under attack, and this address then waits 4 s (1 s doubled twice)
            assertThat(r.statusCode()).as("this address is held back even with the right password").isEqualTo(429);
            assertThat(Long.parseLong(r.getHeader("Retry-After"))).isBetween(1L, 4L);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("too-many-attempts");
            assertThat(app.metrics().scrape()).contains("yizhan_login_rejects");
            ctx.completeNow();
        })));
    }

    @Test
    void limitsFailedProvisioningPerClient(VertxTestContext ctx) {
        JsonObject guess = new JsonObject().put("claimCode", "ABCDE-23456");
        Future<HttpResponse<Buffer>> chain = api.post("/api/v1/provision", guess);
        for (int i = 0; i < 2; i++) {
            chain = chain.compose(r -> {
                ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(404));
                return api.post("/api/v1/provision", guess);
            });
        }
        chain.compose(r -> {
            ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(404));
            return api.post("/api/v1/provision", guess);
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.getHeader("Retry-After")).isNotBlank();
            ctx.completeNow();
        })));
    }
}
