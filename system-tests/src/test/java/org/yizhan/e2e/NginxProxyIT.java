package org.yizhan.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestCerts;
import org.yizhan.testing.TestHub;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The hub behind a real nginx with the site file the README gives ({@code deploy/nginx/yizhan-hub.conf}), changed
 * only where a test must: loopback ports, the hub's port and a test CA's certificate in place of Let's Encrypt's.
 * Plain HTTP is sent to HTTPS, the API answers over HTTPS (HTTP/2) with HSTS, a sign-in works through it, and the
 * operators' live stream is not held back in a buffer.
 */
@ExtendWith(VertxExtension.class)
class NginxProxyIT {

    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    @TempDir
    Path tmp;
    private Process nginx;
    private TestHub hub;

    @AfterEach
    void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(20, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
        if (hub != null) {
            hub.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String replace(String text, String from, String to) {
        assertThat(text).as("the site file still has: " + from).contains(from);
        return text.replace(from, to);
    }

    @Test
    void servesTheHubOverHttpsRedirectsPlainHttpAndStreamsLiveEventsUnbuffered(Vertx vertx) throws Exception {
        assumeTrue(Files.isExecutable(NGINX), "nginx is not installed (apt-get install nginx)");
        hub = TestHub.start(vertx, tmp.resolve("hub"), Map.of("YIZHAN_TRUSTED_PROXIES", "127.0.0.1"));
        TestCerts.Authority ca = TestCerts.authority("Yizhan test CA");
        Path certs = ca.server().writeTo(Files.createDirectories(tmp.resolve("certs")));
        int http = freePort();
        int https = freePort();

        String site = Files.readString(Path.of("..", "deploy", "nginx", "yizhan-hub.conf"));
        site = replace(site, "server 127.0.0.1:8080;", "server 127.0.0.1:" + hub.httpPort() + ";");
        site = replace(site, "    listen 80;\n", "    listen 127.0.0.1:" + http + ";\n");
        site = replace(site, "    listen [::]:80;\n", "");
        site = replace(site, "    listen 443 ssl http2;\n", "    listen 127.0.0.1:" + https + " ssl http2;\n");
        site = replace(site, "    listen [::]:443 ssl http2;\n", "");
        site = replace(site, "/etc/letsencrypt/live/hub.example.org/fullchain.pem", certs.resolve("fullchain.pem")
                .toString());
        site = replace(site, "/etc/letsencrypt/live/hub.example.org/privkey.pem", certs.resolve("privkey.pem")
                .toString());
        Path dir = Files.createDirectories(tmp.resolve("nginx"));
        Files.writeString(dir.resolve("site.conf"), site);
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log stderr;",
                "events {}",
                "http {",
                "    access_log off;",
                "    client_body_temp_path " + dir.resolve("body") + ";",
                "    proxy_temp_path " + dir.resolve("proxy") + ";",
                "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "    scgi_temp_path " + dir.resolve("scgi") + ";",
                "    include " + dir.resolve("site.conf") + ";",
                "}", ""));
        nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("nginx.log").toFile())
                .start();
        await("nginx listening").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(nginx.isAlive()).as(() -> read(dir.resolve("nginx.log"))).isTrue();
            try (Socket s = new Socket("127.0.0.1", https)) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });

        HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> moved = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                + "/api/v1/stations?limit=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(moved.statusCode()).isEqualTo(301);
        assertThat(moved.headers().firstValue("Location")).hasValue("https://127.0.0.1/api/v1/stations?limit=1");

        HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca)).version(HttpClient.Version.HTTP_2)
                .build();
        String base = "https://127.0.0.1:" + https;
        HttpResponse<String> live = client.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(live.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");

        HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", "admin")
                        .put("password", TestHub.ADMIN_PASSWORD).encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String token = new JsonObject(login.body()).getString("token");

        // the live stream says ": connected" as soon as it is subscribed: through nginx too, not when a buffer fills
        HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(URI.create(base
                + "/api/v1/stream?access_token=" + token)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        CompletableFuture<Boolean> connected = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.equals(": connected")) {
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertThat(connected.get(10, TimeUnit.SECONDS)).as("': connected' through nginx").isTrue();
    }

    private static SSLContext trusting(TestCerts.Authority ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}
