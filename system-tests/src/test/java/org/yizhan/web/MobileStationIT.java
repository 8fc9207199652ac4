package org.yizhan.web;

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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A mobile station (可移动工会驿站) that moves: its simulated GNSS receiver reports a new place, and the hub's registry,
 * its track, the operators' map (live, in Chromium) and the riders' finder (with "here until HH:MM") follow it. A
 * fixed station's receiver moves nothing, a small jitter writes nothing, and bad mobility settings are refused.
 */
@ExtendWith(VertxExtension.class)
class MobileStationIT {

    private static final double[] MARKET = {30.2741, 120.1290};
    private static final double[] PARK = {30.2602, 120.1405};

    @TempDir
    static Path dir;
    static TestHub hub;
    static Browser browser;
    static ChromeDriver driver;
    static TestAgent bus;
    static TestAgent fixed;
    static String operator;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir);
        operator = hub.user(TestHub.OPERATOR, "operator");
        bus = hub.stationWithAgent("流动驿站一号车", MARKET[0], MARKET[1]);
        fixed = hub.stationWithAgent("文三路驿站", 30.2790, 120.1300);
        hub.awaitConnected(bus.stationId());
        hub.awaitConnected(fixed.stationId());
        browser = Browser.start();
        driver = (ChromeDriver) browser.driver();
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, hub);
    }

    private static JsonObject station(TestAgent a) throws Exception {
        return hub.call("GET", "/api/v1/stations/" + a.stationId(), operator, null);
    }

    @Test
    void aMobileStationThatMovesIsFollowedByTheRegistryTheMapAndTheFinder() throws Exception {
        long until = System.currentTimeMillis() + 3 * 3_600_000L;
        JsonObject set = hub.call("PUT", "/api/v1/stations/" + bus.stationId() + "/mobility", operator,
                new JsonObject().put("mobile", true).put("hereUntil", until));
        assertThat(set.getBoolean("mobile")).isTrue();

        // the operators' map, open while the station moves
        browser.resize(Browser.DESKTOP);
        browser.signOut(hub.url(""));
        driver.get(hub.url("/"));
        WebElement form = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        form.findElement(By.name("username")).sendKeys(TestHub.OPERATOR);
        form.findElement(By.name("password")).sendKeys(TestHub.OPERATOR_PASSWORD);
        form.findElement(By.cssSelector("button[type=submit]")).click();
        By marker = By.cssSelector("#map a.map-station[data-station='" + bus.stationId() + "']");
        browser.waiting(15).until(ExpectedConditions.presenceOfElementLocated(marker));
        assertThat(Double.parseDouble(driver.findElement(marker).getAttribute("data-lat"))).isCloseTo(MARKET[0], within(1e-6));

        bus.simulate("/sim/position", new JsonObject().put("lat", PARK[0]).put("lon", PARK[1]).put("accuracyM", 4.0));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(station(bus).getDouble("lat")).isCloseTo(PARK[0], within(1e-9)));
        assertThat(station(bus).getDouble("lon")).isCloseTo(PARK[1], within(1e-9));
        browser.waiting(15).until(d -> Math.abs(Double.parseDouble(d.findElement(marker).getAttribute("data-lat"))
                - PARK[0]) < 1e-6);
        browser.screenshot("overview-mobile-station-moved");

        // a few metres of jitter is not a move; 300 m is
        bus.simulate("/sim/position", new JsonObject().put("lat", PARK[0] + 0.00005).put("lon", PARK[1]));
        double[] third = {PARK[0] + 0.0027, PARK[1]};
        bus.simulate("/sim/position", new JsonObject().put("lat", third[0]).put("lon", third[1]));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(station(bus).getDouble("lat")).isCloseTo(third[0], within(1e-9)));
        JsonArray track = hub.call("GET", "/api/v1/stations/" + bus.stationId() + "/track", operator, null)
                .getJsonArray("points");
        assertThat(track.stream().map(o -> ((JsonObject) o).getDouble("lat")).toList())
                .as("the places it moved to, in order").containsExactly(PARK[0], third[0]);
        assertThat(track.getJsonObject(0).getDouble("accuracyM")).isEqualTo(4.0);

        // riders: the finder lists it where it is now, mobile, with the end of its stop
        JsonObject pub = hub.call("GET", "/api/v1/public/stations?near=" + third[0] + "," + third[1], null, null);
        JsonObject first = pub.getJsonArray("stations").getJsonObject(0);
        assertThat(first.getString("id")).isEqualTo(bus.stationId());
        assertThat(first.getDouble("distanceM")).isLessThan(5.0);
        assertThat(first.getBoolean("mobile")).isTrue();
        assertThat(first.getLong("hereUntil")).isEqualTo(until);
        double[] gcj = org.yizhan.hub.stations.Gcj02.fromWgs84(third[0], third[1]);
        assertThat(first.getJsonObject("gcj02").getDouble("lat")).isCloseTo(gcj[0], within(1e-6));
        assertThat(first.getJsonObject("gcj02").getDouble("lon")).isCloseTo(gcj[1], within(1e-6));
        browser.resize(Browser.PHONE);
        driver.get(hub.url("/rider.html"));
        driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", hub.url(""),
                "permissions", List.of("geolocation")));
        driver.executeCdpCommand("Emulation.setGeolocationOverride", Map.of("latitude", third[0], "longitude", third[1],
                "accuracy", 20));
        driver.get(hub.url("/rider.html"));
        By item = By.cssSelector("#stations li.station[data-station='" + bus.stationId() + "'] .mobile");
        WebElement mobile = browser.waiting(15).until(ExpectedConditions.presenceOfElementLocated(item));
        String hhmm = LocalTime.ofInstant(java.time.Instant.ofEpochMilli(until), ZoneId.systemDefault()).toString()
                .substring(0, 5);
        assertThat(mobile.getText()).isEqualTo("流动驿站：在此停留至 " + hhmm);
        // Amap's navigation link takes GCJ-02, the standard geo: link WGS-84
        WebElement amap = driver.findElement(By.cssSelector("#stations li.station[data-station='" + bus.stationId()
                + "'] a.amap"));
        assertThat(amap.getAttribute("href")).startsWith("https://uri.amap.com/marker?position="
                + String.format(java.util.Locale.ROOT, "%.6f,%.6f", gcj[1], gcj[0]));
        assertThat(driver.findElement(By.cssSelector("#stations li.station[data-station='" + bus.stationId()
                + "'] a.walk")).getAttribute("href")).startsWith(String.format(java.util.Locale.ROOT, "geo:%.5f,%.5f",
                third[0], third[1]));
        browser.screenshot("rider-mobile-station-phone");
        browser.resize(Browser.DESKTOP);
    }

    @Test
    void aFixedStationsReceiverMovesNothingAndBadSettingsAreRefused() throws Exception {
        double lat = station(fixed).getDouble("lat");
        fixed.simulate("/sim/position", new JsonObject().put("lat", 31.0).put("lon", 121.0));
        // the telemetry carrying it reached the hub, which shows what the receiver said
        await().atMost(Duration.ofSeconds(15)).until(() -> station(fixed).getValue("reportedPosition") instanceof JsonObject p
                && p.getDouble("lat") == 31.0);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> station(fixed).getDouble("lat") == lat);
        assertThat(hub.call("GET", "/api/v1/stations/" + fixed.stationId() + "/track", operator, null)
                .getJsonArray("points")).isEmpty();

        String path = "/api/v1/stations/" + fixed.stationId() + "/mobility";
        for (JsonObject bad : List.of(new JsonObject(), new JsonObject().put("mobile", "yes"),
                new JsonObject().put("mobile", true).put("hereUntil", "18:00"),
                new JsonObject().put("mobile", false).put("hereUntil", System.currentTimeMillis()))) {
            HttpResponse<String> r = hub.send("PUT", path, operator, bad);
            assertThat(r.statusCode()).as(bad.encode() + ": " + r.body()).isEqualTo(400);
        }
        assertThat(hub.send("PUT", "/api/v1/stations/st-nosuchstation/mobility", operator,
                new JsonObject().put("mobile", true)).statusCode()).isEqualTo(404);
        assertThat(hub.send("PUT", path, null, new JsonObject().put("mobile", true)).statusCode()).isEqualTo(401);
        JsonObject badPos = new JsonObject().put("lat", 95).put("lon", 120);
        assertThat(fixed.post("/sim/position", badPos.encode()).statusCode()).isEqualTo(400);
    }
}
