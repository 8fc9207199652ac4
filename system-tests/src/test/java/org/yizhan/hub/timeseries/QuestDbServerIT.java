package org.yizhan.hub.timeseries;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.QuestDbServer;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hub writing its time series to a QuestDB server that runs as its own process ({@code ts-engine=questdb}), with a
 * real simulated agent sending telemetry every second: the history API reads back what it sent; while QuestDB is
 * killed the telemetry waits on disk (shown in {@code /api/v1/timeseries} and {@code /metrics}) and ingestion goes
 * on; the waiting points survive a restart of the hub and reach QuestDB once it is back. With a tiny buffer, what
 * does not fit is counted as lost.
 */
@ExtendWith(VertxExtension.class)
class QuestDbServerIT {

    @Test
    void telemetryWaitsOnDiskWhileQuestDbIsDownAndReachesItWhenItIsBack(Vertx vertx, @TempDir Path dir)
            throws Exception {
        try (QuestDbServer questdb = QuestDbServer.start(dir.resolve("questdb"))) {
            // every reading written (no dead bands): with them, the reading that moves the room to 1 may share its
            // one-second bucket with the 0 before it (an average of 0.5), and the steady 1 after it is written only
            // at the 60 s keep time, later than these waits
            Map<String, String> env = Map.of("YIZHAN_TS_ENGINE", "questdb", "YIZHAN_TS_URL", questdb.url(),
                    "YIZHAN_TS_UNCHANGED_WRITE_SECONDS", "0");
            String id;
            long killedAt;
            TestHub hub = TestHub.start(vertx, dir, env);
            try {
                JsonObject created = hub.createStation(hub.adminToken(), TestHub.station("Outage")
                        .put("telemetrySeconds", 1).put("heartbeatSeconds", 1));
                id = created.getJsonObject("station").getString("id");
                TestAgent agent = hub.agentFromClaim(created.getString("claimCode"));
                hub.awaitConnected(id);
                agent.simulate("/sim/beam", new JsonObject().put("direction", "in"));
                await("the agent's telemetry in QuestDB's history").atMost(Duration.ofSeconds(30))
                        .until(() -> values(hub, id, 0).contains("1.0"));
                assertThat(status(hub).getString("engine")).isEqualTo("questdb");
                assertThat(status(hub).getBoolean("storeUp")).isTrue();

                killedAt = System.currentTimeMillis();
                questdb.kill();
                await("points buffered on disk").atMost(Duration.ofSeconds(30)).until(() -> {
                    JsonObject s = status(hub);
                    return !s.getBoolean("storeUp") && s.getLong("bufferedPoints") > 0;
                });
                String metrics = metrics(hub);
                assertThat(metric(metrics, "yizhan_timeseries_store_up")).isZero();
                assertThat(metric(metrics, "yizhan_timeseries_buffered_points")).isPositive();
                assertThat(metric(metrics, "yizhan_timeseries_buffered_bytes")).isPositive();

                // ingestion goes on: events are stored and PUBACKed, telemetry keeps arriving
                double telemetryIn = metric(metrics, "yizhan_mqtt_messages_in_total", "telemetry");
                assertThat(telemetryIn).as("telemetry counted before the outage").isPositive();
                agent.simulate("/sim/beam", new JsonObject().put("direction", "in"));
                agent.simulate("/sim/beam", new JsonObject().put("direction", "in"));
                agent.simulate("/sim/smoke", new JsonObject().put("alarm", true));
                await("the smoke alarm stored while QuestDB is down").atMost(Duration.ofSeconds(20)).until(() ->
                        !hub.call("GET", "/api/v1/events?stationId=" + id + "&type=smoke.alarm", hub.adminToken(),
                                null).getJsonArray("events").isEmpty());
                await("the agent's outbox empties (PUBACKs)").atMost(Duration.ofSeconds(20))
                        .until(() -> agent.outboxSize() == 0);
                long buffered = status(hub).getLong("bufferedPoints");
                await("telemetry still ingested and buffered").atMost(Duration.ofSeconds(20)).until(() ->
                        metric(metrics(hub), "yizhan_mqtt_messages_in_total", "telemetry") > telemetryIn + 2
                                && status(hub).getLong("bufferedPoints") > buffered);
                assertThat(status(hub).getLong("lostPoints")).isZero();
                assertThat(hub.send("GET", "/api/v1/stations/" + id + "/history?metric=occupancy.count",
                        hub.adminToken(), null).statusCode()).as("reads fail while QuestDB is down").isEqualTo(500);
            } finally {
                hub.close(); // with points still on disk
            }

            questdb.start();
            TestHub again = TestHub.start(vertx, dir, env);
            try {
                await("the buffer sent after the hub's restart").atMost(Duration.ofSeconds(30)).until(() -> {
                    JsonObject s = status(again);
                    return s.getBoolean("storeUp") && s.getLong("bufferedPoints") == 0;
                });
                assertThat(status(again).getLong("lostPoints")).isZero();
                await("the outage's telemetry in history").atMost(Duration.ofSeconds(20))
                        .until(() -> values(again, id, killedAt).contains("3.0"));
                assertThat(metric(metrics(again), "yizhan_timeseries_buffered_points")).isZero();
            } finally {
                again.close();
            }
        }
    }

