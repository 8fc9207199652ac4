package org.yizhan.web;

import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.Browser;
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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The technician pages in real headless Chromium against a real hub: a technician adds a station, its claim code
 * provisions a real simulated agent that comes online on the page and passes its self-test, a configuration
 * version pushed from the page is applied and reported by the agent, a CSV import gives a printable sheet; and
 * roles are refused over real HTTP. Screenshots at tablet and desktop sizes go to target/screenshots/.
 */
@ExtendWith(VertxExtension.class)
class TechnicianPagesIT {

    private static final String SCRIPT_NAME = "<script>alert(1)</script>";
    static final String TECHNICIAN = "ladder-tech";
    static final String TECHNICIAN_PASSWORD = "technician-web-test-password";
    static final Dimension TABLET = new Dimension(800, 1280);
    static final Dimension DESKTOP = new Dimension(1366, 900);

    @TempDir
    static Path dir;

    static TestHub hub;
    static Browser browser;
    static WebDriver driver;
    static String techToken;
    static Vertx vertx;

    @BeforeAll
    static void start(Vertx vx) throws Exception {
        vertx = vx;
        browser = Browser.start();
        driver = browser.driver();
        hub = TestHub.start(vertx, dir);
        hub.user(TestHub.OPERATOR, "operator");
        hub.call("POST", "/api/v1/users", hub.adminToken(), new JsonObject().put("username", TECHNICIAN)
                .put("password", TECHNICIAN_PASSWORD).put("role", "technician"));
        techToken = hub.login(TECHNICIAN, TECHNICIAN_PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, hub);
    }

    @Test
    void addsAStationWhoseClaimCodeProvisionsAnAgentThatComesOnlineAndPassesItsSelfTest() throws Exception {
        signIn("/tech.html");
        browser.resize(TABLET);
        try {
            WebElement form = driver.findElement(By.id("add-form"));
            form.findElement(By.name("name")).sendKeys("古墩路驿站");
            form.findElement(By.name("address")).sendKeys("杭州市西湖区古墩路 88 号");
            form.findElement(By.name("lat")).sendKeys("30.2891");
            form.findElement(By.name("lon")).sendKeys("120.0986");
            new Select(form.findElement(By.name("profile"))).selectByValue("simulated");
            form.findElement(By.name("ports")).clear();
            form.findElement(By.name("ports")).sendKeys("2");
            form.findElement(By.name("capacity")).clear();
            form.findElement(By.name("capacity")).sendKeys("10");
            driver.findElement(By.id("add")).click();

            WebElement codeBox = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("#claim-code .claim-code")));
            String code = codeBox.getAttribute("data-code");
            assertThat(code).matches("[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}");
            assertThat(codeBox.findElements(By.cssSelector(".group"))).extracting(WebElement::getText)
                    .as("grouped for reading aloud").containsExactly(code.substring(0, 3), code.substring(3, 5),
                            code.substring(6, 9), code.substring(9));
            browser.waiting(10).until(ExpectedConditions.attributeToBe(By.id("claim-qr"), "data-loaded", "true"));
            assertThat(driver.findElement(By.id("claim-qr")).getAttribute("src")).startsWith("data:image/png;base64,");
            assertThat(driver.findElement(By.id("claim-expires")).getText()).startsWith("有效期至");
            shoot("tech-add-tablet", TABLET.width);
            browser.resize(DESKTOP);
            shoot("tech-add-desktop", DESKTOP.width);
            browser.resize(TABLET);

            driver.findElement(By.id("claim-commission")).click();
            browser.waiting(10).until(ExpectedConditions.textToBe(By.id("name"), "古墩路驿站"));
            browser.waiting(10).until(ExpectedConditions.textToBe(By.id("live"), "实时"));
            assertThat(driver.findElement(By.id("presence-state")).getAttribute("data-state")).isEqualTo("unknown");
            assertThat(driver.findElement(By.cssSelector("#claim-box .claim-code")).getAttribute("data-code")).isEqualTo(code);
            ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");

            TestAgent agent = hub.agentFromClaim(code);
            browser.waiting(30).until(ExpectedConditions.attributeToBe(By.id("presence-state"), "data-state", "online"));
            browser.waiting(10).until(ExpectedConditions.invisibilityOfElementLocated(By.id("claim-box")));
            assertThat(((JavascriptExecutor) driver).executeScript("return window.__sameDocument === true;"))
                    .as("came online without a reload").isEqualTo(true);

