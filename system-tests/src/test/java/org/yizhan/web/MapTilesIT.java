package org.yizhan.web;

import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Futures;
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
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.yizhan.hub.http.HttpApi;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The overview's map with a configured tile source, in real headless Chromium against real hubs: a small Vert.x
 * tile server on a free loopback port (another origin than the hub) serves a PNG and records the paths asked for.
 * The page must fetch the Web-Mercator tiles under the stations at the zoom that fits them, place the markers on
 * those tiles, show the attribution, fall back to the schematic when no tile loads, and ask for no tile at all
 * when the hub has no tile source.
 */
@ExtendWith(VertxExtension.class)
class MapTilesIT {

    /** The same fitting as overview.js: the map is 800 x 360 with a 40 px margin; one station gets zoom 15. */
    private static final int MAP_W = 800;
    private static final int MAP_H = 360;
    private static final int MAP_PAD = 40;
    private static final int MAX_ZOOM = 17;
    private static final Color TILE_COLOUR = new Color(0xB4, 0xDC, 0x96);
    private static final String ATTRIBUTION = "© 测试底图 <b>contributors</b>";

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
    static TestHub plain;
    static String wensanId;
    static String xixiId;
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
        wensanId = tiled.register("文三路驿站", WENSAN[0], WENSAN[1]).getJsonObject("station").getString("id");
        xixiId = tiled.register("西溪驿站", XIXI[0], XIXI[1]).getJsonObject("station").getString("id");
        plain = TestHub.start(vertx, dir.resolve("plain"));
        plain.user(TestHub.OPERATOR, "operator");
        plain.register("文三路驿站", WENSAN[0], WENSAN[1]);
        plain.register("西溪驿站", XIXI[0], XIXI[1]);
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, tiled, plain);
        if (tileServer != null) {
            Futures.get(tileServer.close());
        }
    }

    @Test
    void drawsTheTilesUnderTheStationsAtTheZoomThatFitsThemAndPutsTheMarkersOnThem() throws Exception {
        failing.set(false);
        requested.clear();
        signIn(tiled);
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map svg[data-map='tiles']")));
        assertThat(driver.findElements(By.cssSelector("#map a.map-station"))).as("markers").hasSize(2);

        int z = fitZoom(List.of(WENSAN, XIXI));
        assertThat(z).as("two stations 5 km apart fit at a city zoom").isEqualTo(14);
        assertThat(driver.findElement(By.cssSelector("#map g.map-tiles")).getAttribute("data-zoom")).isEqualTo(String.valueOf(z));
        for (Object[] s : new Object[][] {{wensanId, WENSAN}, {xixiId, XIXI}}) {
            double[] ll = (double[]) s[1];
            double[] px = worldPx(ll[0], ll[1], z);
            long tx = (long) Math.floor(px[0] / 256), ty = (long) Math.floor(px[1] / 256);
            String path = "/tiles/" + z + "/" + tx + "/" + ty + ".png";
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(requested).as("tiles asked of the tile server").contains(path));

            // the marker sits on its tile where the projection puts it, so it is on the right street
            WebElement tile = driver.findElement(By.cssSelector("#map image.map-tile[href$='" + path + "']"));
            WebElement dot = driver.findElement(By.cssSelector("#map a.map-station[data-station='" + s[0] + "'] circle.map-dot"));
            double inTileX = Double.parseDouble(dot.getAttribute("cx")) - Double.parseDouble(tile.getAttribute("x"));
            double inTileY = Double.parseDouble(dot.getAttribute("cy")) - Double.parseDouble(tile.getAttribute("y"));
            assertThat(inTileX).as("marker x within tile %s", path).isCloseTo(px[0] - tx * 256, within(0.01));
            assertThat(inTileY).as("marker y within tile %s", path).isCloseTo(px[1] - ty * 256, within(0.01));
            assertThat(Double.parseDouble(dot.getAttribute("cx"))).as("marker inside the map").isBetween(0.0, (double) MAP_W);
            assertThat(Double.parseDouble(dot.getAttribute("cy"))).isBetween(0.0, (double) MAP_H);
        }
        assertThat(requested).as("every tile at the one zoom").allMatch(p -> p.startsWith("/tiles/" + z + "/"));
        assertThat(driver.findElement(By.cssSelector("#map .map-attribution")).getText())
                .as("attribution shown as text").isEqualTo(ATTRIBUTION);
        assertThat(driver.findElements(By.cssSelector("#map .map-attribution b"))).as("no markup from the setting").isEmpty();

        browser.resize(Browser.DESKTOP);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(tilePixels(browser.screenshot("overview-map-tiles-desktop"))).as("tile pixels on screen")
                        .isGreaterThan(10_000));
        browser.resize(Browser.PHONE);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(tilePixels(browser.screenshot("overview-map-tiles-phone"))).as("tile pixels on a phone")
                        .isGreaterThan(1_000));
        browser.resize(Browser.DESKTOP);
    }

    @Test
    void fallsBackToTheSchematicWhenNoTileLoads() {
        failing.set(true);
        try {
            requested.clear();
            signIn(tiled);
            browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#map svg[data-map='schematic']")));
            assertThat(requested).as("the tiles were tried").isNotEmpty();
            assertThat(driver.findElements(By.cssSelector("#map a.map-station"))).hasSize(2);
            assertThat(driver.findElements(By.cssSelector("#map image"))).isEmpty();
            assertThat(driver.findElement(By.cssSelector("#map .map-fallback")).getText()).isEqualTo("地图底图无法加载，显示示意图");
        } finally {
            failing.set(false);
        }
    }

    @Test
    void withoutATileSourceTheMapIsTheSchematicAndNoTileIsAskedFor() throws Exception {
        requested.clear();
        signIn(plain);
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map svg[data-map='schematic']")));
        assertThat(driver.findElements(By.cssSelector("#map a.map-station"))).as("markers").hasSize(2);
        assertThat(driver.findElements(By.cssSelector("#map image"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("#map .map-attribution"))).isEmpty();
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name);");
        assertThat(loaded).as("the page asked for the map settings").anyMatch(u -> u.endsWith("/api/v1/ui"));
        assertThat(loaded).as("and fetched nothing from the tile server").noneMatch(u -> u.startsWith(tileOrigin));
        assertThat(requested).as("requests at the tile server").isEmpty();
        browser.screenshot("overview-map-schematic-desktop");
    }

    @Test
    void givesTheTileSettingsOnlyToSignedInStaffAndAllowsOnlyTheTileOriginForImages() throws Exception {
        HttpResponse<String> anonymous = tiled.send("GET", "/api/v1/ui", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(anonymous.body()).getJsonObject("error").getString("code")).isNotBlank();
        HttpResponse<String> forged = tiled.send("GET", "/api/v1/ui", "not-a-token", null);
        assertThat(forged.statusCode()).isEqualTo(401);

        String operator = tiled.user(TestHub.OPERATOR, "operator");
        JsonObject map = tiled.call("GET", "/api/v1/ui", operator, null).getJsonObject("map");
        assertThat(map.getString("tileUrl")).isEqualTo(tileOrigin + "/tiles/{z}/{x}/{y}.png");
        assertThat(map.getString("attribution")).isEqualTo(ATTRIBUTION);
        String csp = tiled.send("GET", "/", null, null).headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("img-src 'self' data: " + tileOrigin + ";").contains("script-src 'self';")
                .contains("connect-src 'self';");
        assertThat(csp.replace(" " + tileOrigin, "")).isEqualTo(HttpApi.CSP);

        String plainOperator = plain.user(TestHub.OPERATOR, "operator");
        assertThat(plain.call("GET", "/api/v1/ui", plainOperator, null).getJsonObject("map").getString("tileUrl")).isEmpty();
        assertThat(plain.send("GET", "/", null, null).headers().firstValue("Content-Security-Policy")).contains(HttpApi.CSP);
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }

    private static double[] worldPx(double lat, double lon, int z) {
        double size = 256 * Math.pow(2, z);
        double la = Math.toRadians(lat);
        return new double[] {(lon + 180) / 360 * size,
                (1 - Math.log(Math.tan(la) + 1 / Math.cos(la)) / Math.PI) / 2 * size};
    }

    private static int fitZoom(List<double[]> points) {
        for (int z = MAX_ZOOM; z > 0; z--) {
            final int zoom = z;
            List<double[]> ps = points.stream().map(p -> worldPx(p[0], p[1], zoom)).toList();
            double w = ps.stream().mapToDouble(p -> p[0]).max().orElseThrow() - ps.stream().mapToDouble(p -> p[0]).min().orElseThrow();
            double h = ps.stream().mapToDouble(p -> p[1]).max().orElseThrow() - ps.stream().mapToDouble(p -> p[1]).min().orElseThrow();
            if (w <= MAP_W - 2 * MAP_PAD && h <= MAP_H - 2 * MAP_PAD) {
                return z;
            }
        }
        return 0;
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
        browser.waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map svg")));
    }
}
