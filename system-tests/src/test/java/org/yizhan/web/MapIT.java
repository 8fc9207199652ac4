package org.yizhan.web;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Point;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.yizhan.hub.http.HttpApi;
import org.yizhan.hub.stations.Gcj02;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.Futures;
import org.yizhan.testing.TestHub;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The overview's map (Leaflet from the hub's webjar) in real headless Chromium against real hubs. A small Vert.x
 * tile server on a free loopback port (another origin than the hub) serves a PNG and records the tiles asked for.
 * The map fetches tiles under the stations, pans when dragged and zooms from its control (fetching the tiles of
 * the new view), shows the attribution as text, merges stations close together into numbered clusters that zoom
 * in when clicked, shifts the stations onto GCJ-02 tiles (Amap/Gaode) exactly as the hub's Gcj02 does, says so
 * when no tile loads, and asks for no tile at all when the hub has no tile source.
 */
@ExtendWith(VertxExtension.class)
class MapIT {

    private static final Color TILE_COLOUR = new Color(0xB4, 0xDC, 0x96);
    private static final String ATTRIBUTION = "© 测试底图 <b>contributors</b>";
    private static final Pattern TILE = Pattern.compile(".*/tiles/(\\d+)/(\\d+)/(\\d+)\\.png");

    private static final double[] WENSAN = {30.2741, 120.1290};
    private static final double[] XIXI = {30.2700, 120.0800};

    @TempDir
    static Path dir;

