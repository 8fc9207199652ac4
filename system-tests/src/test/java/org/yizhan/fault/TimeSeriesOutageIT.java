package org.yizhan.fault;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.FaultFigures;
import org.yizhan.testing.QuestDbServer;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fault suite: the time-series store (a QuestDB server of its own) is killed for {@value #SHORT_SECONDS} s in CI,
 * {@value #LONG_SECONDS} s (ten minutes) with {@code -Dyizhan.fault.long=true}, or {@code -Dyizhan.fault.tsOutageSeconds=N},
 * while a real agent sends a heartbeat and telemetry every second; then it is started again. Every heartbeat the hub
 * received must end up in QuestDB exactly once (counted by the heartbeat's sequence number: none lost, none
 * duplicated) and the hub counts no lost point. Figures in {@code target/fault-figures.txt}.
 */
@ExtendWith(VertxExtension.class)
class TimeSeriesOutageIT {

    static final int SHORT_SECONDS = 20;
    static final int LONG_SECONDS = 600;

    @Test
    void everyHeartbeatReachesTheStoreOnceAfterItWasDown(Vertx vertx, @TempDir Path dir) throws Exception {
        int outage = FaultFigures.count("yizhan.fault.tsOutageSeconds", SHORT_SECONDS, LONG_SECONDS);
        try (QuestDbServer questdb = QuestDbServer.start(dir.resolve("questdb"));
             TestHub hub = TestHub.start(vertx, dir.resolve("hub"),
                     Map.of("YIZHAN_TS_ENGINE", "questdb", "YIZHAN_TS_URL", questdb.url()))) {
            JsonObject created = hub.createStation(hub.adminToken(), TestHub.station("时序断线站")
                    .put("telemetrySeconds", 1).put("heartbeatSeconds", 1));
            String id = created.getJsonObject("station").getString("id");
            TestAgent agent = hub.agentFromClaim(created.getString("claimCode"));
            hub.awaitConnected(id);
            await("heartbeats in QuestDB").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> heartbeats(questdb, id).rows() > 0);

            long killedAt = System.nanoTime();
            questdb.kill();
            long peakBuffered = 0;
            long peakBytes = 0;
            long lastReport = System.nanoTime();
            // the outage: the store stays down this long while the agent goes on; the buffer is read as it grows
            while (System.nanoTime() - killedAt < outage * 1_000_000_000L) {
                JsonObject s = status(hub);
                peakBuffered = Math.max(peakBuffered, s.getLong("bufferedPoints"));
                peakBytes = Math.max(peakBytes, s.getLong("bufferedBytes"));
                if (System.nanoTime() - lastReport > 60_000_000_000L) {
                    System.out.printf("time-series store down %d s: %d points waiting on disk%n",
                            (System.nanoTime() - killedAt) / 1_000_000_000L, s.getLong("bufferedPoints"));
                    lastReport = System.nanoTime();
                }
                Thread.sleep(1000);
            }
            assertThat(status(hub).getBoolean("storeUp")).as("the hub saw the store down").isFalse();
            assertThat(peakBuffered).as("points waited on disk").isPositive();
            questdb.start();
            long restartedAt = System.nanoTime();
            await("the buffer drains into QuestDB").atMost(Duration.ofSeconds(60 + outage / 5))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        JsonObject s = status(hub);
                        return s.getBoolean("storeUp") && s.getLong("bufferedPoints") == 0;
                    });
            double drainSeconds = (System.nanoTime() - restartedAt) / 1e9;
            agent.stop();
            // QuestDB applies its write-ahead log a moment after it accepts the write, and the agent's last
            // heartbeat may still be on its way: wait until both counts agree
            long[] received = new long[1];
            Heartbeats hb = await("every heartbeat received is in QuestDB").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        received[0] = (long) metric(hub, "yizhan_mqtt_messages_in_total", "heartbeat");
                        return heartbeats(questdb, id);
                    }, h -> h.rows() >= received[0]);
            long lostPoints = status(hub).getLong("lostPoints");
            FaultFigures.record("TimeSeriesOutageIT", String.format("store down %d s, %d heartbeats received, %d in "
                            + "QuestDB (%d distinct, sequence %d..%d), lost %d, duplicated %d, hub-counted lost points "
                            + "%d, at most %d points (%d KiB) waiting on disk, drained in %.1f s", outage, received[0],
                    hb.rows(), hb.distinct(), hb.min(), hb.max(), Math.max(0, received[0] - hb.distinct()),
                    hb.rows() - hb.distinct(), lostPoints, peakBuffered, peakBytes / 1024, drainSeconds));
            assertThat(hb.distinct()).as("distinct heartbeats in QuestDB").isEqualTo(received[0]);
            assertThat(hb.rows()).as("heartbeat rows in QuestDB (a duplicate is a second row)").isEqualTo(hb.distinct());
            assertThat(hb.max() - hb.min() + 1).as("heartbeat sequence numbers without a gap").isEqualTo(hb.distinct());
            assertThat(lostPoints).as("points the hub counted as lost").isZero();
        }
    }

    private record Heartbeats(long rows, long distinct, long min, long max) {
    }

    private static Heartbeats heartbeats(QuestDbServer questdb, String stationId) throws Exception {
        HttpResponse<String> r = questdb.sql("SELECT count(), count_distinct(seq), min(seq), max(seq) FROM heartbeat "
                + "WHERE station = '" + stationId + "'");
        if (r.statusCode() != 200) {
            return new Heartbeats(0, 0, 0, 0); // the table does not exist yet
        }
        JsonArray row = new JsonObject(r.body()).getJsonArray("dataset").getJsonArray(0);
        return new Heartbeats(num(row, 0), num(row, 1), num(row, 2), num(row, 3));
    }

    private static long num(JsonArray row, int i) {
        Object v = row.getValue(i);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static JsonObject status(TestHub hub) throws Exception {
        return hub.call("GET", "/api/v1/timeseries", hub.adminToken(), null);
    }

    private static double metric(TestHub hub, String name, String type) throws Exception {
        String text = hub.send("GET", "/metrics", null, null).body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*type=\"" + type + "\"[^}]*} (\\S+)$").matcher(text);
        assertThat(m.find()).as("%s{type=%s} in /metrics", name, type).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
