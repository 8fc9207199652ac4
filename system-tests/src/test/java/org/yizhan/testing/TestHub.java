package org.yizhan.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.HubApp;
import org.yizhan.hub.HubConfig;
import org.yizhan.hub.metrics.HubMetrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * A real hub in this JVM (H2, QuestDB, MQTT, HTTP) on free loopback ports, its data in {@code dir/hub}, and the
 * simulated station agents started against it (their state in {@code dir/agents}). The blocking calls here are
 * for the test thread, never an event loop; {@link #client()} is the same API as Vert.x futures.
 */
public final class TestHub implements AutoCloseable {

    public static final String ADMIN_PASSWORD = "admin-test-password-1";
    /** The operator the page tests sign in as; created by {@link #user} like any other. */
    public static final String OPERATOR = "duty-operator";
    public static final String OPERATOR_PASSWORD = password(OPERATOR);

    private final Vertx vertx;
    private final Path dir;
    private final HubApp app;
    private final HubClient client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<TestAgent> agents = new ArrayList<>();
    private String adminToken;

    private TestHub(Vertx vertx, Path dir, HubApp app) {
        this.vertx = vertx;
        this.dir = dir;
        this.app = app;
        this.client = new HubClient(vertx, app.httpPort());
    }

    /**
     * {@code -Dyizhan.test.registry=postgres} runs every test hub's registry in an embedded PostgreSQL (a fresh
     * database each), so the whole hub suite proves its SQL on that engine too; H2 otherwise.
     */
    static final boolean REGISTRY_ON_POSTGRES = "postgres".equals(System.getProperty("yizhan.test.registry"));

    public static TestHub start(Vertx vertx, Path dir) throws Exception {
        return start(vertx, dir, Map.of());
    }

    /**
     * A hub with further settings as environment variables ({@code YIZHAN_MAP_TILE_URL} and so on); they win over
     * the defaults here, so {@code YIZHAN_ADMIN_PASSWORD=""} leaves the hub to generate the first admin password.
     */
    public static TestHub start(Vertx vertx, Path dir, Map<String, String> moreEnv) throws Exception {
        return start(vertx, dir, moreEnv, new HubMetrics());
    }

    /**
     * A hub reporting into {@code metrics}; with a {@code vertx} from {@link org.yizhan.hub.metrics.HubVertx} on the
     * same metrics, its {@code /metrics} shows Vert.x's meters as the hub's {@code main} does.
     */
    public static TestHub start(Vertx vertx, Path dir, Map<String, String> moreEnv, HubMetrics metrics)
            throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "YIZHAN_HTTP_HOST", "127.0.0.1", "YIZHAN_HTTP_PORT", "0",
                "YIZHAN_MQTT_HOST", "127.0.0.1", "YIZHAN_MQTT_PORT", "0",
                "YIZHAN_DATA_DIR", dir.resolve("hub").toString(), "YIZHAN_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "YIZHAN_STARTUP_GRACE_SECONDS", "0",
                // the suite creates and signs in many users: a cheaper hash, set as any operator would set it; the
                // production default (600,000) and the rehash to it are tested in hub-server's UserStoreTest
                "YIZHAN_PASSWORD_ITERATIONS", "10000"));
        if (REGISTRY_ON_POSTGRES && !moreEnv.containsKey("YIZHAN_DB_URL")) {
            env.putAll(PostgresRegistry.newDatabase());
        }
        env.putAll(moreEnv);
        HubApp app = new HubApp(vertx, HubConfig.load(Optional.empty(), env), metrics);
        get(app.start());
        return new TestHub(vertx, dir, app);
    }

    public HubApp app() {
        return app;
    }

    /** The hub's data directory ({@code ports.json}, the database, the secrets). */
    public Path dataDir() {
        return app.config().dataDir();
    }

    public int httpPort() {
        return app.httpPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + app.httpPort() + path;
    }

    /** The same API as Vert.x futures, for tests written as future chains. */
    public HubClient client() {
        return client;
    }

    // ---- people ----------------------------------------------------------------------------------------------

    /** The password {@link #user} gives a user. */
    public static String password(String username) {
        return HubClient.password(username);
    }

    /** The admin's session token (signed in on first use). */
    public String adminToken() throws Exception {
        if (adminToken == null) {
            adminToken = login("admin", ADMIN_PASSWORD);
        }
        return adminToken;
    }

    public String login(String username, String password) throws Exception {
        return get(client.login(username, password));
    }

    /** Creates the user with the role (as admin) unless it exists, and signs in as that user; the token. */
    public String user(String username, String role) throws Exception {
        return get(client.userWithRole(username, role));
    }

    // ---- stations --------------------------------------------------------------------------------------------

    /** A valid registration for a simulated station of four ports. */
    public static JsonObject station(String name) {
        return HubClient.station(name);
    }

    /** Registers a station; the 201 answer ({"station","claimCode",..}). */
    public JsonObject createStation(String token, JsonObject spec) throws Exception {
        return get(client.createStation(token, spec));
    }

    /** Registers a simulated station as admin at a place; the 201 answer. */
    public JsonObject register(String name, double lat, double lon) throws Exception {
        return call("POST", "/api/v1/stations", adminToken(), new JsonObject().put("name", name)
                .put("address", "杭州市西湖区文三路 " + (agents.size() + 1) + " 号").put("lat", lat).put("lon", lon)
                .put("profile", "simulated").put("ports", 4).put("capacity", 12));
    }

    /** Registers a station and redeems its claim code the way an agent does; the configuration the hub gives. */
    public StationConfig provision(String token, JsonObject spec) throws Exception {
        JsonObject created = createStation(token, spec);
        JsonObject prov = call("POST", "/api/v1/provision", null,
                new JsonObject().put("claimCode", created.getString("claimCode")));
        return StationConfig.parse(prov.getJsonObject("config"));
    }

    // ---- agents ----------------------------------------------------------------------------------------------

    /** Registers a station, provisions a simulated agent with its claim code and starts it. */
    public TestAgent stationWithAgent(String name, double lat, double lon) throws Exception {
        JsonObject reg = register(name, lat, lon);
        return track(TestAgent.provision(vertx, url(""), reg.getString("claimCode"),
                agentDir(reg.getJsonObject("station").getString("id"))));
    }

    /** Provisions a simulated agent with a claim code (as a technician would type it) and starts it. */
    public TestAgent agentFromClaim(String claimCode) throws Exception {
        return track(TestAgent.provision(vertx, url(""), claimCode, agentDir("claim-" + agents.size())));
    }

    /** Starts a simulated agent with a configuration from {@link #provision} and waits until the hub sees it. */
    public TestAgent connectedAgent(StationConfig provisioned, Path stateDir) throws Exception {
        TestAgent agent = track(TestAgent.start(vertx, provisioned, stateDir));
        awaitConnected(provisioned.stationId());
        return agent;
    }

    /** Where {@link #stationWithAgent} keeps a station's agent state. */
    public Path agentDir(String name) {
        return dir.resolve("agents").resolve(name);
    }

    public void awaitConnected(String stationId) {
        await(stationId + " connected").atMost(Duration.ofSeconds(20))
                .until(() -> app.mqtt().isConnected(stationId));
    }

    private TestAgent track(TestAgent agent) {
        agents.add(agent);
        return agent;
    }

    // ---- calls -----------------------------------------------------------------------------------------------

    /** A JSON API call that must succeed (2xx); its body. */
    public JsonObject call(String method, String path, String token, JsonObject body) throws Exception {
        HttpResponse<String> r = send(method, path, token, body);
        assertThat(r.statusCode()).as("%s %s answered %s", method, path, r.body()).isBetween(200, 299);
        return new JsonObject(r.body());
    }

    /** A JSON API call as it is answered, whatever the status. */
    public HttpResponse<String> send(String method, String path, String token, JsonObject body) throws Exception {
        return send(method, path, token, "application/json", body == null ? null : body.encode().getBytes(StandardCharsets.UTF_8));
    }

    /** A call with any body ({@code null} for none) as it is answered. */
    public HttpResponse<String> send(String method, String path, String token, String contentType, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Stops the agents started here, then the hub. */
    @Override
    public void close() throws Exception {
        for (TestAgent a : agents) {
            a.close();
        }
        get(app.stop());
    }
}
