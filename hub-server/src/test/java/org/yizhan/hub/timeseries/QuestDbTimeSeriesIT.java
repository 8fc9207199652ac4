package org.yizhan.hub.timeseries;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Against a real embedded QuestDB in a temporary directory; one instance is shared by the tests that only read. */
@ExtendWith(VertxExtension.class)
class QuestDbTimeSeriesIT {

    /** A minute boundary in 2025 (UTC). */
    private static final long T0 = 1_750_000_020_000L;
    private static final long MINUTE = 60_000;

    /** The embedded engine keeping every point: T0 lies further back than the default retention. */
    private static final TimeSeriesSettings KEEP_ALL = new TimeSeriesSettings(TimeSeriesSettings.Engine.EMBEDDED, "",
            Optional.empty(), "", "", TimeSeriesSettings.DEFAULT_BUFFER_MAX_BYTES, 0);
    private static final long DAY = 86_400_000L;

    private static HubMetrics metrics;
    private static QuestDbTimeSeries ts;

    @BeforeAll
    static void startAndWrite(Vertx vertx, @TempDir Path dir) throws Exception {
        metrics = new HubMetrics();
        ts = result(QuestDbTimeSeries.start(vertx, dir, metrics, 0, KEEP_ALL));
        long receivedAt = T0 + 10 * MINUTE;
        // Station st-a: two occupancy readings in the first minute, one in the second.
        ts.telemetry("st-a", occupancy(T0, 2, 20), receivedAt);
        ts.telemetry("st-a", occupancy(T0 + 30_000, 4, 20), receivedAt);
        ts.telemetry("st-a", occupancy(T0 + MINUTE, 10, 20), receivedAt);
        // Chargers of st-a: port 1 averages 150 W in the first minute, port 2 50 W.
        ts.telemetry("st-a", chargers(T0, charger(1, 100, 30), charger(2, 50, 40)), receivedAt);
        ts.telemetry("st-a", chargers(T0 + 30_000, charger(1, 200, 32)), receivedAt);
        ts.telemetry("st-a", chargers(T0 + MINUTE + 5_000, charger(1, 300, 35)), receivedAt);
        // Station st-b must not leak into st-a.
        ts.telemetry("st-b", occupancy(T0 + 10_000, 7, 30), receivedAt);
        ts.telemetry("st-b", chargers(T0 + 10_000, charger(1, 999, 90)), receivedAt);
        ts.presence("st-a", true, T0 + 5_000);
        ts.presence("st-a", false, T0 + 20_000);
        ts.presence("st-b", true, T0 + 5_000);
        ts.heartbeat("st-a", new Heartbeat(T0, 1, 100, 3), T0 + 1_000);
        ts.heartbeat("st-a", new Heartbeat(T0 + 10_000, 2, 110, 5), T0 + 11_000);
        result(ts.flush());
    }

    @AfterAll
    static void stop() throws Exception {
        if (ts != null) {
            result(ts.close());
        }
    }

    @Test
    void averagesOccupancyPerBucketForOneStation() throws Exception {
        List<double[]> points = result(ts.history("st-a", "occupancy.count", 0, T0, T0 + 2 * MINUTE - 1, MINUTE));
        assertThat(points).containsExactly(new double[]{T0, 3}, new double[]{T0 + MINUTE, 10});
        assertThat(result(ts.history("st-b", "occupancy.capacity", 0, T0, T0 + 2 * MINUTE, MINUTE)))
                .containsExactly(new double[]{T0, 30});
    }

    @Test
    void sumsChargerPowerOverPortsAndSelectsOnePort() throws Exception {
        assertThat(result(ts.history("st-a", "chargers.powerW", 0, T0, T0 + 2 * MINUTE - 1, MINUTE)))
                .as("port 1 averages 150 W, port 2 50 W in the first minute")
                .containsExactly(new double[]{T0, 200}, new double[]{T0 + MINUTE, 300});
        assertThat(result(ts.history("st-a", "chargers.powerW", 2, T0, T0 + 2 * MINUTE - 1, MINUTE)))
                .containsExactly(new double[]{T0, 50});
        assertThat(result(ts.history("st-a", "chargers.tempC", 0, T0, T0 + MINUTE - 1, MINUTE)))
                .as("hottest port's average").containsExactly(new double[]{T0, 40});
    }

