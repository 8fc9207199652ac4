package org.yizhan.hub.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.QrTools;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hubs on one PostgreSQL, started at the same moment on an empty database: they agree on every secret, take
 * each other's staff tokens, sign passes that open the door of a station connected to either, show each other's
 * stations' presence, share one silence sweep, and report the database's outage on {@code /health}.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoHubsOnePostgresIT {

    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;
    static int pgPort;
    static String jdbcUrl;
    static TestHub a;
    static TestHub b;
    static TestAgent agent;
    static int members;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            pgPort = s.getLocalPort();
        }
        pg = startPostgres();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE shared");
        }
        jdbcUrl = pg.getJdbcUrl("postgres", "shared");
        Map<String, String> env = Map.of("YIZHAN_DB_URL", jdbcUrl, "YIZHAN_DB_USER", "postgres",
                "YIZHAN_DB_PASSWORD", "postgres");
        // both at once, on the empty database: the secrets' inserts race
        CompletableFuture<TestHub> first = CompletableFuture.supplyAsync(() -> start(vertx, "a", env));
        CompletableFuture<TestHub> second = CompletableFuture.supplyAsync(() -> start(vertx, "b", env));
        a = first.join();
        b = second.join();
    }

    private static EmbeddedPostgres startPostgres() throws Exception {
        return EmbeddedPostgres.builder().setPort(pgPort).setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(false).start();
    }

    private static TestHub start(Vertx vertx, String name, Map<String, String> env) {
        try {
            return TestHub.start(vertx, dir.resolve(name), env);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(agent, a, b);
        if (pg != null) {
            pg.close();
        }
    }

    private static List<String> column(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    @Test
    @Order(1)
    void theHubsAgreeOnEverySecret() throws Exception {
        assertThat(column("SELECT name FROM hub_secrets ORDER BY name"))
                .containsExactly("scan-to-enter secret", "token signing key");
        assertThat(column("SELECT username FROM users")).containsExactly("admin");
        assertThat(column("SELECT kid FROM pass_keys")).containsExactly("1");
        JsonObject keysA = a.call("GET", "/api/v1/pass-keys", null, null);
        JsonObject keysB = b.call("GET", "/api/v1/pass-keys", null, null);
        assertThat(keysA).isEqualTo(keysB);
        assertThat(a.app().passKeys().kids()).isEqualTo(b.app().passKeys().kids());
    }

    @Test
    @Order(2)
    void aStaffTokenFromOneHubIsValidOnTheOther() throws Exception {
        String token = a.adminToken();
        assertThat(b.send("GET", "/api/v1/stations", token, null).statusCode()).isEqualTo(200);
        String fromB = b.adminToken();
        assertThat(a.send("GET", "/api/v1/stations", fromB, null).statusCode()).isEqualTo(200);
        assertThat(b.send("GET", "/api/v1/stations", token + "x", null).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(3)
    void aStationOnOneHubIsOnlineOnBothAndPassesFromEitherOpenItsDoor() throws Exception {
        QrTools.assumeQrencode();
        agent = a.stationWithAgent("双枢纽站", 30.27, 120.15);
        String id = agent.stationId();
        a.awaitConnected(id);
        awaitState(b, id, "online");
        assertThat(b.app().mqtt().isConnected(id)).as("connected to hub a only").isFalse();

        // one member per scan: the station takes one pass per member and 30 s slot
        assertThat(scan(pass(a, member(a)))).isEqualTo("granted");
        assertThat(scan(pass(b, member(b)))).isEqualTo("granted");
    }

    @Test
    @Order(4)
    void exactlyOneHubSweepsForSilence() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> sweepHolder(a) + sweepHolder(b) == 1);
        TestHub holder = sweepHolder(a) == 1 ? a : b;
        TestHub other = holder == a ? b : a;
        double before = sweeps(other);
        double holderBefore = sweeps(holder);
        await().atMost(Duration.ofSeconds(10)).until(() -> sweeps(holder) > holderBefore + 4);
        assertThat(sweeps(other)).as("the other hub does not sweep").isEqualTo(before);
        assertThat(column("SELECT count(*) FROM hub_leases WHERE name = 'presence-sweep'")).containsExactly("1");
    }

    /**
     * The keyring rotates (the schedule judged 91 days on, a short lead): the station connected to hub a hears
     * of the new key before it signs; a pass signed with the old key just before and passes signed with the new
     * one by either hub open the door; a week on (judged again) the old key is dropped.
     */
    @Test
    @Order(5)
    void aRotatedPassKeyReachesTheStationAndPassesOfBothKeysOpenTheDoor() throws Exception {
        QrTools.assumeQrencode();
        long day = 86_400_000L;
        String oldPass = pass(a, member(a));
        int before = storedConfig().version();
        assertThat(b.app().passKeys().rotateIfDue(System.currentTimeMillis() + 91 * day, 90 * day, 4_000)
                .toCompletionStage().toCompletableFuture().get()).isTrue();
        await("the station connected to hub a gets key 2").atMost(Duration.ofSeconds(30)).until(() ->
                storedConfig().version() > before
                        && storedConfig().access().hubKeys().stream().map(StationConfig.HubKey::kid).toList()
                        .containsAll(List.of(1, 2)));
        assertThat(scan(oldPass)).as("a pass of the old key").isEqualTo("granted");
        await("key 2 signs").atMost(Duration.ofSeconds(30)).until(() -> a.app().passKeys().signer().kid() == 2
                && b.app().passKeys().signer().kid() == 2);
        assertThat(scan(pass(b, member(b)))).as("a pass of the new key from hub b").isEqualTo("granted");
        assertThat(scan(pass(a, member(b)))).as("a pass of the new key from hub a").isEqualTo("granted");

        assertThat(a.app().passKeys().rotateIfDue(System.currentTimeMillis() + 8 * day, 90 * day, 4_000)
                .toCompletionStage().toCompletableFuture().get()).as("key 1 dropped").isTrue();
        assertThat(column("SELECT kid FROM pass_keys")).containsExactly("2");
        await().atMost(Duration.ofSeconds(30)).until(() -> b.app().passKeys().kids().equals(List.of(2)));
    }

    @Test
    @Order(6)
    void aStoppedStationIsOfflineOnBothHubs() throws Exception {
        String id = agent.stationId();
        agent.stop();
        awaitState(a, id, "offline");
        awaitState(b, id, "offline");
    }

    @Test
    @Order(7)
    void healthSaysWhenTheDatabaseIsDownAndWhenItIsBack() throws Exception {
        HttpResponse<String> up = a.send("GET", "/health", null, null);
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(checks(up.body())).containsEntry("database", "up").containsEntry("timeseries", "up")
                .containsEntry("mqtt", "up");
        assertThat(new JsonObject(up.body()).getString("status")).isEqualTo("up");
        pg.close();
        await("health 503").atMost(Duration.ofSeconds(30)).until(() -> a.send("GET", "/health", null, null)
                .statusCode() == 503);
        HttpResponse<String> down = a.send("GET", "/health", null, null);
        assertThat(checks(down.body())).containsEntry("database", "down").containsEntry("mqtt", "up");
        assertThat(new JsonObject(down.body()).getString("status")).isEqualTo("down");
        assertThat(a.send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
        pg = startPostgres();
        await("health 200 again").atMost(Duration.ofSeconds(60)).until(() -> a.send("GET", "/health", null, null)
                .statusCode() == 200);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Map<String, String> checks(String body) {
        JsonArray checks = new JsonObject(body).getJsonArray("checks");
        java.util.Map<String, String> out = new java.util.HashMap<>();
        checks.forEach(o -> out.put(((JsonObject) o).getString("id"), ((JsonObject) o).getString("status")));
        return out;
    }

    /** A new member, joined through the hub; the member token. */
    private static String member(TestHub hub) throws Exception {
        HttpResponse<String> joined = hub.send("POST", "/api/v1/members", null, new JsonObject().put("name", "李师傅")
                .put("phone", "1390013" + String.format("%04d", ++members)).put("occupation", "food-delivery"));
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(201);
        return new JsonObject(joined.body()).getString("memberToken");
    }

    private static String pass(TestHub hub, String memberToken) throws Exception {
        return hub.call("GET", "/api/v1/members/me/pass", memberToken, null).getString("pass");
    }

    /** The configuration the station runs, as it stored it on applying it. */
    private static StationConfig storedConfig() throws Exception {
        return StationConfig.parse(new JsonObject(java.nio.file.Files.readString(
                org.yizhan.agent.config.ConfigFile.path(agent.stateDir()))));
    }

    private static String scan(String passText) throws Exception {
        JsonObject r = agent.postImage("/sim/camera", QrTools.qrencode(passText)).bodyAsJsonObject();
        return "granted".equals(r.getString("decision")) ? "granted" : r.encode();
    }

    private static void awaitState(TestHub hub, String id, String state) {
        await(id + " " + state + " on " + hub.url("")).atMost(Duration.ofSeconds(40)).until(() ->
                state.equals(hub.call("GET", "/api/v1/stations/" + id, hub.adminToken(), null)
                        .getJsonObject("presence").getString("state")));
    }

    private static final Pattern HOLDER = Pattern.compile("(?m)^yizhan_presence_sweep_holder(?:\\{[^}]*})? (\\S+)$");
    private static final Pattern SWEEPS = Pattern.compile("(?m)^yizhan_presence_sweeps_total(?:\\{[^}]*})? (\\S+)$");

    private static int sweepHolder(TestHub hub) throws Exception {
        Matcher m = HOLDER.matcher(hub.send("GET", "/metrics", null, null).body());
        return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
    }

    private static double sweeps(TestHub hub) throws Exception {
        Matcher m = SWEEPS.matcher(hub.send("GET", "/metrics", null, null).body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

}
