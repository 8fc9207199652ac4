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
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Telemetry;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.Futures;
import org.yizhan.testing.TestHub;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A station's charts (ECharts) in real Chromium over a year of its telemetry in the hub's embedded QuestDB: the
 * year fits in one chart because the hub downsamples it to a few hundred points; a chosen range (a week in
 * spring) shows only that week, at a finer step; zooming into the chart fetches the zoomed span again. Screenshots
 * at phone and desktop sizes.
 */
@ExtendWith(VertxExtension.class)
class StationChartsIT {

    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    @TempDir
    static java.nio.file.Path dir;
    static TestHub hub;
    static Browser browser;
    static WebDriver driver;
    static String stationId;
    static long now;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir);
        hub.user(TestHub.OPERATOR, "operator");
        stationId = hub.register("文三路驿站", 30.2741, 120.1290).getJsonObject("station").getString("id");
        // a year of readings every three hours: the room fuller at lunch and supper, a port charging in the evening
        now = System.currentTimeMillis();
        var ts = hub.app().timeSeries();
        for (long t = now - 365 * DAY; t <= now; t += 3 * HOUR) {
            int hour = (int) ((t / HOUR) % 24);
            int day = (int) ((t / DAY) % 7);
            int count = (hour == 4 || hour == 10 ? 9 : 2) + day;
            double power = hour >= 10 && hour <= 13 ? 180 + day * 10 : 0;
            ts.telemetry(stationId, new Telemetry(t, Optional.of(new Telemetry.Occupancy(count, 20)), Optional.empty(),
                    List.of(new Telemetry.Charger(1, power > 0 ? ChargerState.CHARGING : ChargerState.AVAILABLE, power,
                            (t - (now - 365 * DAY)) / 3600.0, OptionalDouble.empty())), Optional.empty()), t);
        }
        Futures.get(ts.flush());
        browser = Browser.start();
        driver = browser.driver();
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, hub);
    }

    @Test
    void aYearFitsInOneChartAChosenWeekShowsOnlyThatWeekAndZoomingFetchesTheSpanAgain() throws Exception {
        String operator = hub.login(TestHub.OPERATOR, TestHub.OPERATOR_PASSWORD);
        JsonObject year = hub.call("GET", "/api/v1/stations/" + stationId + "/history?metric=occupancy.count&from="
                + (now - 365 * DAY) + "&to=" + now, operator, null);
        assertThat(year.getJsonArray("points").size()).as("a year downsampled on the hub").isBetween(250, 320);

        signIn("/station.html?id=" + stationId);
        browser.resize(Browser.DESKTOP);
        driver.findElement(By.id("range-year")).click();
        By occ = By.id("chart-occupancy");
        browser.waiting(15).until(d -> span(occ) > 360 * DAY && points(occ) > 200);
        assertThat(points(occ)).as("one chart holds the year").isBetween(250, 320);
        assertThat(driver.findElements(By.cssSelector("#chart-occupancy svg path"))).isNotEmpty();
        scrollTo("chart-occupancy");
        browser.screenshot("station-chart-year-desktop");

        // a week in spring, typed in the range fields
        LocalDateTime weekStart = LocalDateTime.now(ZoneId.systemDefault()).minusDays(200).withHour(0).withMinute(0)
                .withSecond(0).withNano(0);
        setInput("range-from", weekStart.toString().substring(0, 16));
        setInput("range-to", weekStart.plusDays(7).toString().substring(0, 16));
        driver.findElement(By.id("range-custom")).click();
        browser.waiting(15).until(d -> span(occ) == 7 * DAY);
        long from = Long.parseLong(driver.findElement(occ).getAttribute("data-from"));
        assertThat(from).isEqualTo(weekStart.atZone(ZoneId.systemDefault()).toInstant().toEpochMilli());
        // a reading every three hours: 56 in the week, each its own point at this step
        browser.waiting(15).until(d -> points(occ) >= 55 && points(occ) <= 57);

        // zooming into the last tenth of the week: the page asks the hub for that span alone
        ((JavascriptExecutor) driver).executeScript("echarts.getInstanceByDom(document.getElementById('chart-occupancy'))"
                + ".dispatchAction({type: 'dataZoom', start: 90, end: 100});");
        browser.waiting(15).until(d -> span(occ) < DAY);
        assertThat(Long.parseLong(driver.findElement(occ).getAttribute("data-from"))).isGreaterThan(from + 6 * DAY);

        browser.resize(Browser.PHONE);
        driver.findElement(By.id("range-month")).click();
        browser.waiting(15).until(d -> span(occ) >= 29 * DAY && span(occ) <= 31 * DAY && points(occ) > 200);
        scrollTo("chart-occupancy");
        browser.screenshot("station-chart-month-phone");
        browser.resize(Browser.DESKTOP);
    }

    private static int points(By chart) {
        String p = driver.findElement(chart).getAttribute("data-points");
        return p == null ? 0 : Integer.parseInt(p);
    }

    private static long span(By chart) {
        WebElement e = driver.findElement(chart);
        String from = e.getAttribute("data-from");
        String to = e.getAttribute("data-to");
        return from == null || to == null ? 0 : Long.parseLong(to) - Long.parseLong(from);
    }

    private static void setInput(String id, String value) {
        ((JavascriptExecutor) driver).executeScript("document.getElementById(arguments[0]).value = arguments[1];", id, value);
    }

    private static void scrollTo(String id) {
        ((JavascriptExecutor) driver).executeScript("document.getElementById(arguments[0]).scrollIntoView()", id);
    }

    private static void signIn(String page) {
        browser.signOut(hub.url(""));
        driver.get(hub.url("/?next=" + java.net.URLEncoder.encode(page, StandardCharsets.UTF_8)));
        browser.waiting(10).until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                "return document.readyState === 'complete' && location.search.includes('next=')")));
        WebElement form = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        form.findElement(By.name("username")).sendKeys(TestHub.OPERATOR);
        form.findElement(By.name("password")).sendKeys(TestHub.OPERATOR_PASSWORD);
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.waiting(10).until(ExpectedConditions.urlContains("station.html"));
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-occupancy[data-points]")));
    }
}
