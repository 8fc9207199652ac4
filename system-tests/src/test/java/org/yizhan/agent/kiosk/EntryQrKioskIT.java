package org.yizhan.agent.kiosk;

import org.yizhan.testing.QrTools;
import org.yizhan.testing.TestAgent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.access.EntryNonce;
import org.yizhan.config.StationConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/** The kiosk's scan-to-enter QR code, read back by zbarimg (ZBar), a decoder other than the agent's ZXing. */
@ExtendWith(VertxExtension.class)
class EntryQrKioskIT {

    private static final String ID = "kiosk-entry";
    private static final String HUB = "https://hub.yizhan.example";
    private static final byte[] KEY = "entry-key-for-tests-0123456789ab".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    TestAgent agent;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.stop();
        }
    }

    private HttpResponse<Buffer> start(Vertx vertx, boolean withKey, String path) throws Exception {
        StationConfig c = StationConfig.defaults(ID, "Kiosk", HUB + "/",
                new StationConfig.Mqtt("127.0.0.1", 9, false, ID, "unused", 30), "simulated", 1, 10, 10, 30)
                .withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
        if (withKey) {
            c = c.withAccess(c.access().withEntryKey(Base64.getEncoder().encodeToString(KEY)));
        }
        agent = TestAgent.start(vertx, c, dir);
        return agent.get(path);
    }

    @Test
    void entryPngDecodesWithZbarToTheDocumentedHubUrl(Vertx vertx) throws Exception {
        QrTools.assumeZbarimg();
        long before = System.currentTimeMillis();
        HttpResponse<Buffer> png = start(vertx, true, "/kiosk/entry.png");
        long after = System.currentTimeMillis();
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.getHeader("Content-Type")).isEqualTo("image/png");
        assertThat(png.getHeader("Cache-Control")).isEqualTo("no-store");

        String decoded = QrTools.zbarimg(png.body().getBytes(), dir.resolve("entry.png"));

        assertThat(decoded).matches("https://hub\\.yizhan\\.example/e/kiosk-entry/[A-Z2-7]{12}");
        EntryNonce nonces = EntryNonce.of(ID, KEY);
        assertThat(decoded).isIn(List.of(HUB + nonces.pathAt(before), HUB + nonces.pathAt(after)));
    }

    @Test
    void entryJsonGivesTheSameUrlAndWhenItChanges(Vertx vertx) throws Exception {
        HttpResponse<Buffer> r = start(vertx, true, "/kiosk/entry.json");
        assertThat(r.statusCode()).isEqualTo(200);
        String url = r.bodyAsJsonObject().getString("url");
        long expires = r.bodyAsJsonObject().getLong("expiresAt");
        assertThat(url).startsWith(HUB + "/e/" + ID + "/");
        assertThat(expires % 30_000).isZero();
        assertThat(expires - System.currentTimeMillis()).isBetween(-1_000L, 30_000L);
    }

    @Test
    void withoutAnEntryKeyThereIsNoCodeToShow(Vertx vertx) throws Exception {
        HttpResponse<Buffer> r = start(vertx, false, "/kiosk/entry.png");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("no-entry-key");
    }

    @Test
    void kioskPageShowsTheEntryCode(Vertx vertx) throws Exception {
        HttpResponse<Buffer> page = start(vertx, true, "/kiosk/");
        assertThat(page.bodyAsString()).contains("id=\"entry-qr\"").contains("手机扫码进门");
    }
}