    @Test
    void whatDoesNotFitTheBufferIsCountedAsLost(Vertx vertx, @TempDir Path dir) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens here: QuestDB is down from the start
        }
        try (TestHub hub = TestHub.start(vertx, dir, Map.of("YIZHAN_TS_ENGINE", "questdb",
                "YIZHAN_TS_URL", "http://127.0.0.1:" + closed, "YIZHAN_TS_BUFFER_MAX_BYTES", "2048"))) {
            JsonObject created = hub.createStation(hub.adminToken(), TestHub.station("Tiny buffer")
                    .put("telemetrySeconds", 1).put("heartbeatSeconds", 1));
            String id = created.getJsonObject("station").getString("id");
            hub.agentFromClaim(created.getString("claimCode"));
            hub.awaitConnected(id);
            await("points lost once the buffer is full").atMost(Duration.ofSeconds(30))
                    .until(() -> status(hub).getLong("lostPoints") > 0);
            JsonObject s = status(hub);
            assertThat(s.getBoolean("storeUp")).isFalse();
            assertThat(s.getLong("bufferMaxBytes")).isEqualTo(2048);
            assertThat(s.getLong("bufferedBytes")).isPositive().isLessThanOrEqualTo(2048);
            assertThat(metric(metrics(hub), "yizhan_timeseries_lost_points_total")).isPositive();
            assertThat(hub.dataDir().resolve("timeseries-buffer")).isDirectory();
        }
    }

    private static JsonObject status(TestHub hub) throws Exception {
        return hub.call("GET", "/api/v1/timeseries", hub.adminToken(), null);
    }

    /** The occupancy counts (as text, "1.0") in history from {@code from} until now, one per second. */
    private static String values(TestHub hub, String id, long from) throws Exception {
        long to = System.currentTimeMillis() + 1000;
        long since = from == 0 ? to - 600_000 : from;
        JsonArray points = hub.call("GET", "/api/v1/stations/" + id + "/history?metric=occupancy.count&from=" + since
                + "&to=" + to + "&step=1s", hub.adminToken(), null).getJsonArray("points");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            b.append(points.getJsonArray(i).getValue(1)).append(' ');
        }
        return b.toString();
    }

    private static String metrics(TestHub hub) throws Exception {
        return hub.send("GET", "/metrics", null, null).body();
    }

    /** A sample's value in Prometheus text, optionally the one with {@code type="..."}; NaN when absent. */
    private static double metric(String text, String name, String... type) {
        String labels = type.length == 0 ? "(\\{[^}]*})?" : "\\{[^}]*type=\"" + type[0] + "\"[^}]*}";
        Matcher m = Pattern.compile("(?m)^" + name + labels + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(m.groupCount())) : Double.NaN;
    }
}
