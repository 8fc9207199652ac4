package org.yizhan.hub;

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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code trusted-proxies}: a forged X-Forwarded-For from an untrusted peer changes nothing (the peer is limited);
 * from a trusted proxy the forwarded client is the one limited. {@code metrics-token} and {@code metrics-allow}
 * restrict {@code /metrics}.
 */
@ExtendWith(VertxExtension.class)
class ProxiesAndMetricsIT {

    private static final String METRICS_TOKEN = "scrape-token-0123456789";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private int login(TestHub hub, String user, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.url("/api/v1/auth/login")))
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", user)
                        .put("password", "wrong-password").encode()))
                .header("Content-Type", "application/json");
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private int metrics(TestHub hub, String token, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.url("/metrics")));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void untrustedPeersCannotChooseTheirAddressAndMetricsNeedTheToken(Vertx vertx, @TempDir Path dir) throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir, Map.of("YIZHAN_LOGIN_FREE_FAILURES", "3",
                "YIZHAN_METRICS_TOKEN", METRICS_TOKEN))) {
            for (int i = 0; i < 3; i++) {
                assertThat(login(hub, "nobody-" + i, "198.51.100." + i)).isEqualTo(401);
            }
            // the fourth failure makes the direct peer wait: forged addresses do not give it a fresh start
            AtomicInteger n = new AtomicInteger(10);
            await("forged addresses do not escape the limit").atMost(Duration.ofSeconds(20))
                    .until(() -> login(hub, "nobody-" + n.get(), "198.51.100." + n.getAndIncrement()) == 429);

            assertThat(metrics(hub, null, null)).isEqualTo(401);
            assertThat(metrics(hub, "wrong-token-0123456789", null)).isEqualTo(401);
            assertThat(metrics(hub, METRICS_TOKEN, null)).isEqualTo(200);
            assertThat(hub.send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void behindATrustedProxyTheForwardedClientIsLimitedAndMetricsFollowTheAllowList(Vertx vertx, @TempDir Path dir)
            throws Exception {
        try (TestHub hub = TestHub.start(vertx, dir, Map.of("YIZHAN_LOGIN_FREE_FAILURES", "3",
                "YIZHAN_TRUSTED_PROXIES", "127.0.0.1, ::1", "YIZHAN_METRICS_ALLOW", "10.0.0.0/8"))) {
            for (int i = 0; i < 5; i++) {
                assertThat(login(hub, "rider-" + i, "198.51.100." + i)).as("each client its own limit").isEqualTo(401);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(login(hub, "again-" + i, "6.6.6.6, 203.0.113.7")).isEqualTo(401);
            }
            AtomicInteger n = new AtomicInteger(10);
            await("the forwarded client is limited, whatever it wrote on the left").atMost(Duration.ofSeconds(20))
                    .until(() -> login(hub, "again-" + n.get(), n.getAndIncrement() + ".1.1.1, 203.0.113.7") == 429);
            assertThat(login(hub, "rider-9", "198.51.100.9")).as("another forwarded client is not held back")
                    .isEqualTo(401);

            assertThat(metrics(hub, null, null)).as("the proxy itself is not on the list").isEqualTo(403);
            assertThat(metrics(hub, null, "10.20.30.40")).isEqualTo(200);
            assertThat(metrics(hub, null, "192.0.2.1")).isEqualTo(403);
        }
    }
}
