package org.yizhan.agent.kiosk;

import org.yizhan.testing.QrTools;
import org.yizhan.testing.TestAgent;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kiosk's join-the-union and feedback QR codes, served by a real agent and read back with ZXing, and with
 * zbarimg (ZBar, a second decoder) where it is installed.
 */
@ExtendWith(VertxExtension.class)
class InviteQrKioskIT {

    private static final String ID = "kiosk-invite";
    private static final String HUB = "https://hub.yizhan.example";

    @TempDir
    Path dir;
    TestAgent agent;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        StationConfig c = StationConfig.defaults(ID, "Kiosk", HUB + "/",
                new StationConfig.Mqtt("127.0.0.1", 9, false, ID, "unused", 30), "simulated", 1, 10, 10, 30)
                .withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
        agent = TestAgent.start(vertx, c, dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.stop();
        }
    }

    private byte[] png(String path) throws Exception {
        HttpResponse<Buffer> r = agent.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.getHeader("Content-Type")).isEqualTo("image/png");
        return r.body().getBytes();
    }

    private static String zxing(byte[] png) throws Exception {
        var image = ImageIO.read(new ByteArrayInputStream(png));
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image))),
                Map.of(DecodeHintType.PURE_BARCODE, Boolean.FALSE)).getText();
    }

    private String zbar(byte[] png, String name) throws Exception {
        return QrTools.zbarimg(png, dir.resolve(name));
    }

    @Test
    void joinCodeOpensTheHubsJoinPage() throws Exception {
        byte[] png = png("/kiosk/join.png");
        assertThat(zxing(png)).isEqualTo(HUB + "/join.html");
        if (QrTools.hasZbarimg()) {
            assertThat(zbar(png, "join.png")).isEqualTo(HUB + "/join.html");
        }
    }

    @Test
    void feedbackCodeOpensThisStationsFeedbackForm() throws Exception {
        byte[] png = png("/kiosk/feedback.png");
        assertThat(zxing(png)).isEqualTo(HUB + "/f/" + ID);
        if (QrTools.hasZbarimg()) {
            assertThat(zbar(png, "feedback.png")).isEqualTo(HUB + "/f/" + ID);
        }
    }

    @Test
    void linksJsonAndTheKioskPageNameBothCodes() throws Exception {
        HttpResponse<Buffer> links = agent.get("/kiosk/links.json");
        assertThat(links.bodyAsJsonObject().getString("join")).isEqualTo(HUB + "/join.html");
        assertThat(links.bodyAsJsonObject().getString("feedback")).isEqualTo(HUB + "/f/" + ID);
        String page = agent.get("/kiosk/").bodyAsString();
        assertThat(page).contains("src=\"/kiosk/join.png\"").contains("src=\"/kiosk/feedback.png\"")
                .contains("扫码加入工会").contains("劳动者说");
    }
}
