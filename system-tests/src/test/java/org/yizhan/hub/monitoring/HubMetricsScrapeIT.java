package org.yizhan.hub.monitoring;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.metrics.HubVertx;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yizhan.testing.Futures.get;

/**
 * A real hub on a Vert.x made the way its {@code main} makes it ({@link HubVertx}), one simulated station connected,
 * scraped at {@code GET /metrics}: JVM, process and Vert.x meters stand beside the application meters, and no label
 * carries a station id or a raw path.
 */
class HubMetricsScrapeIT {

    /** A station id that appears in a request path only; no label may repeat it. */
    private static final String PATH_STATION = "no-such-station-7f3a";

    private static Vertx vertx;
    /** The station's own Vert.x, as on a station: its pools and servers are not the hub's. */
    private static Vertx stationVertx;
    private static TestHub hub;
    private static TestAgent agent;
    private static Scrape scrape;

    @BeforeAll
    static void startHubWithAStation(@TempDir Path dir) throws Exception {
        HubMetrics metrics = new HubMetrics();
        vertx = HubVertx.create(metrics);
        hub = TestHub.start(vertx, dir, Map.of(), metrics);
        stationVertx = Vertx.vertx();
        agent = TestAgent.provision(stationVertx, hub.url(""), hub.register("一号驿站", 30.27, 120.15)
                .getString("claimCode"), dir.resolve("station"));
        hub.awaitConnected(agent.stationId());
        String admin = hub.adminToken();
        assertThat(hub.send("GET", "/api/v1/stations/" + PATH_STATION, admin, null).statusCode()).isEqualTo(404);
        assertThat(hub.send("GET", "/api/v1/stations/" + agent.stationId(), admin, null).statusCode()).isEqualTo(200);
        assertThat(hub.send("POST", "/api/v1/auth/login", null, new io.vertx.core.json.JsonObject()
                .put("username", "admin").put("password", "not-the-password")).statusCode()).isEqualTo(401);
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

    @Test
    void showsJvmProcessAndVertxMetersBesideTheApplicationMeters() {
        assertThat(scrape.names()).contains(
                "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_gc_pause_seconds_count", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "process_cpu_usage", "process_uptime_seconds", "process_files_open_files",
                "vertx_http_server_requests_total", "vertx_http_server_response_time_seconds_count",
                "yizhan_mqtt_connections", "yizhan_mqtt_rejects_total", "yizhan_ingest_latency_seconds_count",
                "yizhan_timeseries_buffered_points", "yizhan_dead_letters_total", "yizhan_stations");
        assertThat(scrape.value("yizhan_stations{state=\"online\"}"))
                .as("the connected station is counted online").isEqualTo(1.0);
        assertThat(scrape.value("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}")).isPositive();
    }

    @Test
    void labelsNameRouteTemplatesNeverStationIdsOrRawPaths() {
        assertThat(scrape.text()).as("a path parameter in a label")
                .doesNotContain(PATH_STATION).doesNotContain(agent.stationId());
        assertThat(scrape.text()).contains("/api/v1/stations/:id\"");
    }
}
