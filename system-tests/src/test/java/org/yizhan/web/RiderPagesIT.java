package org.yizhan.web;

import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.Browser;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.yizhan.access.Ed25519;
import org.yizhan.access.EntryNonce;
import org.yizhan.access.RiderPass;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The rider pages in real headless Chromium at phone size against a real hub with simulated stations connected
 * over MQTT: find the nearest station with a free charger (the phone's location given through the DevTools
 * protocol), join in three steps, show a pass whose QR code, as the screen shows it, decodes to a pass the hub's
 * published key verifies, and start charging at a port. Also: no location, errors beside their fields, escaping,
 * screenshots at phone and desktop sizes (target/screenshots/) and each page's transfer size.
 */
@ExtendWith(VertxExtension.class)
class RiderPagesIT {

    static final Dimension DESKTOP = new Dimension(1366, 900);
    /** No rider page may load more than this (html, js, css, images) before it is useful. */
    static final long PAGE_BUDGET_BYTES = 300 * 1024;
    /** The rider stands here. */
    static final double LAT = 30.2741;
    static final double LON = 120.1290;

    @TempDir
    static Path dir;
    static TestHub hub;
    static Browser browser;
    static ChromeDriver driver;
    static TestAgent near;
    static TestAgent far;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        browser = Browser.start();
        driver = (ChromeDriver) browser.driver();
        hub = TestHub.start(vertx, dir);
        far = hub.stationWithAgent("西溪驿站", 30.2700, 120.0800);
        near = hub.stationWithAgent("文三路驿站", 30.2790, 120.1300);
        // any change makes an agent send telemetry at once (else within telemetrySeconds): its ports are then known
        for (TestAgent a : List.of(near, far)) {
            awaitOnline(a);
            a.simulate("/sim/beam", new JsonObject().put("direction", "in"));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> freePorts(near) == 4 && freePorts(far) == 4);
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, hub);
    }

    @BeforeEach
    void phoneWithLocation() {
        browser.resize(Browser.PHONE);
        driver.get(hub.url("/rider.html"));
        js("localStorage.clear();");
        driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", hub.url(""),
                "permissions", List.of("geolocation")));
        driver.executeCdpCommand("Emulation.setGeolocationOverride", Map.of("latitude", LAT, "longitude", LON,
                "accuracy", 20));
    }

    @AfterEach
    void noAlertWasRaised() {
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    @Test
    void riderFindsAFreeChargerJoinsShowsAPassAndStartsCharging() throws Exception {
        // find: nearest first, with walking time, open now, free chargers
        driver.get(hub.url("/rider.html"));
        browser.waiting(15).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "near"));
        List<WebElement> items = driver.findElements(By.cssSelector("#stations li.station"));
        assertThat(items).extracting(li -> li.getAttribute("data-station"))
                .containsExactly(id(near), id(far));
        WebElement first = items.get(0);
        assertThat(first.findElement(By.cssSelector(".name")).getText()).isEqualTo("文三路驿站");
        assertThat(first.findElement(By.cssSelector(".distance")).getText()).matches("直线 5\\d\\d 米 · 步行约 \\d+ 分钟");
        assertThat(first.findElement(By.cssSelector(".open-now")).getText()).isEqualTo("开放中");
        assertThat(first.findElement(By.cssSelector(".free-ports")).getAttribute("data-free")).isEqualTo("4");
        assertThat(first.findElement(By.cssSelector(".walk")).getAttribute("href")).startsWith("geo:30.27900,120.13000");
        assertThat(driver.findElement(By.id("where")).getText()).contains("按离你的远近排列");

        // join in three steps, each checked beside its field
        driver.findElement(By.id("nav-pass")).click();
        browser.waiting(10).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-step", "1"));
        driver.findElement(By.id("next")).click();
        browser.waiting(5).until(ExpectedConditions.textToBe(By.id("name-error"), "请写上你的名字"));
        driver.findElement(By.id("name")).sendKeys("王小明");
        driver.findElement(By.id("next")).click();
        browser.waiting(5).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-step", "2"));
        driver.findElement(By.id("phone")).sendKeys("12345");
        driver.findElement(By.id("next")).click();
        browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(By.id("phone-error"), "11 位数字"));
        assertThat(driver.findElement(By.id("phone")).getAttribute("aria-invalid")).isEqualTo("true");
        driver.findElement(By.id("phone")).clear();
        driver.findElement(By.id("phone")).sendKeys("138 0013 8123");
        driver.findElement(By.id("next")).click();
        browser.waiting(5).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-step", "3"));
        browser.screenshot("rider-join-step3-phone");
        driver.findElement(By.id("next")).click();
        browser.waiting(5).until(ExpectedConditions.textToBe(By.id("occupation-error"), "请选一项工作"));
        driver.findElement(By.cssSelector("input[value='food-delivery']")).click();
        driver.findElement(By.id("next")).click();

        // the pass: a QR code that, as shown, decodes to a pass the hub's key verifies, and rotates before it ends
        browser.waiting(15).until(ExpectedConditions.urlToBe(hub.url("/pass.html")));
        String token = (String) js("return localStorage.getItem('yizhan.memberToken');");
        assertThat(token).startsWith("ymt_");
        String pseudonym = hub.call("GET", "/api/v1/members/me/pass", token, null).getString("member");
        WebElement qr = browser.waiting(15).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#qr[data-version]")));
        browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), pseudonym));
        assertThat(driver.findElement(By.id("who")).getText()).contains("王小明");
        assertThat(qr.getSize().getWidth()).as("the QR fills the phone's width").isGreaterThanOrEqualTo(300);
        assertThat(driver.findElement(By.id("countdown")).getText()).matches("\\d{1,2} 秒后更新");
        RiderPass shown = decodeShownPass(qr);
        assertThat(shown.pseudonym()).isEqualTo(pseudonym);
        assertThat(shown.verify(Ed25519.publicKey(publishedKey(shown.kid())))).as("signed with the hub's key").isTrue();
        long firstExpires = Long.parseLong(qr.getAttribute("data-expires-at"));
        assertThat(firstExpires).isEqualTo(shown.expiresAtMillis());
        browser.screenshot("rider-pass-shown-phone");
        // the hub signs for the slot it is in; stations take a pass until 30 s after its slot (clock skew), so
        // the next slot's pass must be on the screen within moments of the turn, long before that
        browser.waiting(40).until(d -> !String.valueOf(firstExpires).equals(
                d.findElement(By.id("qr")).getAttribute("data-expires-at")));
        assertThat(System.currentTimeMillis()).as("the next pass came right after the slot turned")
                .isBetween(firstExpires, firstExpires + 5_000);
        RiderPass next = decodeShownPass(driver.findElement(By.id("qr")));
        assertThat(next.slot()).isEqualTo(shown.slot() + 1);
        assertThat(next.verify(Ed25519.publicKey(publishedKey(next.kid())))).isTrue();

        // charge at the first free port of the nearest station
        driver.get(hub.url("/rider.html"));
        browser.waiting(15).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "near"));
        driver.findElement(By.cssSelector("li[data-station='" + id(near) + "'] a.port.available[data-port='1']")).click();
        browser.waiting(10).until(ExpectedConditions.urlToBe(hub.url("/c/" + id(near) + "/1")));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("station-name"), "文三路驿站"));
        assertThat(driver.findElement(By.id("port-line")).getText()).isEqualTo("1 号充电口");
        driver.findElement(By.id("start")).click();
        WebElement state = browser.waiting(20).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#state.ok")));
        assertThat(state.getText()).startsWith("1 号口已开始充电");
        browser.screenshot("rider-charge-started-phone");
        JsonObject started = await().atMost(Duration.ofSeconds(10)).until(() -> hub.call("GET",
                        "/api/v1/events?stationId=" + id(near) + "&type=charger.session_started", hub.adminToken(), null)
                .getJsonArray("events").stream().map(JsonObject.class::cast)
                .filter(e -> pseudonym.equals(e.getJsonObject("data").getString("member"))).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        assertThat(started.getJsonObject("data").getInteger("port")).isEqualTo(1);

        assertThat(driver.findElement(By.id("start")).isDisplayed()).as("nothing to start again").isFalse();

        // starting again from the phone: one session at a time, and the page says how to charge a second bike
        driver.navigate().refresh();
        browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("start"))).click();
        browser.waiting(20).until(ExpectedConditions.textToBe(By.cssSelector("#state.bad"),
                "你已经有一个口在充电了；再充一个，请在充电口的摄像头前出示通行码"));

        driver.get(hub.url("/rider.html"));
        browser.waiting(20).until(ExpectedConditions.attributeToBe(
                By.cssSelector("li[data-station='" + id(near) + "'] .free-ports"), "data-free", "3"));
    }

    @Test
    void scanToEnterOpensTheDoorForAMemberAndOffersJoiningToOthers() throws Exception {
        String id = id(near);
        EntryNonce nonces = EntryNonce.ofBase64(id, near.config().access().entryKey().orElseThrow()).orElseThrow();
        driver.get(hub.url("/e/" + id + "/" + nonces.nonceAt(System.currentTimeMillis())));
        WebElement join = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("join")));
        assertThat(join.getAttribute("href")).endsWith("/join.html");
        browser.screenshot("rider-entry-nomember-phone");

        JsonObject joined = hub.call("POST", "/api/v1/members", null, new JsonObject().put("name", "进门的人")
                .put("phone", "13900000003").put("occupation", "ride-hailing"));
        js("localStorage.setItem('yizhan.memberToken', arguments[0]);", joined.getString("memberToken"));
        driver.get(hub.url("/e/" + id + "/" + nonces.nonceAt(System.currentTimeMillis())));
        browser.waiting(20).until(ExpectedConditions.textToBe(By.id("state-text"), "门已打开，欢迎"));
        assertThat(driver.findElement(By.id("join")).isDisplayed()).isFalse();
        browser.screenshot("rider-entry-phone");
        browser.resize(DESKTOP);
        browser.screenshot("rider-entry-desktop");
    }

    @Test
    void withoutTheLocationListsStationsWithoutDistanceAndSaysWhy() {
        driver.executeCdpCommand("Browser.setPermission", Map.of("permission", Map.of("name", "geolocation"),
                "setting", "denied", "origin", hub.url("")));
        try {
            driver.get(hub.url("/r"));
            browser.waiting(15).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "all"));
            assertThat(driver.findElement(By.id("why")).getText()).contains("你没有允许这个网页使用位置");
            assertThat(driver.findElement(By.id("where")).getText()).contains("不显示距离");
            assertThat(driver.findElements(By.cssSelector("#stations li.station"))).hasSizeGreaterThanOrEqualTo(2);
            assertThat(driver.findElements(By.cssSelector("#stations .distance"))).isEmpty();
            driver.findElement(By.id("lang")).click();
            browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(By.id("why"), "You did not allow this page"));
            assertThat(driver.findElement(By.cssSelector("li[data-station='" + id(near) + "'] .open-now")).getText())
                    .isEqualTo("Open now");
            driver.findElement(By.id("lang")).click();
        } finally {
            driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", hub.url(""),
                    "permissions", List.of("geolocation")));
        }
    }

    @Test
    void aNumberThatHasJoinedIsNotToldSoAndItsPassWaitsForTheStaff() throws Exception {
        hub.call("POST", "/api/v1/members", null, new JsonObject().put("name", "先来的人")
                .put("phone", "13900000001").put("occupation", "courier"));
        driver.get(hub.url("/join.html"));
        driver.findElement(By.id("name")).sendKeys("后来的人");
        driver.findElement(By.id("next")).click();
        driver.findElement(By.id("phone")).sendKeys("139 0000 0001");
        driver.findElement(By.id("next")).click();
        driver.findElement(By.cssSelector("input[value='trucker']")).click();
        driver.findElement(By.id("next")).click();
        // the page goes on as for any join: nothing tells who holds the number
        browser.waiting(15).until(ExpectedConditions.urlToBe(hub.url("/pass.html")));
        browser.waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("state"), "等待工会工作人员审核"));
        assertThat((String) js("return localStorage.getItem('yizhan.memberToken');")).startsWith("ymt_");
        driver.findElement(By.id("lang")).click();
        browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(By.id("state"), "waiting for the union staff"));
        driver.findElement(By.id("lang")).click();
        js("localStorage.removeItem('yizhan.memberToken');");
    }

    @Test
    void showsAStationNamedLikeAScriptAsTextOnTheChargePage() throws Exception {
        String script = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        String id = hub.register(script, 30.28, 120.10).getJsonObject("station").getString("id");
        driver.get(hub.url("/c/" + id + "/2"));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("station-name"), script));
        assertThat(driver.findElements(By.cssSelector("main script, main img"))).isEmpty();
        assertThat(driver.findElement(By.id("join")).isDisplayed()).as("not a member yet: join first").isTrue();
        assertThat(driver.findElement(By.id("join-link")).getAttribute("href")).endsWith("/join.html?next=%2Fc%2F" + id + "%2F2");
        driver.get(hub.url("/c/no-such-station/1"));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("state"), "找不到这个驿站"));
    }

    @Test
    void eachPageStaysUnderItsSizeBudgetAndIsPhotographedAtPhoneAndDesktopSize() throws Exception {
        JsonObject joined = hub.call("POST", "/api/v1/members", null, new JsonObject().put("name", "拍照的人")
                .put("phone", "13900000002").put("occupation", "courier"));
        String token = joined.getString("memberToken");
        Map<String, By> pages = new java.util.LinkedHashMap<>();
        pages.put("find", By.cssSelector("#stations li.station"));
        pages.put("join", By.cssSelector("#step-1:not([hidden])"));
        pages.put("pass", By.cssSelector("#qr[data-version]"));
        pages.put("charge", By.cssSelector("#station-name:not(:empty)"));
        Map<String, String> paths = Map.of("find", "/rider.html", "join", "/join.html", "pass", "/pass.html",
                "charge", "/c/" + id(far) + "/2");
        try {
            for (Dimension size : List.of(Browser.PHONE, DESKTOP)) {
                String tag = size.equals(Browser.PHONE) ? "phone" : "desktop";
                browser.resize(size);
                for (Map.Entry<String, By> page : pages.entrySet()) {
                    driver.get(hub.url("/rider.html"));
                    js("localStorage.clear();" + ("join".equals(page.getKey()) ? ""
                            : "localStorage.setItem('yizhan.memberToken', arguments[0]);"), token);
                    driver.get(hub.url(paths.get(page.getKey())));
                    browser.waiting(15).until(ExpectedConditions.presenceOfElementLocated(page.getValue()));
                    Path shot = browser.screenshot("rider-" + page.getKey() + "-" + tag);
                    BufferedImage img = ImageIO.read(shot.toFile());
                    assertThat(img.getWidth()).as(shot.toString()).isBetween(size.width - 20, size.width + 20);
                    if (size.equals(Browser.PHONE)) {
                        assertThat(((Number) js("return document.documentElement.scrollWidth;")).intValue())
                                .as("%s fits the phone's width", page.getKey()).isLessThanOrEqualTo(size.width);
                        checkTransferSize(page.getKey());
                    }
                }
            }
        } finally {
            browser.resize(Browser.PHONE);
        }
    }

    /** Sums what the page loaded (the document and every resource: scripts, styles, images, API answers). */
    private static void checkTransferSize(String page) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) js(
                "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                        + ".map(e => ({name: e.name, bytes: Math.max(e.transferSize || 0, e.encodedBodySize || 0)}));");
        long total = entries.stream().mapToLong(e -> ((Number) e.get("bytes")).longValue()).sum();
        assertThat(entries).extracting(e -> (String) e.get("name")).as(page)
                .anyMatch(n -> n.endsWith("/rider.css")).anyMatch(n -> n.endsWith("/js/common.js"));
        assertThat(total).as("%s loads %s", page, entries).isBetween(5_000L, PAGE_BUDGET_BYTES);
    }

    /** The pass in the QR code as the screen shows it (given a moment, should the browser be painting it). */
    private static RiderPass decodeShownPass(WebElement qr) {
        return await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> decodeOnce(qr), java.util.Objects::nonNull);
    }

    private static RiderPass decodeOnce(WebElement qr) throws Exception {
        BufferedImage shown = ImageIO.read(new ByteArrayInputStream(qr.getScreenshotAs(OutputType.BYTES)));
        String text = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(shown))),
                Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE)).getText();
        return RiderPass.parse(text).orElseThrow(() -> new AssertionError("not a rider pass: " + text));
    }

    private static String publishedKey(int kid) throws Exception {
        return hub.call("GET", "/api/v1/pass-keys", null, null).getJsonArray("keys").stream()
                .map(JsonObject.class::cast).filter(k -> k.getInteger("kid") == kid).findFirst().orElseThrow()
                .getString("publicKey");
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static String id(TestAgent a) {
        return a.config().stationId();
    }

    private static int freePorts(TestAgent a) throws Exception {
        return hub.call("GET", "/api/v1/public/stations/" + id(a), null, null).getJsonObject("station")
                .getInteger("freePorts");
    }

    private static void awaitOnline(TestAgent a) {
        await().atMost(Duration.ofSeconds(20)).until(() -> hub.call("GET", "/api/v1/public/stations/" + id(a), null, null)
                .getJsonObject("station").getBoolean("online"));
    }
}
