package org.yizhan.web;

import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.Browser;
import org.yizhan.testing.Futures;
import io.vertx.core.Vertx;
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
import org.openqa.selenium.support.ui.ExpectedConditions;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Feedback ("劳动者说") and the scorecard in real headless Chromium against a real hub with a simulated station: a
 * rider sends feedback at phone size, an operator triages and answers it, the rider's page shows the answer; the
 * scorecard page shows the figures the API gives for known data, and its CSV downloads. Screenshots at phone and
 * desktop sizes go to target/screenshots/.
 */
@ExtendWith(VertxExtension.class)
class FeedbackPagesIT {

    private static final String SCRIPT = "<script>alert(1)</script>";
    private static final Dimension DESKTOP = new Dimension(1366, 900);
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @TempDir
    static Path dir;

    static TestHub hub;
    static Browser browser;
    static WebDriver driver;
    static TestAgent station;
    static String stationId;
    static String operatorToken;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        browser = Browser.start();
        driver = browser.driver();
        hub = TestHub.start(vertx, dir);
        station = hub.stationWithAgent("文三路驿站", 30.2741, 120.1290);
        stationId = station.config().stationId();
        operatorToken = hub.user(TestHub.OPERATOR, "operator");
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(browser, hub);
    }

    @Test
    void riderSendsFeedbackOperatorTriagesAndAnswersAndTheRiderSeesTheAnswer() throws Exception {
        browser.resize(Browser.PHONE);
        driver.get(hub.url("/f/" + stationId));
        browser.waiting(10).until(ExpectedConditions.textToBe(By.id("station"), "驿站：文三路驿站"));
        String text = SCRIPT + " 3号充电口不充电";
        driver.findElement(By.cssSelector("#categories label[data-category='charger']")).click();
        driver.findElement(By.id("text")).sendKeys(text);
        driver.findElement(By.id("contact")).sendKeys("13800138000");
        shoot("feedback-form-phone", Browser.PHONE);
        driver.findElement(By.id("send")).click();
        browser.waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "已提交"));
        String id = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#tickets li.fb-ticket[data-status='new']"))).getAttribute("data-ticket");
        By ticket = By.cssSelector("#tickets li.fb-ticket[data-ticket='" + id + "']");
        assertThat(driver.findElement(By.id("message")).getText()).contains(id);
        browser.waiting(5).until(ExpectedConditions.textToBe(By.cssSelector("#tickets li[data-ticket='" + id + "'] .fb-text"), text));
        assertThat(driver.findElements(By.cssSelector("#tickets script"))).isEmpty();
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(ticket, "已收到"));
        browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(ticket, "答复期限"));
        JsonObject stored = hub.call("GET", "/api/v1/feedback?stationId=" + stationId, operatorToken, null)
                .getJsonArray("feedback").stream().map(JsonObject.class::cast)
                .filter(f -> id.equals(f.getString("id"))).findFirst().orElseThrow();
        assertThat(stored.getString("text")).isEqualTo(text);
        assertThat(stored.getString("category")).isEqualTo("charger");

        driver.findElement(By.id("lang")).click();
        browser.waiting(5).until(ExpectedConditions.textToBe(By.cssSelector("h1"), "Workers' voice"));
        browser.waiting(5).until(ExpectedConditions.textToBePresentInElementLocated(ticket, "Received"));
        driver.findElement(By.id("lang")).click();
        browser.waiting(5).until(ExpectedConditions.textToBe(By.cssSelector("h1"), "劳动者说"));

        // the operator, at a desk
        browser.resize(DESKTOP);
        signIn();
        driver.get(hub.url("/feedback-desk.html"));
        By item = By.cssSelector("li.fb-item[data-feedback='" + id + "']");
        WebElement li = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(item));
        assertThat(li.findElement(By.cssSelector(".fb-body")).getText()).isEqualTo(text);
        assertThat(li.findElement(By.cssSelector(".fb-contact")).getText()).contains("13800138000");
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        li.findElement(By.cssSelector("button.triage-urgent")).click();
        browser.waiting(10).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("li.fb-item[data-feedback='" + id + "'] .fb-head"), "紧急"));
        String answer = "已安排维修，今天下午修好。<b>谢谢</b>";
        driver.findElement(By.cssSelector("li.fb-item[data-feedback='" + id + "'] textarea.answer-text")).sendKeys(answer);
        shoot("feedback-desk-desktop", DESKTOP);
        driver.findElement(By.cssSelector("li.fb-item[data-feedback='" + id + "'] button.answer")).click();
        // answered items leave the "not answered" list; show all to see it
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("f-status"))).selectByValue("");
        WebElement done = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("li.fb-item[data-feedback='" + id + "'][data-status='answered']")));
        assertThat(done.findElement(By.cssSelector(".fb-reply")).getText()).isEqualTo(answer);

        // back on the rider's phone: the same browser keeps the ticket
        browser.resize(Browser.PHONE);
        driver.get(hub.url("/f/" + stationId));
        WebElement reply = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#tickets li[data-ticket='" + id + "'] .fb-answer-text")));
        assertThat(reply.getText()).isEqualTo(answer);
        assertThat(driver.findElement(By.cssSelector("#tickets li[data-ticket='" + id + "']")).getText()).contains("已答复");
        assertThat(driver.findElements(By.cssSelector("#tickets b"))).as("the answer is text, not markup").isEmpty();
        ((JavascriptExecutor) driver).executeScript("document.getElementById('mine').scrollIntoView();");
        shoot("feedback-answered-phone", Browser.PHONE);
        browser.resize(DESKTOP);
    }

    @Test
    void deskHighlightsAndCountsOverdueFeedbackAndWorksAtPhoneSize() throws Exception {
        JsonObject created = hub.call("POST", "/api/v1/feedback", null, new JsonObject().put("stationId", stationId)
                .put("category", "cleanliness").put("text", "卫生间很久没打扫"));
        String id = created.getString("id");
        long fiveDaysAgo = System.currentTimeMillis() - 5 * 86_400_000L;
        Futures.get(hub.app().database().call(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE feedback SET created_at = ?, deadline = ? WHERE id = ?")) {
                ps.setLong(1, fiveDaysAgo);
                ps.setLong(2, fiveDaysAgo + 3 * 86_400_000L);
                ps.setString(3, id);
                return ps.executeUpdate();
            }
        }));
        long overdue = hub.call("GET", "/api/v1/feedback?overdue=true", operatorToken, null)
                .getJsonObject("counts").getLong("overdue");
        browser.resize(DESKTOP);
        signIn();
        driver.get(hub.url("/feedback-desk.html"));
        WebElement li = browser.waiting(10).until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("li.fb-item[data-feedback='" + id + "']")));
        assertThat(li.getAttribute("class")).contains("overdue");
        assertThat(li.findElement(By.cssSelector(".fb-badge.overdue")).getText()).isEqualTo("已逾期");
        browser.waiting(5).until(ExpectedConditions.attributeToBe(By.id("overdue-count"), "data-count", Long.toString(overdue)));
        assertThat(driver.findElement(By.id("overdue-count")).getText()).isEqualTo("逾期 " + overdue);

        driver.findElement(By.id("f-overdue")).click();
        browser.waiting(10).until(d -> d.findElements(By.cssSelector("li.fb-item")).stream()
                .allMatch(e -> "true".equals(e.getAttribute("data-overdue"))));
        assertThat(driver.findElements(By.cssSelector("li.fb-item"))).hasSize((int) overdue);
        browser.resize(Browser.PHONE);
        shoot("feedback-desk-phone", Browser.PHONE);
        browser.resize(DESKTOP);
    }

    @Test
    void scorecardShowsTheFiguresOfKnownDataAndItsCsvDownloads() throws Exception {
        long now = System.currentTimeMillis();
        long today = LocalDate.now(SHANGHAI).atStartOfDay(SHANGHAI).toInstant().toEpochMilli();
        int visits = 5;
        double wh = 1234;
        Futures.get(hub.app().database().tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE stations SET provisioned_at = ? WHERE id = ?")) {
                ps.setLong(1, now - 30 * 86_400_000L);
                ps.setString(2, stationId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (id, station_id, ts, received_at, type, data) "
                    + "VALUES (?, ?, ?, ?, 'access.granted', '{}')")) {
                for (int i = 0; i < visits; i++) {
                    ps.setString(1, String.format("01WEBTEST%017d", i));
                    ps.setString(2, stationId);
                    ps.setLong(3, today + i * 60_000L);
                    ps.setLong(4, today + i * 60_000L);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO charging_sessions (station_id, session_id, port, "
                    + "started_at, ended_at, energy_wh, end_reason) VALUES (?, 'web-1', 2, ?, ?, ?, 'full')")) {
                ps.setString(1, stationId);
                ps.setLong(2, today + 60_000);
                ps.setLong(3, today + 3_600_000);
                ps.setDouble(4, wh);
                ps.executeUpdate();
            }
            return null;
        }));
        LocalDate to = LocalDate.now(SHANGHAI);
        String query = "?from=" + to.minusDays(6) + "&to=" + to + "&stationId=" + stationId;
        JsonObject api = hub.call("GET", "/api/v1/scorecard" + query, operatorToken, null).getJsonArray("stations")
                .getJsonObject(0);
        assertThat(api.getInteger("visits")).isEqualTo(visits);
        assertThat(api.getDouble("energyKwh")).isEqualTo(wh / 1000);

        browser.resize(DESKTOP);
        signIn();
        driver.get(hub.url("/scorecard.html" + query));
        By energy = By.cssSelector("#tile-energy .value");
        browser.waiting(10).until(ExpectedConditions.textToBe(energy, String.format(Locale.ROOT, "%.2f kWh", wh / 1000)));
        assertThat(driver.findElement(By.cssSelector("#tile-visits .muted")).getText()).isEqualTo(Integer.toString(visits));
        assertThat(Double.parseDouble(driver.findElement(By.cssSelector("#tile-visits .value")).getText()))
                .isCloseTo(api.getDouble("visitsPerDay"), within(0.051));
        WebElement row = driver.findElement(By.cssSelector("#rows tr[data-station='" + stationId + "']"));
        String uptime = row.findElement(By.cssSelector("td.uptime")).getText();
        assertThat(uptime).endsWith("%");
        assertThat(Double.parseDouble(uptime.replace("%", ""))).isCloseTo(api.getDouble("uptimePct"), within(0.051));
        assertThat(row.findElement(By.cssSelector("a.name")).getText()).isEqualTo("文三路驿站");
        for (String chart : List.of("chart-energy", "chart-visits")) {
            // ECharts draws each day with data: the chart says how many points it holds, and its SVG has them
            WebElement box = driver.findElement(By.id(chart));
            assertThat(Integer.parseInt(box.getAttribute("data-points"))).as(chart + " points").isPositive();
            assertThat(box.findElements(By.cssSelector("svg path"))).as(chart + " drawn").isNotEmpty();
        }
        shoot("scorecard-desktop", DESKTOP);

        driver.findElement(By.id("csv")).click();
        String file = "scorecard-" + to.minusDays(6) + "-" + to + ".csv";
        browser.waiting(10).until(ExpectedConditions.attributeToBe(By.id("csv-status"), "data-file", file));
        HttpResponse<byte[]> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        hub.url("/api/v1/scorecard.csv" + query))).header("Authorization", "Bearer " + operatorToken)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).contains(file);
        String body = new String(csv.body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("\uFEFF驿站编号 station id,");
        assertThat(body).contains(stationId + ",文三路驿站,").contains("," + visits + ",");

        browser.resize(Browser.PHONE);
        driver.navigate().refresh();
        browser.waiting(10).until(ExpectedConditions.textToBe(energy, String.format(Locale.ROOT, "%.2f kWh", wh / 1000)));
        shoot("scorecard-phone", Browser.PHONE);
        browser.resize(DESKTOP);
    }

    private static void shoot(String name, Dimension size) throws Exception {
        Path file = browser.screenshot(name);
        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img.getWidth()).as("%s width", name).isBetween(size.width - 20, size.width + 20);
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
        ((JavascriptExecutor) driver).executeScript("localStorage.removeItem('yizhan.lang');");
    }
}
