package org.yizhan.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.StationAgent;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.HubApp;
import org.yizhan.hub.HubConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real hub on free loopback ports with a temporary data directory, and real simulated stations: the
 * in-process station agent on Pi4J's mock platform, registered and provisioned through the hub's own API, the way
 * demo mode does. Calls here block the test thread (never an event loop).
 */
final class WebHub implements AutoCloseable {

    static final String ADMIN_PASSWORD = "admin-web-test-password";
    static final String OPERATOR = "duty-operator";
    static final String OPERATOR_PASSWORD = "operator-web-test-password";

    private final Vertx vertx;
    private final Path dir;
    private final HubApp app;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<StationAgent> agents = new ArrayList<>();
    private String adminToken;

    private WebHub(Vertx vertx, Path dir, HubApp app) {
        this.vertx = vertx;
        this.dir = dir;
        this.app = app;
    }

    static WebHub start(Vertx vertx, Path dir) throws Exception {
        return start(vertx, dir, Map.of());
    }

    /** A hub with further settings, as environment variables ({@code YIZHAN_MAP_TILE_URL} and so on). */
    static WebHub start(Vertx vertx, Path dir, Map<String, String> moreEnv) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "YIZHAN_HTTP_HOST", "127.0.0.1", "YIZHAN_HTTP_PORT", "0",
                "YIZHAN_MQTT_HOST", "127.0.0.1", "YIZHAN_MQTT_PORT", "0",
                "YIZHAN_DATA_DIR", dir.resolve("hub").toString(), "YIZHAN_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "YIZHAN_STARTUP_GRACE_SECONDS", "0"));
        env.putAll(moreEnv);
        HubConfig config = HubConfig.load(Optional.empty(), env);
        HubApp app = new HubApp(vertx, config);
        get(app.start());
        WebHub hub = new WebHub(vertx, dir, app);
        hub.adminToken = hub.login("admin", ADMIN_PASSWORD);
        JsonObject created = hub.call("POST", "/api/v1/users", hub.adminToken, new JsonObject().put("username", OPERATOR)
                .put("password", OPERATOR_PASSWORD).put("role", "operator"));
        assertThat(created.getString("username", OPERATOR)).isEqualTo(OPERATOR);
        return hub;
    }

    String url(String path) {
        return "http://127.0.0.1:" + app.httpPort() + path;
    }

    HubApp app() {
        return app;
    }

    String adminToken() {
        return adminToken;
    }

    String login(String user, String password) throws Exception {
        return call("POST", "/api/v1/auth/login", null, new JsonObject().put("username", user).put("password", password))
                .getString("token");
    }

    /** Registers a station; returns the 201 answer ({"station","claimCode",..}). */
    JsonObject register(String name, double lat, double lon) throws Exception {
        return call("POST", "/api/v1/stations", adminToken, new JsonObject().put("name", name)
                .put("address", "杭州市西湖区文三路 " + (agents.size() + 1) + " 号").put("lat", lat).put("lon", lon)
                .put("profile", "simulated").put("ports", 4).put("capacity", 12));
    }

    /** Registers a station, provisions a simulated agent with its claim code and starts it. */
    StationAgent stationWithAgent(String name, double lat, double lon) throws Exception {
        JsonObject reg = register(name, lat, lon);
        String id = reg.getJsonObject("station").getString("id");
        Path stateDir = dir.resolve("agents").resolve(id);
        StationConfig provisioned = new Provisioner().provision(url(""), reg.getString("claimCode"), stateDir);
        StationAgent agent = new StationAgent(vertx, provisioned.withHttp(new StationConfig.LocalHttp("127.0.0.1", 0)),
                stateDir, true);
        get(agent.start());
        agents.add(agent);
        return agent;
    }

    /** Provisions a simulated agent with a claim code (as a technician would type it) and starts it. */
    StationAgent agentFromClaim(String claimCode) throws Exception {
        Path stateDir = dir.resolve("agents").resolve("claim-" + agents.size());
        StationConfig provisioned = new Provisioner().provision(url(""), claimCode, stateDir);
        StationAgent agent = new StationAgent(vertx, provisioned.withHttp(new StationConfig.LocalHttp("127.0.0.1", 0)),
                stateDir, true);
        get(agent.start());
        agents.add(agent);
        return agent;
    }

    /** A call to a simulated station's simulator API ({@code /sim/...}). */
    JsonObject simulate(StationAgent agent, String path, JsonObject body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s answered %s", path, r.body()).isLessThan(300);
        return r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
    }

    /** A JSON API call that must succeed (2xx); its body. */
    JsonObject call(String method, String path, String token, JsonObject body) throws Exception {
        HttpResponse<String> r = send(method, path, token, body);
        assertThat(r.statusCode()).as("%s %s answered %s", method, path, r.body()).isBetween(200, 299);
        return new JsonObject(r.body());
    }

    HttpResponse<String> send(String method, String path, String token, JsonObject body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode()))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        for (StationAgent a : agents) {
            get(a.stop());
        }
        get(app.stop());
    }
}