            driver.findElement(By.id("run-selftest")).click();
            browser.waiting(30).until(ExpectedConditions.attributeToBe(By.id("selftest-status"), "data-status", "passed"));
            List<WebElement> checks = driver.findElements(By.cssSelector("#checklist li"));
            assertThat(checks).extracting(c -> c.getAttribute("data-check")).contains("relay", "door-contact",
                    "beam-outer", "beam-inner", "meter-1", "meter-2", "camera", "uplink");
            assertThat(checks).allSatisfy(c -> assertThat(c.getAttribute("data-ok")).isEqualTo("true"));
            assertThat(driver.findElement(By.cssSelector("#checklist li[data-check='relay']")).getText())
                    .contains("门锁继电器").contains("通过");
            JsonObject selftests = hub.call("GET", "/api/v1/events?stationId=" + agent.config().stationId()
                    + "&type=selftest.result", hub.adminToken(), null);
            assertThat(selftests.getJsonArray("events")).as("the result was recorded as an event").isNotEmpty();
            shoot("tech-commission-tablet", TABLET.width);
            browser.resize(DESKTOP);
            shoot("tech-commission-desktop", DESKTOP.width);
        } finally {
            browser.resize(Browser.DESKTOP);
        }
    }

    @Test
    void pushesAConfigurationVersionThatTheAgentAppliesAndReports() throws Exception {
        TestAgent agent = hub.stationWithAgent("配置驿站", 30.2600, 120.1600);
        String id = agent.config().stationId();
        awaitOnline(id);
        signIn("/commission.html?id=" + id);
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("config-version"), "1"));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("live"), "实时"));

        WebElement unlock = driver.findElement(By.cssSelector("#settings input[name='door.unlockSeconds']"));
        assertThat(unlock.getAttribute("value")).isEqualTo("5");
        unlock.clear();
        unlock.sendKeys("999");
        driver.findElement(By.id("push")).click();
        browser.waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("config-error"),
                "door.unlockSeconds"));
        assertThat(driver.findElement(By.id("config-version")).getText()).as("a refused push stores nothing").isEqualTo("1");

        unlock = driver.findElement(By.cssSelector("#settings input[name='door.unlockSeconds']"));
        unlock.clear();
        unlock.sendKeys("8");
        WebElement held = driver.findElement(By.cssSelector("#settings input[name='door.heldOpenSeconds']"));
        held.clear();
        held.sendKeys("90");
        driver.findElement(By.id("push")).click();
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("config-version"), "2"));
        browser.waiting(30).until(ExpectedConditions.attributeToBe(By.id("reported-version"), "data-version", "2"));
        WebElement v2 = driver.findElement(By.cssSelector("#versions tr[data-version='2']"));
        assertThat(v2.getText()).contains(TECHNICIAN).contains("开门时长（秒）: 5 → 8").contains("90");

        HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + agent.httpPort() + "/status")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(new JsonObject(status.body()).getInteger("configVersion")).as("the agent runs version 2").isEqualTo(2);
        JsonObject config = hub.call("GET", "/api/v1/stations/" + id + "/config", techToken, null);
        assertThat(config.getJsonObject("reported").getInteger("version")).isEqualTo(2);
        assertThat(config.getJsonObject("settings").getInteger("door.unlockSeconds")).isEqualTo(8);
        assertThat(config.getJsonArray("versions")).extracting(o -> ((JsonObject) o).getInteger("version"))
                .containsExactly(2, 1);

        // a restarted agent runs what it stored and says so in its birth message
        TestAgent restarted = agent.restart();
        try {
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.call("GET", "/api/v1/stations/" + id + "/config",
                techToken, null).getJsonObject("reported", new JsonObject()).getString("source", ""), "birth"::equals);
        assertThat(hub.call("GET", "/api/v1/stations/" + id + "/config", techToken, null)
                .getJsonObject("reported").getInteger("version")).isEqualTo(2);
        } finally {
            restarted.stop();
        }

        HttpResponse<String> stale = hub.send("POST", "/api/v1/stations/" + id + "/config", techToken,
                new JsonObject().put("baseVersion", 1).put("settings", new JsonObject().put("heartbeatSeconds", 15)));
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
        HttpResponse<String> byOperator = hub.send("POST", "/api/v1/stations/" + id + "/config",
                hub.user(TestHub.OPERATOR, "operator"),
                new JsonObject().put("baseVersion", 2).put("settings", new JsonObject().put("heartbeatSeconds", 15)));
        assertThat(byOperator.statusCode()).isEqualTo(403);
    }

    @Test
    void importsACsvFileAndShowsAPrintableSheetOfClaimCodes() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "name,address,lat,lon,profile,ports,capacity\n"
                + "好驿站,地址 1,30.1,120.1,simulated,2,10\n"
                + "坏驿站,地址 2,123.4,120.1,simulated,2,10\n", StandardCharsets.UTF_8);
        Path good = dir.resolve("good.csv");
        Files.writeString(good, "\uFEFFname,address,lat,lon,profile,ports,capacity\r\n"
                + "\"" + SCRIPT_NAME + "\",\"杭州市上城区 1 号, 东门\",30.2500,120.1700,simulated,2,10\r\n"
                + "\"湖滨驿站, 二号\",杭州市上城区湖滨路 2 号,30.2580,120.1650,pi4b-standard,4,20\r\n"
                + "钱江驿站,杭州市上城区 3 号,30.2450,120.2100,pi5-standard,0,8\r\n", StandardCharsets.UTF_8);
        signIn("/import.html");
        browser.resize(TABLET);
        try {
            driver.findElement(By.id("file")).sendKeys(bad.toAbsolutePath().toString());
            driver.findElement(By.id("upload")).click();
            WebElement problem = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("#problems li[data-row='3'][data-column='lat']")));
            assertThat(problem.getText()).isEqualTo("row 3, lat: 123.4 is not a latitude (-90 to 90)");
            assertThat(driver.findElement(By.id("result")).isDisplayed()).isFalse();

            driver.findElement(By.id("file")).clear();
            driver.findElement(By.id("file")).sendKeys(good.toAbsolutePath().toString());
            driver.findElement(By.id("upload")).click();
            browser.waiting(15).until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#sheet .claim-card"), 3));
            assertThat(driver.findElements(By.cssSelector("#problems li"))).isEmpty();
            List<WebElement> cards = driver.findElements(By.cssSelector("#sheet .claim-card"));
            assertThat(cards.get(0).findElement(By.cssSelector(".name")).getText()).isEqualTo(SCRIPT_NAME);
            assertThat(cards.get(0).findElement(By.cssSelector(".addr")).getText()).isEqualTo("杭州市上城区 1 号, 东门");
            assertThat(cards.get(1).findElement(By.cssSelector(".name")).getText()).isEqualTo("湖滨驿站, 二号");
            assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
            assertThat(driver.findElements(By.cssSelector("#sheet script"))).isEmpty();
            browser.waiting(15).until(d -> d.findElements(By.cssSelector("#sheet img[data-loaded='true']")).size() == 3);
            for (WebElement card : cards) {
                assertThat(card.findElement(By.cssSelector(".claim-code")).getAttribute("data-code"))
                        .matches("[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}");
            }
            shoot("tech-import-tablet", TABLET.width);
            browser.resize(DESKTOP);
            shoot("tech-import-desktop", DESKTOP.width);

            // as printed: no page frame, three cards across an A4 page
            ((ChromeDriver) driver).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
            try {
                assertThat(driver.findElement(By.cssSelector("header.top")).isDisplayed()).isFalse();
                assertThat(driver.findElement(By.id("import-form")).isDisplayed()).isFalse();
                long top0 = cards.get(0).getRect().getY();
                assertThat(cards.get(2).getRect().getY()).as("three cards in a row").isEqualTo(top0);
                assertThat(cards.get(0).findElement(By.cssSelector("img")).isDisplayed()).isTrue();
                shoot("tech-import-print", DESKTOP.width);
            } finally {
                ((ChromeDriver) driver).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
            }
        } finally {
            browser.resize(Browser.DESKTOP);
        }
    }

    @Test
    void showsAStationNamedLikeAScriptAsTextOnTheTechnicianPages() throws Exception {
        JsonObject reg = hub.register(SCRIPT_NAME, 30.2800, 120.1000);
        String id = reg.getJsonObject("station").getString("id");
        signIn("/tech.html");
        By name = By.cssSelector("#stations tr[data-station='" + id + "'] .name");
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(name));
        assertThat(driver.findElement(name).getText()).isEqualTo(SCRIPT_NAME);
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        driver.get(hub.url("/commission.html?id=" + id));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("name"), SCRIPT_NAME));
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(driver.findElements(By.cssSelector("main script"))).isEmpty();

        driver.findElement(By.id("lang")).click();
        browser.waiting(5).until(ExpectedConditions.textToBe(By.cssSelector("[data-i18n='cp.selftest']"), "Self-test checklist"));
        driver.findElement(By.id("lang")).click();
        browser.waiting(5).until(ExpectedConditions.textToBe(By.cssSelector("[data-i18n='cp.selftest']"), "自检清单"));
    }

    @Test
    void refusesOverHttpWhatTheRoleMayNotDo() throws Exception {
        HttpResponse<String> joined = hub.send("POST", "/api/v1/members", null, new JsonObject().put("name", "王师傅")
                .put("phone", "13912345678").put("occupation", "food-delivery"));
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(201);
        String memberId = new JsonObject(joined.body()).getJsonObject("member").getString("id");

        HttpResponse<String> asTech = hub.send("GET", "/api/v1/members/" + memberId, techToken, null);
        assertThat(asTech.statusCode()).isEqualTo(200);
        assertThat(asTech.body()).as("no phone digits for a technician").doesNotContain("5678").doesNotContain("139");
        assertThat(new JsonObject(asTech.body()).getJsonObject("member").containsKey("phone")).isFalse();
        HttpResponse<String> suspended = hub.send("POST", "/api/v1/members/" + memberId + "/suspend", techToken, null);
        assertThat(suspended.body()).doesNotContain("5678");
        hub.send("POST", "/api/v1/members/" + memberId + "/resume", techToken, null);
        HttpResponse<String> asAdmin = hub.send("GET", "/api/v1/members/" + memberId, hub.adminToken(), null);
        assertThat(new JsonObject(asAdmin.body()).getJsonObject("member").getString("phone")).isEqualTo("13912345678");

        String operator = hub.user(TestHub.OPERATOR, "operator");
        int before = hub.call("GET", "/api/v1/stations", operator, null).getJsonArray("stations").size();
        HttpResponse<String> imported = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(hub.url("/api/v1/stations/import"))).header("Authorization", "Bearer " + operator)
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("name,address,lat,lon,profile,ports,capacity\n"
                        + "运营导入,地址,30.1,120.1,simulated,2,10\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(imported.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(imported.body()).getJsonObject("error").getString("code")).isEqualTo("forbidden");
        HttpResponse<String> added = hub.send("POST", "/api/v1/stations", operator, new JsonObject().put("name", "x")
                .put("lat", 30).put("lon", 120).put("profile", "simulated").put("ports", 1).put("capacity", 5));
        assertThat(added.statusCode()).isEqualTo(403);
        JsonArray after = hub.call("GET", "/api/v1/stations", operator, null).getJsonArray("stations");
        assertThat(after).hasSize(before);
    }

    private static void shoot(String name, int width) throws Exception {
        Path file = browser.screenshot(name);
        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img.getWidth()).as("%s width", name).isBetween(width - 20, width + 20);
    }

    /** Signs in as the technician through the login form, landing on {@code page}. */
    private static void signIn(String page) {
        browser.signOut(hub.url(""));
        driver.get(hub.url("/?next=" + java.net.URLEncoder.encode(page, StandardCharsets.UTF_8)));
        // the form must be the new page's, which knows where to go next: a form found in the page before it (the
        // plain "/" above) signs in and stays on "/", as one CI run saw
        browser.waiting(10).until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                "return document.readyState === 'complete' && location.search.includes('next=')")));
        WebElement form = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        form.findElement(By.name("username")).sendKeys(TECHNICIAN);
        form.findElement(By.name("password")).sendKeys(TECHNICIAN_PASSWORD);
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.waiting(10).until(ExpectedConditions.urlContains(page.split("\\?")[0]));
        browser.waiting(10).until(d -> ((JavascriptExecutor) d).executeScript("return document.readyState").equals("complete"));
    }

    private static void awaitOnline(String id) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> hub.call("GET",
                "/api/v1/stations/" + id, hub.adminToken(), null).getJsonObject("presence").getString("state"), "online"::equals);
    }
}
