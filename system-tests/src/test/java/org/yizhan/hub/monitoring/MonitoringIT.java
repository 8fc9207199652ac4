package org.yizhan.hub.monitoring;


import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.metrics.HubVertx;
import org.yizhan.testing.Proc;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * A real hub on a Vert.x made the way its {@code main} makes it ({@link HubVertx}), one simulated station connected,
 * scraped at {@code GET /metrics}: JVM, process and Vert.x meters stand beside the application meters, no label
 * carries a station id or a raw path, and every metric the Grafana dashboard ({@code deploy/grafana/yizhan-hub.json})
 * and the alert rules ({@code deploy/prometheus/yizhan-hub-rules.yml}) name is one the hub serves, so renaming a
 * meter breaks the build. The dashboard's QuestDB queries run against the hub's own QuestDB, filled by the station.
 */
class MonitoringIT {

    /** A station id that appears in a request path only; no label may repeat it. */
    private static final String PATH_STATION = "no-such-station-7f3a";
    private static final Path DEPLOY = Path.of("").toAbsolutePath().getParent().resolve("deploy");
    private static final Path DASHBOARD = DEPLOY.resolve("grafana/yizhan-hub.json");
    private static final Path RULES = DEPLOY.resolve("prometheus/yizhan-hub-rules.yml");
    /** Series Prometheus makes itself for each target; no hub serves them. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static Vertx vertx;
    /** The station's own Vert.x, as on a station: its pools and servers are not the hub's. */
    private static Vertx stationVertx;
    private static TestHub hub;
    private static TestAgent agent;
    private static int questDbPort;
    private static Scrape scrape;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startHubWithAStation(@TempDir Path dir) throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            questDbPort = s.getLocalPort();
        }
        HubMetrics metrics = new HubMetrics();
        vertx = HubVertx.create(metrics);
        hub = TestHub.start(vertx, dir, Map.of("YIZHAN_QUESTDB_HTTP_PORT", Integer.toString(questDbPort)), metrics);
        stationVertx = Vertx.vertx();
        agent = TestAgent.provision(stationVertx, hub.url(""), hub.register("一号驿站", 30.27, 120.15)
                .getString("claimCode"), dir.resolve("station"));
        hub.awaitConnected(agent.stationId());
        // a rider's e-bike on port 1 and someone in the room, so the charger and occupancy series have values
        agent.simulate("/sim/charger/1", new JsonObject().put("plugged", true).put("powerW", 180).put("tempC", 31));
        agent.simulate("/sim/beam", new JsonObject().put("direction", "in"));
        String admin = hub.adminToken();
        assertThat(hub.send("GET", "/api/v1/stations/" + PATH_STATION, admin, null).statusCode()).isEqualTo(404);
        assertThat(hub.send("GET", "/api/v1/stations/" + agent.stationId(), admin, null).statusCode()).isEqualTo(200);
        assertThat(hub.send("POST", "/api/v1/auth/login", null, new JsonObject()
                .put("username", "admin").put("password", "not-the-password")).statusCode()).isEqualTo(401);
        // a GC pause is counted when one happens; ask for one rather than hope
        System.gc();
        await("a heartbeat handled and a GC pause counted").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Scrape s = Scrape.of(hub);
            assertThat(s.names()).contains("jvm_gc_pause_seconds_count");
            assertThat(s.value("yizhan_mqtt_messages_in_total{type=\"heartbeat\"}")).isPositive();
        });
        scrape = Scrape.of(hub);
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (stationVertx != null) {
            get(stationVertx.close());
        }
        if (hub != null) {
            hub.close();
        }
        if (vertx != null) {
            get(vertx.close());
        }
    }

    // ---- /metrics ----------------------------------------------------------------------------------------------

    @Test
    void showsJvmProcessAndVertxMetersBesideTheApplicationMeters() {
        assertThat(scrape.names()).contains(
                "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_gc_pause_seconds_count", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds", "process_files_open_files",
                "vertx_http_server_requests_total", "vertx_http_server_response_time_seconds_count",
                "vertx_pool_in_use", "vertx_eventbus_published_total",
                "yizhan_mqtt_connections", "yizhan_mqtt_rejects_total", "yizhan_ingest_latency_seconds_count",
                "yizhan_timeseries_buffered_points", "yizhan_dead_letters_total", "yizhan_stations",
                "yizhan_event_loop_delay_seconds");
        assertThat(scrape.value("yizhan_stations{state=\"online\"}"))
                .as("the connected station is counted online").isEqualTo(1.0);
        assertThat(scrape.value("yizhan_mqtt_connections")).isEqualTo(1.0);
        assertThat(scrape.value("vertx_http_server_requests_total{code=\"404\",method=\"GET\",route=\"/api/>/api/v1/stations/:id\"}"))
                .as("the unknown station's request, under its route template").isEqualTo(1.0);
    }

    /**
     * Java's own HttpClient asks for an h2c upgrade by default; with the hub answering it, a scrape of this size hung
     * past the client's timeout within a few tries. The hub answers in HTTP/1.1, and twenty scrapes by fresh default
     * clients each come whole within seconds.
     */
    @Test
    void javasDefaultClientScrapesItOverHttp11WithoutHanging() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                            URI.create(hub.url("/metrics"))).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).get(15, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).as("scrape %d", i).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(r.body().length()).as("more than one HTTP/2 frame's worth").isGreaterThan(16 * 1024);
            assertThat(r.body()).contains("yizhan_sse_clients ");
        }
    }

    @Test
    void theHubJarsMainMakesItsVertxWithTheseMeters(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("hub");
        Map<String, String> env = Map.of("YIZHAN_DATA_DIR", dataDir.toString(), "YIZHAN_HTTP_HOST", "127.0.0.1",
                "YIZHAN_HTTP_PORT", "0", "YIZHAN_MQTT_HOST", "127.0.0.1", "YIZHAN_MQTT_PORT", "0",
                "YIZHAN_ADMIN_PASSWORD", TestHub.ADMIN_PASSWORD);
        try (Proc jar = Proc.start("hub", Proc.jar("hub-server", "yizhan-hub.jar"), List.of("run"), env,
                tmp.resolve("logs"))) {
            int port = Proc.awaitPorts(dataDir, jar).getInteger("http");
            URI health = URI.create("http://127.0.0.1:" + port + "/health");
            assertThat(http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/health\"} 1.0",
                    "jvm_memory_used_bytes{area=\"heap\"", "process_cpu_usage ", "yizhan_stations{state=\"online\"} 0.0");
        }
    }

    @Test
    void labelsNameRouteTemplatesNeverStationIdsOrRawPaths() {
        assertThat(scrape.text()).as("a path parameter in a label")
                .doesNotContain(PATH_STATION).doesNotContain(agent.stationId());
    }

    // ---- the dashboard and the rules ---------------------------------------------------------------------------

    @Test
    void everyMetricTheDashboardAndTheRulesUseIsServedByTheHub() throws Exception {
        Set<String> used = new TreeSet<>();
        dashboardPrometheusQueries().forEach(q -> used.addAll(PromQl.metricNames(q)));
        ruleExpressions().forEach(e -> used.addAll(PromQl.metricNames(e)));
        used.removeAll(PROMETHEUS_OWN);

        assertThat(used).as("metrics named by the dashboard and the rules").hasSizeGreaterThan(20)
                .contains("yizhan_stations", "jvm_memory_used_bytes", "vertx_http_server_requests_total");
        assertThat(scrape.names()).as("what /metrics serves").containsAll(used);
    }

    @Test
    void findsTheMetricNamesInPromQlAndNotItsFunctionsLabelsOrVariables() {
        assertThat(PromQl.metricNames("sum by (instance, reason) (rate(yizhan_renamed_total{reason=~\"a|b\",instance=~\"$instance\"}"
                + "[$__rate_interval])) / on (instance) group_left max(jvm_x_bytes > 0) and absent(up{job=\"h\"}) offset 5m"))
                .containsExactlyInAnyOrder("yizhan_renamed_total", "jvm_x_bytes", "up");
        assertThat(scrape.names()).as("a meter the hub does not have").doesNotContain("yizhan_renamed_total");
    }

    @Test
    void everyRuleWaitsAndSaysInWordsWhatIsWrong() throws Exception {
        List<Map<String, Object>> rules = rules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(10);
        for (Map<String, Object> r : rules) {
            assertThat(r).as("rule %s", r.get("alert")).containsKeys("alert", "expr", "for", "annotations");
            @SuppressWarnings("unchecked")
            Map<String, Object> a = (Map<String, Object>) r.get("annotations");
            assertThat(a).as("annotations of %s", r.get("alert")).containsKeys("summary", "description");
        }
    }

    @Test
    void theDashboardIsValidGrafanaJson() throws Exception {
        JsonObject d = dashboard();
        assertThat(d.getInteger("schemaVersion")).as("schemaVersion").isNotNull().isGreaterThanOrEqualTo(36);
        assertThat(d.getString("uid")).isNotBlank();
        Set<Integer> ids = new HashSet<>();
        Set<String> variables = new HashSet<>();
        for (Object v : d.getJsonObject("templating").getJsonArray("list")) {
            variables.add(((JsonObject) v).getString("name"));
        }
        assertThat(variables).contains("prometheus", "questdb", "instance", "station");
        for (JsonObject p : panels(d)) {
            assertThat(ids.add(p.getInteger("id"))).as("panel id %s is unique", p.getInteger("id")).isTrue();
            assertThat(p.getJsonObject("gridPos")).as("gridPos of %s", p.getString("title")).isNotNull();
            if (p.getString("type").equals("row")) {
                continue;
            }
            JsonObject ds = p.getJsonObject("datasource");
            assertThat(ds).as("datasource of panel %s", p.getString("title")).isNotNull();
            assertThat(ds.getString("uid")).as("panel %s takes its source from a variable", p.getString("title"))
                    .isIn("${prometheus}", "${questdb}");
            assertThat(p.getJsonArray("targets")).as("queries of %s", p.getString("title")).isNotEmpty();
        }
        assertThat(ids).hasSizeGreaterThan(15);
    }

    @Test
    void theQuestDbPanelsRunOnTheTablesAndColumnsTheHubWrites() throws Exception {
        List<String> queries = new ArrayList<>();
        for (JsonObject p : panels(dashboard())) {
            if (p.getJsonObject("datasource") != null && "${questdb}".equals(p.getJsonObject("datasource").getString("uid"))) {
                for (Object t : p.getJsonArray("targets")) {
                    queries.add(((JsonObject) t).getString("rawSql"));
                }
            }
        }
        for (Object v : dashboard().getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = (JsonObject) v;
            if (variable.getValue("datasource") instanceof JsonObject ds && "${questdb}".equals(ds.getString("uid"))) {
                queries.add(variable.getString("query"));
            }
        }
        assertThat(queries).as("QuestDB queries").hasSizeGreaterThanOrEqualTo(4);
        for (String q : queries) {
            String sql = grafanaExpanded(q);
            // the hub's writes reach QuestDB's tables a moment after they are sent
            await(sql).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> r = questDb(sql);
                assertThat(r.statusCode()).as("%s answered %s", sql, r.body()).isEqualTo(200);
                assertThat(new JsonObject(r.body()).getInteger("count")).as("rows of %s", sql).isPositive();
            });
        }
    }

    /** The query as Grafana's PostgreSQL data source sends it for the last day and this station. */
    private static String grafanaExpanded(String sql) {
        return sql.replace("$__timeFilter(timestamp)",
                        "timestamp BETWEEN '2020-01-01T00:00:00.000Z' AND '2100-01-01T00:00:00.000Z'")
                .replace("$__interval", "1m")
                .replace("$station", "'" + agent.stationId() + "'");
    }

    private HttpResponse<String> questDb(String sql) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + questDbPort + "/exec?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject dashboard() throws Exception {
        return new JsonObject(Files.readString(DASHBOARD));
    }

    private static List<JsonObject> panels(JsonObject d) {
        List<JsonObject> out = new ArrayList<>();
        for (Object p : d.getJsonArray("panels")) {
            out.add((JsonObject) p);
            JsonArray inner = ((JsonObject) p).getJsonArray("panels");
            if (inner != null) {
                inner.forEach(i -> out.add((JsonObject) i));
            }
        }
        return out;
    }

    private static List<String> dashboardPrometheusQueries() throws Exception {
        JsonObject d = dashboard();
        List<String> out = new ArrayList<>();
        for (JsonObject p : panels(d)) {
            JsonArray targets = p.getJsonArray("targets");
            if (targets != null && p.getJsonObject("datasource") != null
                    && "${prometheus}".equals(p.getJsonObject("datasource").getString("uid"))) {
                targets.forEach(t -> out.add(((JsonObject) t).getString("expr")));
            }
        }
        for (Object v : d.getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = (JsonObject) v;
            String definition = variable.getString("definition", "");
            if (definition.startsWith("label_values(")) {
                // label_values(metric, label): the metric is the first argument
                out.add(definition.substring("label_values(".length(), definition.indexOf(',')));
            }
        }
        assertThat(out).as("Prometheus queries of the dashboard").hasSizeGreaterThan(20);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules() throws Exception {
        Map<String, Object> file = new Yaml().load(Files.readString(RULES));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            out.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return out;
    }

    private static List<String> ruleExpressions() throws Exception {
        return rules().stream().map(r -> r.get("expr").toString()).toList();
    }
}
