package org.yizhan.web;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A station's first start after the first-boot script provisioned it ({@code selftest.request} in its state
 * directory): the agent runs the self-test once the uplink is up, the hub stores the result, and the kiosk screen
 * shows it to the technician in real headless Chromium, each check with its words. Screenshot in target/screenshots/.
 */
@ExtendWith(VertxExtension.class)
class KioskSelfTestPageIT {

    @TempDir
    Path dir;
    private Browser browser;
    private TestHub hub;

    @AfterEach
    void stop() throws Exception {
        Cleanup.close(browser, hub);
    }

    @Test
    void theFirstStartRunsTheSelfTestOnceAndTheKioskShowsIt(Vertx vertx) throws Exception {
        browser = Browser.start();
        hub = TestHub.start(vertx, dir);
        JsonObject reg = hub.register("自检驿站", 30.2790, 120.1300);
        String id = reg.getJsonObject("station").getString("id");
        Path stateDir = Files.createDirectories(hub.agentDir("claim-0"));
        Path request = Files.writeString(stateDir.resolve("selftest.request"), "");
        TestAgent agent = hub.agentFromClaim(reg.getString("claimCode"));

        String token = hub.adminToken();
        await("the hub stores the first self-test").atMost(Duration.ofSeconds(30)).until(() -> !hub.call("GET",
                "/api/v1/events?type=selftest.result&stationId=" + id, token, null).getJsonArray("events").isEmpty());
        JsonObject result = hub.call("GET", "/api/v1/events?type=selftest.result&stationId=" + id, token, null)
                .getJsonArray("events").getJsonObject(0).getJsonObject("data");
        JsonArray checks = result.getJsonArray("checks");
        assertThat(checks.stream().map(c -> ((JsonObject) c).getString("name")))
                .contains("relay", "door-contact", "smoke", "camera", "uplink");
        await("the request is spent").atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(request));

        WebDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + agent.httpPort() + "/kiosk/");
        WebElement box = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("selftest")));
        String n = Integer.toString(checks.size());
        if (result.getBoolean("ok")) {
            assertThat(box.getAttribute("class")).contains("passed");
            assertThat(driver.findElement(By.id("selftest-zh")).getText()).isEqualTo("自检通过：" + n + " 项全部正常");
            assertThat(driver.findElement(By.id("selftest-en")).getText()).isEqualTo("Self-test passed: all " + n
                    + " checks");
        } else {
            assertThat(box.getAttribute("class")).contains("failed");
            assertThat(driver.findElement(By.id("selftest-en")).getText()).contains("checks failed");
        }
        List<WebElement> items = driver.findElements(By.cssSelector("#selftest-checks li"));
        assertThat(items).hasSize(checks.size());
        JsonObject uplink = checks.stream().map(c -> (JsonObject) c).filter(c -> c.getString("name").equals("uplink"))
                .findFirst().orElseThrow();
        assertThat(items).extracting(WebElement::getText)
                .contains((uplink.getBoolean("ok") ? "✓ " : "✗ ") + "uplink: " + uplink.getString("detail"));
        browser.screenshot("kiosk-first-selftest");
    }
}
