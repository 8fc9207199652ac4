package org.yizhan.hub.updates;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestHub;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent-update upload is refused before its body is read (here: no token), and the hub closes the connection
 * rather than read megabytes nobody wants. Over HTTP/1.1 the answer must say so ({@code Connection: close}):
 * without it Java's HttpClient kept the connection for its next request, which was then cut off ("header parser
 * received no bytes", as RouteAccessIT saw).
 */
@ExtendWith(VertxExtension.class)
class UploadRefusalIT {

    @TempDir
    static Path dir;
    static TestHub hub;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir);
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    @Test
    void aRefusedUploadSaysTheConnectionClosesAndClosesIt() throws Exception {
        try (Socket s = new Socket("127.0.0.1", hub.httpPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // a bundle announced at 1 MB, of which only the first bytes are sent
            out.write(("POST /api/v1/agent-updates HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/zip\r\n"
                    + "Content-Length: 1000000\r\n\r\nPK\u0003\u0004 and more").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                answer.write(buf, 0, n);
            }
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            assertThat(text).as("the answer, then the end of the connection").startsWith("HTTP/1.1 401")
                    .containsIgnoringCase("\r\nconnection: close\r\n");
        }
    }

    @Test
    void javasHttpClientGoesOnAfterRefusedUploadsOnOneClient() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/agent-updates")))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/zip")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as("upload %d without a token", i).isEqualTo(401);
            assertThat(refused.headers().firstValue("Connection")).hasValue("close");
            HttpResponse<String> next = client.send(HttpRequest.newBuilder(URI.create(hub.url("/health/live")))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(next.statusCode()).as("the request after it").isEqualTo(200);
        }
    }
}
