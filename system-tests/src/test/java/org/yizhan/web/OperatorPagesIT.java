package org.yizhan.web;

import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Futures;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The operator pages in real headless Chromium against a real hub with simulated stations: signing in, live
 * presence, opening the door from the station page, escaping, working an alert, and screenshots at phone and
 * desktop sizes (written to target/screenshots/).
 */
@ExtendWith(VertxExtension.class)
class OperatorPagesIT {

    private static final String SCRIPT_NAME = "<script>alert(1)</script>";

    @TempDir
    static Path dir;

    static TestHub hub;
    static Browser browser;
    static WebDriver driver;
    static TestAgent alpha;
    static TestAgent beta;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        browser = Browser.start();
        driver = browser.driver();
        hub = TestHub.start(vertx, dir);
        hub.user(TestHub.OPERATOR, "operator");
        alpha = hub.stationWithAgent("文三路驿站", 30.2741, 120.1290);
        beta = hub.stationWithAgent("西溪驿站", 30.2700, 120.0800);
        awaitPresence(alpha, "online");
        awaitPresence(beta, "online");
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, hub);
    }

    @Test
    void refusesABadPasswordAndShowsTheOverviewForAGoodOne() {
        signOut();
        driver.get(hub.url("/"));
        WebElement form = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        form.findElement(By.name("username")).sendKeys(TestHub.OPERATOR);
        form.findElement(By.name("password")).sendKeys("not-the-password");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "用户名或密码错误"));
        assertThat(driver.findElement(By.id("stations-view")).isDisplayed()).as("overview hidden after a bad password").isFalse();

        signIn();
        List<WebElement> rows = driver.findElements(By.cssSelector("#stations tr[data-station]"));
        assertThat(rows).extracting(r -> r.getAttribute("data-station"))
                .contains(alpha.config().stationId(), beta.config().stationId());
        assertThat(driver.findElements(By.cssSelector("#map a.map-station"))).as("stations on the map").hasSizeGreaterThanOrEqualTo(2);

        driver.findElement(By.id("lang")).click();
        browser.waiting(5).until(ExpectedConditions.textToBe(By.cssSelector("th[data-i18n='col.station']"), "Station"));
        driver.navigate().refresh();
        browser.waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("th[data-i18n='col.station']"), "Station"));
        driver.findElement(By.id("lang")).click();
        browser.waiting(5).until(ExpectedConditions.textToBe(By.cssSelector("th[data-i18n='col.station']"), "驿站"));
    }

    @Test
    void showsAStationGoOfflineAndComeBackWithoutReloading() throws Exception {
        signIn();
        String id = alpha.config().stationId();
        By badge = By.cssSelector("tr[data-station='" + id + "'] .state");
        browser.waiting(15).until(ExpectedConditions.attributeToBe(badge, "data-state", "online"));
        ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");

        alpha.stop();
        browser.waiting(20).until(ExpectedConditions.attributeToBe(badge, "data-state", "offline"));
        browser.waiting(5).until(ExpectedConditions.textToBe(badge, "离线"));
        browser.waiting(5).until(ExpectedConditions.attributeContains(
                By.cssSelector("#map a.map-station[data-station='" + id + "']"), "class", "offline"));

        alpha.restart();
        browser.waiting(30).until(ExpectedConditions.attributeToBe(badge, "data-state", "online"));
        assertThat(((JavascriptExecutor) driver).executeScript("return window.__sameDocument === true;"))
                .as("the page was not reloaded").isEqualTo(true);
    }

    @Test
    void opensTheDoorFromTheStationPageAndShowsTheResult() throws Exception {
        awaitPresence(alpha, "online");
        signIn();
        String id = alpha.config().stationId();
        driver.get(hub.url("/station.html?id=" + id));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("name"), "文三路驿站"));
        browser.waiting(15).until(ExpectedConditions.attributeToBe(By.id("presence-state"), "data-state", "online"));

        driver.findElement(By.id("unlock")).click();
        WebElement done = browser.waiting(20).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#commands li.command[data-status='succeeded']")));
        assertThat(done.getText()).contains("开门").contains("成功");
        String commandId = done.getAttribute("data-command");
        JsonObject stored = hub.call("GET", "/api/v1/commands/" + commandId, hub.adminToken(), null);
        assertThat(stored.getString("status")).isEqualTo("succeeded");
        assertThat(stored.getString("name")).isEqualTo("door.unlock");
        alpha.simulate("/sim/door", new JsonObject().put("open", true));
        alpha.simulate("/sim/door", new JsonObject().put("open", false));
        browser.waiting(15).until(ExpectedConditions.textToBePresentInElementLocated(By.id("access"), "门已打开"));
        browser.waiting(15).until(ExpectedConditions.textToBePresentInElementLocated(By.id("access"), "门已关闭"));
    }

    @Test
    void showsEachPortsStateAndPowerAndTheRoomCountWithinSecondsOfAChange() throws Exception {
        awaitPresence(beta, "online");
        signIn();
        String id = beta.config().stationId();
        String row = "tr[data-station='" + id + "'] ";
        By count = By.cssSelector(row + ".count");
        By port2 = By.cssSelector(row + ".ports .port:nth-child(2)");
        browser.waiting(10).until(ExpectedConditions.textToBe(count, "0 / 12"));

        beta.simulate("/sim/beam", new JsonObject().put("direction", "in"));
        beta.simulate("/sim/beam", new JsonObject().put("direction", "in"));
        browser.waiting(5).until(ExpectedConditions.textToBe(count, "2 / 12"));

        beta.simulate("/sim/charger/2", new JsonObject().put("plugged", true).put("powerW", 0)
                .put("startSession", false));
        browser.waiting(5).until(ExpectedConditions.attributeContains(port2, "class", "occupied"));
        JsonObject start = hub.call("POST", "/api/v1/stations/" + id + "/commands", hub.adminToken(),
                new JsonObject().put("name", "charger.start").put("args", new JsonObject().put("port", 2)
                        .put("member", "m-page-test")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonObject c = hub.call("GET", "/api/v1/commands/" + start.getString("id"), hub.adminToken(), null);
            assertThat(c.getString("status")).as(c.encode()).isEqualTo("succeeded");
        });
        beta.simulate("/sim/charger/2", new JsonObject().put("plugged", true).put("powerW", 180));
        browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(port2, "180W"));
        // a live update may redraw the row between finding it and reading it: the wait finds it again
        browser.waiting(5).until(ExpectedConditions.attributeContains(port2, "class", "charging"));
        JsonObject view = hub.call("GET", "/api/v1/stations/" + id, hub.adminToken(), null);
        JsonObject p2 = view.getJsonArray("chargers").stream().map(JsonObject.class::cast)
                .filter(c -> c.getInteger("port") == 2).findFirst().orElseThrow();
        assertThat(p2.getString("state")).isEqualTo("charging");
        assertThat(p2.getDouble("powerW")).isEqualTo(180.0);
        assertThat(view.getJsonObject("occupancy").getInteger("count")).isEqualTo(2);

        beta.simulate("/sim/charger/2", new JsonObject().put("plugged", false));
        beta.simulate("/sim/beam", new JsonObject().put("direction", "out"));
        browser.waiting(5).until(ExpectedConditions.attributeContains(port2, "class", "available"));
        browser.waiting(5).until(ExpectedConditions.textToBe(count, "1 / 12"));
    }

    @Test
    void showsAStationNamedLikeAScriptAsText() throws Exception {
        JsonObject reg = hub.register(SCRIPT_NAME, 30.2800, 120.1000);
        String id = reg.getJsonObject("station").getString("id");
        signIn();
        By name = By.cssSelector("tr[data-station='" + id + "'] a.name");
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(name));
        assertThat(driver.findElement(name).getText()).isEqualTo(SCRIPT_NAME);
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(driver.findElements(By.cssSelector("#stations script, #map script"))).isEmpty();

        driver.get(hub.url("/station.html?id=" + id));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("name"), SCRIPT_NAME));
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(driver.findElements(By.cssSelector("main script"))).isEmpty();
    }

    @Test
    void acknowledgesAndResolvesAnAlertWithANote() throws Exception {
        awaitPresence(beta, "online");
        String id = beta.config().stationId();
        beta.simulate("/sim/door", new JsonObject().put("open", true));
        beta.simulate("/sim/door", new JsonObject().put("open", false));
        long alertId = await().atMost(Duration.ofSeconds(15)).until(() -> openAlert(id, "door-forced"), v -> v > 0);

        signIn();
        driver.get(hub.url("/alerts.html"));
        By item = By.cssSelector("li[data-alert='" + alertId + "']");
        WebElement li = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(item));
        assertThat(li.getText()).contains("门被强行打开").contains("西溪驿站");
        li.findElement(By.cssSelector("button.ack")).click();
        browser.waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("li[data-alert='" + alertId + "'] .alert-ack"), TestHub.OPERATOR));

        String note = "已到现场检查，门锁正常 <b>ok</b>";
        WebElement form = driver.findElement(By.cssSelector("li[data-alert='" + alertId + "'] form.alert-actions"));
        form.findElement(By.cssSelector("button.resolve")).click();
        browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("li[data-alert='" + alertId + "'] .error"), "请填写处理说明"));
        form.findElement(By.name("note")).sendKeys(note);
        form.findElement(By.cssSelector("button.resolve")).click();
        browser.waiting(10).until(ExpectedConditions.invisibilityOfElementLocated(item));

        driver.findElement(By.id("tab-closed")).click();
        WebElement closed = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(item));
        assertThat(closed.findElement(By.cssSelector(".alert-note")).getText()).isEqualTo(note);
        assertThat(closed.findElement(By.cssSelector(".alert-resolution")).getText()).contains(TestHub.OPERATOR);

        JsonObject stored = alerts(id).stream().map(JsonObject.class::cast)
                .filter(a -> a.getLong("id") == alertId).findFirst().orElseThrow();
        assertThat(stored.getValue("closedAt")).as("resolving closed it").isNotNull();
        assertThat(stored.getJsonObject("resolution").getString("note")).isEqualTo(note);
        assertThat(stored.getJsonObject("ack").getString("by")).isEqualTo(TestHub.OPERATOR);
    }

    @Test
    void writesScreenshotsOfTheMainPagesAtPhoneAndDesktopSizes() throws Exception {
        awaitPresence(alpha, "online");
        alpha.simulate("/sim/beam", new JsonObject().put("direction", "in"));
        alpha.simulate("/sim/beam", new JsonObject().put("direction", "in"));
        alpha.simulate("/sim/charger/1", new JsonObject().put("plugged", true).put("powerW", 182).put("tempC", 31));
        beta.simulate("/sim/smoke", new JsonObject().put("alarm", true));
        String id = alpha.config().stationId();
        await().atMost(Duration.ofSeconds(15)).until(() -> openAlert(beta.config().stationId(), "smoke"), v -> v > 0);
        Futures.get(hub.app().timeSeries().flush());
        signIn();
        try {
            for (var size : List.of(Browser.PHONE, Browser.DESKTOP)) {
                String tag = size.equals(Browser.PHONE) ? "phone" : "desktop";
                browser.resize(size);
                driver.get(hub.url("/"));
                browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map a.map-station")));
                shoot("overview-" + tag, size.width);

                driver.get(hub.url("/station.html?id=" + id));
                browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-power[data-points] svg")));
                browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#ports tr[data-port]")));
                shoot("station-" + tag, size.width);

                driver.get(hub.url("/alerts.html"));
                browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#alerts li.alert-item")));
                shoot("alerts-" + tag, size.width);
            }
        } finally {
            beta.simulate("/sim/smoke", new JsonObject().put("alarm", false));
            browser.resize(Browser.DESKTOP);
        }
    }

    private static void shoot(String name, int width) throws Exception {
        Path file = browser.screenshot(name);
        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img.getWidth()).as("%s width", name).isBetween(width - 20, width + 20);
    }

    private static void signOut() {
        browser.signOut(hub.url(""));
    }

    /** Signs in as the operator through the login form (unless signed in) and waits for the overview. */
    private static void signIn() {
        driver.get(hub.url("/"));
        browser.waiting(10).until(d -> d.findElement(By.id("login-view")).isDisplayed()
                || d.findElement(By.id("stations-view")).isDisplayed());
        if (driver.findElement(By.id("login-view")).isDisplayed()) {
            WebElement form = driver.findElement(By.id("login-form"));
            form.findElement(By.name("username")).sendKeys(TestHub.OPERATOR);
            form.findElement(By.name("password")).sendKeys(TestHub.OPERATOR_PASSWORD);
            form.findElement(By.cssSelector("button[type=submit]")).click();
        }
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#stations tr[data-station]")));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("live"), "实时"));
    }

    private static void awaitPresence(TestAgent agent, String state) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> hub.call("GET",
                "/api/v1/stations/" + agent.config().stationId(), hub.adminToken(), null)
                .getJsonObject("presence").getString("state"), state::equals);
    }

    private static JsonArray alerts(String stationId) throws Exception {
        return hub.call("GET", "/api/v1/alerts?stationId=" + stationId, hub.adminToken(), null).getJsonArray("alerts");
    }

    private static long openAlert(String stationId, String type) throws Exception {
        return alerts(stationId).stream().map(JsonObject.class::cast)
                .filter(a -> type.equals(a.getString("type")) && a.getValue("closedAt") == null)
                .mapToLong(a -> a.getLong("id")).findFirst().orElse(0L);
    }
}