    @Test
    void averagesPresenceAndHeartbeats() throws Exception {
        assertThat(result(ts.history("st-a", "presence.online", 0, T0, T0 + MINUTE - 1, MINUTE)))
                .containsExactly(new double[]{T0, 0.5});
        assertThat(result(ts.history("st-a", "heartbeat.outbox", 0, T0, T0 + MINUTE - 1, MINUTE)))
                .containsExactly(new double[]{T0, 4});
    }

    @Test
    void returnsNothingForAnUnknownStationOrATableNotWrittenYet() throws Exception {
        assertThat(result(ts.history("st-zz", "occupancy.count", 0, T0, T0 + MINUTE, MINUTE))).isEmpty();
        assertThat(result(ts.history("st-a", "env.humidity", 0, T0, T0 + MINUTE, MINUTE)))
                .as("no env reading was ever written, so there is no table").isEmpty();
        assertThat(result(ts.history("x' OR '1'='1", "occupancy.count", 0, T0, T0 + MINUTE, MINUTE)))
                .as("a quote in the station id stays inside the string").isEmpty();
    }

    @Test
    void refusesBadHistoryArgumentsNamingThem() {
        assertThat(failure(ts.history("st-a", "occupancy.bogus", 0, T0, T0 + MINUTE, MINUTE))).contains("metric");
        assertThat(failure(ts.history("st-a", "occupancy.count", 0, T0, T0 + MINUTE, 0))).contains("step");
        assertThat(failure(ts.history("st-a", "occupancy.count", 3, T0, T0 + MINUTE, MINUTE))).contains("port");
        assertThat(failure(ts.history("st-a", "occupancy.count", 0, T0 + MINUTE, T0, MINUTE))).contains("to");
    }

    @Test
    void clampsAbsurdStationClocksToTheReceiveTime(Vertx vertx) throws Exception {
        long receivedAt = T0 + 30 * MINUTE;
        ts.telemetry("st-clock", occupancy(1_000, 5, 10), receivedAt);
        ts.telemetry("st-clock", occupancy(receivedAt + 2 * 86_400_000L, 7, 10), receivedAt + MINUTE);
        result(ts.flush());
        assertThat(result(ts.history("st-clock", "occupancy.count", 0, 0, receivedAt + 10 * 86_400_000L, MINUTE)))
                .containsExactly(new double[]{receivedAt, 5}, new double[]{receivedAt + MINUTE, 7});
    }

    @Test
    void keepsDataAcrossARestart(Vertx vertx, @TempDir Path dir) throws Exception {
        HubMetrics m = new HubMetrics();
        QuestDbTimeSeries first = result(QuestDbTimeSeries.start(vertx, dir, m, 0, KEEP_ALL));
        first.telemetry("st-r", occupancy(T0, 6, 10), T0);
        result(first.flush());
        result(first.close());
        QuestDbTimeSeries second = result(QuestDbTimeSeries.start(vertx, dir, m, 0, KEEP_ALL));
        try {
            assertThat(result(second.history("st-r", "occupancy.count", 0, T0, T0 + MINUTE, MINUTE)))
                    .containsExactly(new double[]{T0, 6});
            assertThat(errors(m)).isZero();
        } finally {
            result(second.close());
        }
    }

