package org.yizhan.web;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.yizhan.agent.StationAgent;
import org.yizhan.protocol.UpdateBundle;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operators' updates page in real Chromium: an admin uploads a signed update through the page, sees its
 * version and release key, and starts a rollout; each station's version, ring and update status are shown and
 * follow what the stations answer. The two stations here run inside the test's process, not through the launcher,
 * so they refuse the update ({@code unsupported}): the page shows the refusal and the halted rollout, which the
 * admin cancels. (The update installing through the launcher is AgentUpdateIT.)
 */
@ExtendWith(VertxExtension.class)
class UpdatesPageIT {

    @TempDir
    static Path dir;
    static TestHub hub;
    static Browser browser;
    static WebDriver driver;
    static KeyPair release;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        release = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path pub = dir.resolve("release.pub");
        Files.writeString(pub, UpdateBundle.pem(release.getPublic()));
        browser = Browser.start();
        driver = browser.driver();
        hub = TestHub.start(vertx, dir, Map.of("YIZHAN_UPDATE_KEYS", pub.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, hub);
    }

    @Test
    void anAdminUploadsAnUpdateRollsItOutAndSeesEachStationsVersionRingAndAnswer() throws Exception {
        TestAgent first = hub.stationWithAgent("西湖驿站", 30.25, 120.15);
        TestAgent second = hub.stationWithAgent("滨江驿站", 30.20, 120.21);
        Path jar = dir.resolve("yizhan-agent.jar");
        Files.write(jar, "a build of the agent".getBytes(StandardCharsets.UTF_8));
        Path bundle = dir.resolve("yizhan-agent-0.9.0.update");
        try (OutputStream out = Files.newOutputStream(bundle)) {
            UpdateBundle.write(jar, "0.9.0", release.getPrivate(), release.getPublic(), out);
        }

        signIn("/updates.html");
        browser.waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("keys"),
                UpdateBundle.keyId(release.getPublic())));
        WebElement form = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("upload-form")));
        form.findElement(By.id("file")).sendKeys(bundle.toAbsolutePath().toString());
        driver.findElement(By.id("upload")).click();
        browser.waiting(20).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#updates tr[data-version='0.9.0']")));
        assertThat(driver.findElement(By.id("upload-result")).getText()).contains("0.9.0")
                .contains(UpdateBundle.keyId(release.getPublic()));
        for (TestAgent a : new TestAgent[]{first, second}) {
            // the page draws its tables again as news comes: each look finds the row afresh
            browser.waiting(10).until(d -> StationAgent.VERSION.equals(text(cell(a, ".running"))));
        }

        new Select(driver.findElement(By.id("rollout-version"))).selectByValue("0.9.0");
        new Select(driver.findElement(By.id("canary"))).selectByValue(first.stationId());
        driver.findElement(By.id("rollout")).click();

        By halted = By.cssSelector("#rollouts [data-state='halted']");
        browser.waiting(30).until(d -> text(halted).contains(first.stationId()));
        browser.waiting(10).until(d -> text(halted).contains("0.9.0"));
        browser.waiting(10).until(d -> text(By.cssSelector("#agents tr[data-station='" + first.stationId() + "']"))
                .contains("unsupported"));
        browser.waiting(10).until(d -> text(cell(first, ".ring")).equals("第 0 批（0.9.0）"));
        browser.waiting(10).until(d -> classes(cell(first, ".up-status")).contains("failed"));
        // the second ring never started
        browser.waiting(10).until(d -> classes(cell(second, ".up-status")).contains("waiting")
                && text(cell(second, ".ring")).equals("第 1 批（0.9.0）"));
        browser.resize(Browser.DESKTOP);
        ((JavascriptExecutor) driver).executeScript("document.getElementById('rollouts').scrollIntoView()");
        browser.screenshot("updates-halted-desktop");
        browser.resize(Browser.PHONE);
        browser.screenshot("updates-halted-phone");

        // the live view may draw the row again between finding its button and clicking it: find it again then
        browser.waiting(10).until(d -> {
            d.findElement(halted).findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("取消"))
                    .findFirst().orElseThrow().click();
            return true;
        });
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#rollouts [data-state='cancelled']")));
        JsonObject rollouts = hub.call("GET", "/api/v1/rollouts", hub.adminToken(), null);
        assertThat(rollouts.getJsonArray("rollouts").getJsonObject(0).getString("state")).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(10)).until(() -> classes(cell(second, ".up-status")).contains("cancelled"));
    }

    private static By cell(TestAgent a, String css) {
        return By.cssSelector("#agents tr[data-station='" + a.stationId() + "'] " + css);
    }

    /** The text of what {@code by} finds now, empty when nothing or when it was just drawn again. */
    private static String text(By by) {
        try {
            return driver.findElements(by).stream().findFirst().map(WebElement::getText).orElse("");
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return "";
        }
    }

    private static String classes(By by) {
        try {
            return driver.findElements(by).stream().findFirst().map(e -> e.getAttribute("class")).orElse("");
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return "";
        }
    }

    /** Signs in as the admin through the login form, landing on {@code page}. */
    private static void signIn(String page) {
        browser.signOut(hub.url(""));
        driver.get(hub.url("/?next=" + java.net.URLEncoder.encode(page, StandardCharsets.UTF_8)));
        browser.waiting(10).until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                "return document.readyState === 'complete' && location.search.includes('next=')")));
        WebElement form = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        form.findElement(By.name("username")).sendKeys("admin");
        form.findElement(By.name("password")).sendKeys(TestHub.ADMIN_PASSWORD);
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.waiting(10).until(ExpectedConditions.urlContains(page));
        browser.waiting(10).until(d -> ((JavascriptExecutor) d).executeScript("return document.readyState").equals("complete"));
    }
}
