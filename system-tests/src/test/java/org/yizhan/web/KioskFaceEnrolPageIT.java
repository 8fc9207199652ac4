package org.yizhan.web;

import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Futures;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.yizhan.hub.face.FaceConsentIT;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kiosk's "刷脸登记 / Enrol face" in real headless Chromium against a real agent (simulated hardware, the
 * fake face module of {@link FaceConsentIT} as its engine) connected to a real hub: the rider presses the
 * button, shows the pass to the door camera ({@code /sim/camera}) and looks into it ({@code /sim/face}); the
 * screen says each step and the result in words, and a refusal says why. Screenshots in target/screenshots/.
 */
@ExtendWith(VertxExtension.class)
class KioskFaceEnrolPageIT {

    private static final int[] FACE = {40, 40, 230, 230, 40, 40, 230, 230};

    @TempDir
    static Path dir;
    static TestHub hub;
    static Browser browser;
    static ChromeDriver driver;
    static HttpServer module;
    static TestAgent agent;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static int phone = 50;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        browser = Browser.start();
        driver = (ChromeDriver) browser.driver();
        hub = TestHub.start(vertx, dir);
        module = Futures.get(vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/v1/info")) {
                req.response().end(new JsonObject().put("dimension", 8).encode());
                return;
            }
            int w = Integer.parseInt(req.getParam("width"));
            int h = Integer.parseInt(req.getParam("height"));
            req.body().onSuccess(b -> req.response().end(FaceConsentIT.fakeModule(b.getBytes(), w, h).encode()));
        }).listen(0, "127.0.0.1"));
        JsonObject reg = hub.register("文三路驿站", 30.2790, 120.1300);
        Path stateDir = dir.resolve("agents").resolve("claim-0");
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve("face.json"), new JsonObject().put("enabled", true).put("engine", "module")
                .put("moduleUrl", "http://127.0.0.1:" + module.actualPort()).put("matchThreshold", 0.9)
                .put("livenessThreshold", 0.5).put("enrolFrames", 2).encode());
        agent = hub.agentFromClaim(reg.getString("claimCode"));
        String id = reg.getJsonObject("station").getString("id");
        await().atMost(Duration.ofSeconds(15)).until(() -> hub.app().mqtt().isConnected(id));
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, hub);
        if (module != null) {
            Futures.get(module.close());
        }
    }

    private static String join() throws Exception {
        return hub.call("POST", "/api/v1/members", null, new JsonObject().put("name", "刷脸的人")
                .put("phone", "137001370" + (phone++)).put("occupation", "courier")).getString("memberToken");
    }

    private static byte[] pass(String token) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(hub.url("/api/v1/members/me/pass?format=png")))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** A frame to the agent's simulated camera; its JSON answer. */
    private static JsonObject camera(String path, byte[] png) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + path))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isLessThan(300);
        return new JsonObject(r.body());
    }

    private static void kiosk() {
        driver.get("http://127.0.0.1:" + agent.httpPort() + "/kiosk/");
        browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("enrol-start")));
    }

    private static void shot(String name) throws Exception {
        driver.executeScript("document.getElementById('enrol').scrollIntoView({block: 'end'});");
        browser.screenshot(name);
    }

    private static void says(String zh, String en) {
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("enrol-zh"), zh));
        assertThat(driver.findElement(By.id("enrol-en")).getText()).isEqualTo(en);
    }

    @Test
    void riderEnrolsAtTheKioskWithTheDoorCameraAndIsToldWhyNotWithoutConsent() throws Exception {
        browser.resize(RiderPagesIT.DESKTOP);

        // without consent: the screen says what to do about it
        String stranger = join();
        kiosk();
        shot("kiosk-enrol-idle");
        driver.findElement(By.id("enrol-start")).click();
        says("请在摄像头前出示您的通行码", "Show your pass to the camera");
        assertThat(driver.findElement(By.id("enrol-start")).isDisplayed()).isFalse();
        shot("kiosk-enrol-waiting");
        assertThat(camera("/sim/camera", pass(stranger)).getJsonObject("enrolment").getString("reason"))
                .isEqualTo("no-consent");
        says("请先在手机会员页同意刷脸进门，再来登记", "First agree to face entry on your phone (member page), then enrol here");
        shot("kiosk-enrol-no-consent");

        // with consent (once it has reached the station)
        String token = join();
        hub.call("POST", "/api/v1/members/me/face-consent", token, new JsonObject().put("consent", true)
                .put("textVersion", "2026-01").put("sync", false));
        // (asking the kiosk would use up this pass slot's one enrolment: ask the hub whether the station confirmed)
        String station = agent.config().stationId();
        await().atMost(Duration.ofSeconds(15)).until(() -> Futures.get(hub.app().database().call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM commands WHERE station_id = ? "
                    + "AND name = 'face.consent' AND status = 'succeeded'")) {
                ps.setString(1, station);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        })) == 1);
        kiosk();
        driver.findElement(By.id("enrol-start")).click();
        says("请在摄像头前出示您的通行码", "Show your pass to the camera");
        assertThat(camera("/sim/camera", pass(token)).getJsonObject("enrolment").getString("step")).isEqualTo("capturing");
        says("请看着摄像头，保持不动 0/2", "Look at the camera and hold still (0 of 2)");
        assertThat(camera("/sim/face", FaceConsentIT.face(FACE, 20).getBytes()).getJsonObject("enrolment")
                .getString("hint")).isEqualTo("not-live");
        says("请本人看着摄像头，不要用照片 0/2", "Look at the camera yourself, not a photo (0 of 2)");
        shot("kiosk-enrol-capturing");
        JsonObject[] step = new JsonObject[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(150)).until(() -> {
            step[0] = camera("/sim/face", FaceConsentIT.face(FACE, 250).getBytes());
            assertThat(step[0].getValue("decision")).as("never the door while enrolling").isNull();
            return "done".equals(step[0].getJsonObject("enrolment").getString("step"));
        });
        says("登记完成！下次可以刷脸进门", "Done! Next time your face opens the door");
        shot("kiosk-enrol-done");
        browser.resize(Browser.PHONE);
        shot("kiosk-enrol-done-phone");
        browser.resize(RiderPagesIT.DESKTOP);

        // and then the face opens the door, and the kiosk says welcome
        assertThat(camera("/sim/face", FaceConsentIT.face(FACE, 250).getBytes()).getString("decision"))
                .isEqualTo("granted");
        browser.waiting(5).until(ExpectedConditions.textToBe(By.id("door-zh"), "欢迎"));
        browser.waiting(12).until(ExpectedConditions.visibilityOfElementLocated(By.id("enrol-start")));
    }
}
