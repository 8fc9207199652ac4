package org.yizhan.hub.auth;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.Proc;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process, started without an admin password: the password it generates is in
 * {@code DATA_DIR/admin-password} (owner-only), works, and appears nowhere in the process's output (the console and
 * the log, both of which systemd and container runtimes keep).
 */
class AdminPasswordFileIT {

    @Test
    void theGeneratedAdminPasswordIsInAnOwnerOnlyFileAndNeverInTheOutput(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("hub");
        Map<String, String> env = Map.of("YIZHAN_DATA_DIR", dataDir.toString(), "YIZHAN_HTTP_HOST", "127.0.0.1",
                "YIZHAN_HTTP_PORT", "0", "YIZHAN_MQTT_HOST", "127.0.0.1", "YIZHAN_MQTT_PORT", "0",
                "YIZHAN_ADMIN_PASSWORD", "");
        try (Proc hub = Proc.start("hub", Proc.jar("hub-server", "yizhan-hub.jar"), List.of("run"), env,
                tmp.resolve("logs"))) {
            int httpPort = Proc.awaitPorts(dataDir, hub).getInteger("http");
            Path file = dataDir.resolve("admin-password");
            assertThat(file).exists();
            String password = Files.readString(file).trim();
            assertThat(password).hasSize(20);
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            }
            // the banner comes after ports.json: wait for it rather than read the output at once
            await("the banner says where the password is").atMost(Duration.ofSeconds(30))
                    .until(() -> hub.output().contains(file.toString()));
            assertThat(hub.output()).doesNotContain(password);

            HttpResponse<String> login = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + httpPort + "/api/v1/auth/login"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", "admin")
                            .put("password", password).encode())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
            hub.stop();
            assertThat(hub.output()).as("nothing the hub wrote, up to its shutdown, holds the password")
                    .doesNotContain(password);
        }
    }
}