    static Browser browser;
    static WebDriver driver;
    static HttpServer tileServer;
    static final Queue<String> requested = new ConcurrentLinkedQueue<>();
    static final AtomicBoolean failing = new AtomicBoolean();
    static TestHub tiled;
    static TestHub amap;
    static TestHub plain;
    static String tileOrigin;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        browser = Browser.start();
        driver = browser.driver();
        Buffer png = Buffer.buffer(tilePng());
        tileServer = Futures.get(vertx.createHttpServer().requestHandler(req -> {
            requested.add(req.path());
            req.response().putHeader("Cache-Control", "no-store");
            if (failing.get() || !req.path().endsWith(".png")) {
                req.response().setStatusCode(404).end();
            } else {
                req.response().putHeader("Content-Type", "image/png").end(png);
            }
        }).listen(0, "127.0.0.1"));
        tileOrigin = "http://127.0.0.1:" + tileServer.actualPort();
        tiled = TestHub.start(vertx, dir.resolve("tiled"), Map.of(
                "YIZHAN_MAP_TILE_URL", tileOrigin + "/tiles/{z}/{x}/{y}.png",
                "YIZHAN_MAP_TILE_ATTRIBUTION", ATTRIBUTION));
        tiled.user(TestHub.OPERATOR, "operator");
        tiled.register("文三路驿站", WENSAN[0], WENSAN[1]);
        tiled.register("西溪驿站", XIXI[0], XIXI[1]);
        // Amap's tiles are GCJ-02 and spread over subdomains: {s} here is in the path, as loopback has no subdomains
        amap = TestHub.start(vertx, dir.resolve("amap"), Map.of(
                "YIZHAN_MAP_TILE_URL", tileOrigin + "/amap{s}/tiles/{z}/{x}/{y}.png",
                "YIZHAN_MAP_TILE_COORDS", "gcj02", "YIZHAN_MAP_TILE_SUBDOMAINS", "1234",
                "YIZHAN_MAP_TILE_ATTRIBUTION", "© 高德地图"));
        amap.user(TestHub.OPERATOR, "operator");
        amap.register("文三路驿站", WENSAN[0], WENSAN[1]);
        amap.register("西溪驿站", XIXI[0], XIXI[1]);
        plain = TestHub.start(vertx, dir.resolve("plain"));
        plain.user(TestHub.OPERATOR, "operator");
        plain.register("文三路驿站", WENSAN[0], WENSAN[1]);
        plain.register("西溪驿站", XIXI[0], XIXI[1]);
        // a federation's city: 40 stations, some a street apart, which the map must not draw on top of each other
        Random r = new Random(14);
        for (int i = 0; i < 38; i++) {
            plain.register("城区驿站 " + i, 30.25 + r.nextGaussian() * 0.02, 120.16 + r.nextGaussian() * 0.02);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, tiled, amap, plain);
        if (tileServer != null) {
            Futures.get(tileServer.close());
        }
    }

    @Test
    void drawsTilesUnderTheStationsPansWhenDraggedAndZoomsFromItsControl() throws Exception {
        failing.set(false);
        requested.clear();
        browser.resize(Browser.DESKTOP);
        signIn(tiled);
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map[data-map='tiles']")));
        browser.waiting(10).until(d -> d.findElements(By.cssSelector("#map a.map-station")).size() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> !tiles().isEmpty());
        int zoom = tiles().stream().mapToInt(t -> t[0]).max().orElseThrow();
        assertThat(zoom).as("a city's zoom").isBetween(11, 16);
        for (double[] s : List.of(WENSAN, XIXI)) {
            WebElement marker = marker(s);
            assertThat(Double.parseDouble(marker.getAttribute("data-lat"))).isCloseTo(s[0], within(1e-7));
        }
        assertThat(driver.findElement(By.cssSelector("#map .leaflet-control-attribution")).getText()).contains(ATTRIBUTION);
        assertThat(driver.findElements(By.cssSelector("#map .leaflet-control-attribution b"))).as("no markup from the setting").isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(tilePixels(browser.screenshot("overview-map-desktop"))).as("tile pixels on screen").isGreaterThan(10_000));

        // dragging the map moves the stations with it and brings the tiles of the new view
        Point before = marker(WENSAN).getLocation();
        int tilesBefore = requested.size();
        WebElement canvas = driver.findElement(By.cssSelector("#map .map-canvas"));
        new Actions(driver).moveToElement(canvas, 10, 10).clickAndHold().moveByOffset(60, 30).moveByOffset(120, 40)
                .release().perform();
        browser.waiting(10).until(d -> marker(WENSAN).getLocation().getX() >= before.getX() + 150);
        assertThat(marker(WENSAN).getLocation().getY()).isGreaterThan(before.getY() + 50);
        await().atMost(Duration.ofSeconds(10)).until(() -> requested.size() > tilesBefore);

        // zooming in: tiles of the next zoom level
        driver.findElement(By.cssSelector("#map .leaflet-control-zoom-in")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> tiles().stream().anyMatch(t -> t[0] > zoom));

        browser.resize(Browser.PHONE);
        signIn(tiled);
        browser.waiting(10).until(d -> d.findElements(By.cssSelector("#map a.map-station")).size() == 2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(tilePixels(browser.screenshot("overview-map-phone"))).as("tile pixels on a phone")
                        .isGreaterThan(1_000));
        browser.resize(Browser.DESKTOP);
    }

    @Test
    void onGcj02TilesTheStationsAreShiftedAsTheHubShiftsThem() throws Exception {
        failing.set(false);
        requested.clear();
        signIn(amap);
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map[data-coords='gcj02']")));
        browser.waiting(10).until(d -> d.findElements(By.cssSelector("#map a.map-station")).size() == 2);
        for (double[] s : List.of(WENSAN, XIXI)) {
            double[] g = Gcj02.fromWgs84(s[0], s[1]);
            WebElement m = driver.findElement(By.cssSelector("#map a.map-station[data-lat='" + String.format("%.7f", g[0]) + "']"));
            assertThat(Double.parseDouble(m.getAttribute("data-lon"))).isCloseTo(g[1], within(1e-6));
            // a few hundred metres: Amap's streets are where GCJ-02 puts them
            assertThat(Math.abs(g[1] - s[1]) + Math.abs(g[0] - s[0])).isGreaterThan(0.003);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> requested.stream().anyMatch(p -> p.matches("/amap[1-4]/tiles/.*")));
        assertThat(requested).allMatch(p -> p.matches("/amap[1-4]/tiles/\\d+/\\d+/\\d+\\.png"));

        // the pages' conversion is the hub's, point for point, across China and outside it
        List<double[]> points = new ArrayList<>(List.of(new double[]{39.911954, 116.377817}, new double[]{22.543847, 113.912316},
                new double[]{45.75, 126.63}, new double[]{43.82, 87.61}, new double[]{48.8584, 2.2945}));
        Random r = new Random(2);
        for (int i = 0; i < 50; i++) {
            points.add(new double[]{18 + r.nextDouble() * 35, 74 + r.nextDouble() * 60});
        }
        StringBuilder js = new StringBuilder("const cb = arguments[arguments.length - 1]; import('/js/gcj02.js')"
                + ".then(m => cb(JSON.stringify([");
        for (double[] p : points) {
            js.append("m.toGcj02(").append(p[0]).append(',').append(p[1]).append("),");
        }
        js.append("])));");
        String out = (String) ((JavascriptExecutor) driver).executeAsyncScript(js.toString());
        io.vertx.core.json.JsonArray got = new io.vertx.core.json.JsonArray(out);
        for (int i = 0; i < points.size(); i++) {
            double[] want = Gcj02.fromWgs84(points.get(i)[0], points.get(i)[1]);
            assertThat(got.getJsonArray(i).getDouble(0)).as("lat %s", i).isCloseTo(want[0], within(1e-9));
            assertThat(got.getJsonArray(i).getDouble(1)).as("lon %s", i).isCloseTo(want[1], within(1e-9));
        }
    }

    @Test
    void stationsCloseTogetherAreClusteredAndAClusterZoomsIn() throws Exception {
        signIn(plain);
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map[data-map='plain']")));
        browser.waiting(10).until(d -> shown() == 40);
        List<WebElement> clusters = driver.findElements(By.cssSelector("#map .map-cluster"));
        assertThat(clusters).as("stations a street apart are merged").isNotEmpty();
        int singles = driver.findElements(By.cssSelector("#map a.map-station")).size();
        WebElement biggest = clusters.stream().max((a, b) -> Integer.compare(count(a), count(b))).orElseThrow();
        biggest.click();
        browser.waiting(10).until(d -> d.findElements(By.cssSelector("#map a.map-station")).size() > singles);
        assertThat(shown()).as("every station still counted once").isEqualTo(40);
        assertThat(driver.findElements(By.cssSelector("#map img.leaflet-tile"))).as("no tile source, no tiles").isEmpty();
        browser.screenshot("overview-map-clusters-desktop");
    }

    @Test
    void saysSoWhenNoTileLoadsAndStillShowsTheStations() {
        failing.set(true);
        try {
            requested.clear();
            signIn(tiled);
            browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map .map-fallback")));
            assertThat(requested).as("the tiles were tried").isNotEmpty();
            assertThat(driver.findElements(By.cssSelector("#map a.map-station"))).hasSize(2);
            assertThat(driver.findElement(By.cssSelector("#map .map-fallback")).getText())
                    .isEqualTo("地图底图无法加载，驿站显示在空白底图上");
        } finally {
            failing.set(false);
        }
    }

    @Test
    void withoutATileSourceNoTileIsAskedFor() {
        requested.clear();
        signIn(plain);
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map[data-map='plain']")));
        browser.waiting(10).until(d -> shown() == 40);
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name);");
        assertThat(loaded).as("the page asked for the map settings").anyMatch(u -> u.endsWith("/api/v1/ui"));
        assertThat(loaded).as("Leaflet came from the hub").anyMatch(u -> u.endsWith("/vendor/leaflet/leaflet.js"));
        assertThat(loaded).as("and nothing from the tile server").noneMatch(u -> u.startsWith(tileOrigin));
        assertThat(requested).as("requests at the tile server").isEmpty();
    }

    @Test
    void givesTheTileSettingsOnlyToSignedInStaffAndAllowsOnlyTheTileOriginForImages() throws Exception {
        HttpResponse<String> anonymous = tiled.send("GET", "/api/v1/ui", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(anonymous.body()).getJsonObject("error").getString("code")).isNotBlank();
        assertThat(tiled.send("GET", "/api/v1/ui", "not-a-token", null).statusCode()).isEqualTo(401);

        String operator = tiled.user(TestHub.OPERATOR, "operator");
        JsonObject map = tiled.call("GET", "/api/v1/ui", operator, null).getJsonObject("map");
        assertThat(map.getString("tileUrl")).isEqualTo(tileOrigin + "/tiles/{z}/{x}/{y}.png");
        assertThat(map.getString("attribution")).isEqualTo(ATTRIBUTION);
        assertThat(map.getString("coords")).isEqualTo("wgs84");
        String csp = tiled.send("GET", "/", null, null).headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("img-src 'self' data: " + tileOrigin + ";").contains("script-src 'self';")
                .contains("connect-src 'self';");
        assertThat(csp.replace(" " + tileOrigin, "")).isEqualTo(HttpApi.CSP);
        JsonObject amapMap = amap.call("GET", "/api/v1/ui", amap.user(TestHub.OPERATOR, "operator"), null)
                .getJsonObject("map");
        assertThat(amapMap.getString("coords")).isEqualTo("gcj02");
        assertThat(amapMap.getString("subdomains")).isEqualTo("1234");

        String plainOperator = plain.user(TestHub.OPERATOR, "operator");
        assertThat(plain.call("GET", "/api/v1/ui", plainOperator, null).getJsonObject("map").getString("tileUrl")).isEmpty();
        assertThat(plain.send("GET", "/", null, null).headers().firstValue("Content-Security-Policy")).contains(HttpApi.CSP);
        assertThat(plain.send("GET", "/vendor/leaflet/leaflet.js", null, null).statusCode()).isEqualTo(200);
        assertThat(plain.send("GET", "/vendor/echarts/echarts.min.js", null, null).statusCode()).isEqualTo(200);
        assertThat(plain.send("GET", "/vendor/leaflet/", null, null).statusCode()).as("no listing").isEqualTo(404);
    }

    /** Stations on the map: single markers plus the counts of the clusters. */
    private static int shown() {
        int singles = driver.findElements(By.cssSelector("#map a.map-station")).size();
        return singles + driver.findElements(By.cssSelector("#map .map-cluster")).stream().mapToInt(MapIT::count).sum();
    }

    private static int count(WebElement cluster) {
        return Integer.parseInt(cluster.getAttribute("data-count"));
    }

    private static WebElement marker(double[] station) {
        return driver.findElement(By.cssSelector("#map a.map-station[data-lat='" + String.format("%.7f", station[0]) + "']"));
    }

    /** The tiles asked for, as [z, x, y]. */
    private static List<int[]> tiles() {
        List<int[]> out = new ArrayList<>();
        for (String p : requested) {
            Matcher m = TILE.matcher(p);
            if (m.matches()) {
                out.add(new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
            }
        }
        return out;
    }

    /** A 256 px tile in one light green with a darker street across it. */
    private static byte[] tilePng() throws Exception {
        BufferedImage img = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(TILE_COLOUR);
        g.fillRect(0, 0, 256, 256);
        g.setColor(new Color(0x80, 0x80, 0x80));
        g.fillRect(0, 120, 256, 16);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static long tilePixels(Path screenshot) throws Exception {
        BufferedImage img = ImageIO.read(screenshot.toFile());
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                Color c = new Color(img.getRGB(x, y));
                if (Math.abs(c.getRed() - TILE_COLOUR.getRed()) <= 3 && Math.abs(c.getGreen() - TILE_COLOUR.getGreen()) <= 3
                        && Math.abs(c.getBlue() - TILE_COLOUR.getBlue()) <= 3) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Signs in to the hub's overview as its operator (a fresh page load, so the map is drawn anew). */
    private static void signIn(TestHub hub) {
        browser.signOut(hub.url(""));
        driver.get(hub.url("/"));
        WebElement form = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        form.findElement(By.name("username")).sendKeys(TestHub.OPERATOR);
        form.findElement(By.name("password")).sendKeys(TestHub.OPERATOR_PASSWORD);
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#stations tr[data-station]")));
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map .leaflet-container")));
    }
}