    @Test
    void retentionDropsTheDaysOlderThanTheSettingAndKeepsTheRecentOnes(Vertx vertx, @TempDir Path dir)
            throws Exception {
        TimeSeriesSettings tenDays = new TimeSeriesSettings(TimeSeriesSettings.Engine.EMBEDDED, "", Optional.empty(),
                "", "", TimeSeriesSettings.DEFAULT_BUFFER_MAX_BYTES, 10);
        QuestDbTimeSeries t = result(QuestDbTimeSeries.start(vertx, dir, new HubMetrics(), 0, tenDays));
        try {
            long now = System.currentTimeMillis();
            long old = (now - 30 * DAY) / MINUTE * MINUTE;
            long older = (now - 300 * DAY) / MINUTE * MINUTE;
            long recent = (now - 2 * DAY) / MINUTE * MINUTE;
            for (long at : new long[]{older, old, recent}) {
                t.telemetry("st-ret", occupancy(at, 4, 10), now);
                t.heartbeat("st-ret", new Heartbeat(at, 1, 1, 0), at);
            }
            result(t.flush());
            assertThat(result(t.history("st-ret", "occupancy.count", 0, older, now, MINUTE)))
                    .as("all three written").hasSize(3);
            result(t.dropOldPartitions());
            result(t.flush());
            assertThat(result(t.history("st-ret", "occupancy.count", 0, older, now, MINUTE)))
                    .as("days older than 10 are dropped, the recent one stays")
                    .containsExactly(new double[]{recent, 4});
            assertThat(result(t.history("st-ret", "heartbeat.uptimeS", 0, older, now, MINUTE)))
                    .as("in every table").containsExactly(new double[]{recent, 1});
            assertThat(result(t.history("st-ret", "env.humidity", 0, older, now, MINUTE)))
                    .as("a table never written is skipped, not an error").isEmpty();
        } finally {
            result(t.close());
        }
    }

    @Test
    void countsWriteErrorsWithoutThrowingWhenQuestDbIsUnreachable(Vertx vertx, @TempDir Path dir) throws Exception {
        int refused;
        try (ServerSocket s = new ServerSocket(0)) {
            refused = s.getLocalPort();
        }
        HubMetrics m = new HubMetrics();
        QuestDbTimeSeries down = result(QuestDbTimeSeries.connect(vertx, dir, m, server("http://127.0.0.1:" + refused)));
        try {
            vertx.runOnContext(v -> {
                down.heartbeat("st-a", new Heartbeat(T0, 1, 1, 0), T0);
                down.telemetry("st-a", occupancy(T0, 1, 2), T0);
                down.flush();
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(errors(m)).isPositive());
            assertThat(failure(down.history("st-a", "occupancy.count", 0, T0, T0 + MINUTE, MINUTE)))
                    .as("reads fail as a future, not an exception").isNotEmpty();
        } finally {
            result(down.close());
        }
    }

    @Test
    void refusesAConnectUrlThatIsNotHttpHostPort(Vertx vertx, @TempDir Path dir) {
        assertThat(failure(QuestDbTimeSeries.connect(vertx, dir, new HubMetrics(), server("questdb:9000"))))
                .contains("questdb url");
    }

    private static TimeSeriesSettings server(String url) {
        return new TimeSeriesSettings(TimeSeriesSettings.Engine.QUESTDB, url, Optional.empty(), "", "",
                TimeSeriesSettings.DEFAULT_BUFFER_MAX_BYTES, TimeSeriesSettings.DEFAULT_RETENTION_DAYS);
    }

    private static double errors(HubMetrics m) {
        Counter c = m.registry().find("yizhan_timeseries_write_errors").counter();
        return c == null ? 0 : c.count();
    }

    private static Telemetry occupancy(long at, int count, int capacity) {
        return new Telemetry(at, Optional.of(new Telemetry.Occupancy(count, capacity)), Optional.empty(), List.of(),
                Optional.empty());
    }

    private static Telemetry chargers(long at, Telemetry.Charger... chargers) {
        return new Telemetry(at, Optional.empty(), Optional.empty(), List.of(chargers), Optional.empty());
    }

    private static Telemetry.Charger charger(int port, double powerW, double tempC) {
        return new Telemetry.Charger(port, ChargerState.CHARGING, powerW, 1_000, OptionalDouble.of(tempC));
    }

    private static <T> T result(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The failure message of a future that must fail. */
    private static String failure(Future<?> f) {
        try {
            f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return String.valueOf(e.getCause().getMessage());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failure");
    }
}
