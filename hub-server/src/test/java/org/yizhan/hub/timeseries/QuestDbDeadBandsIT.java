package org.yizhan.hub.timeseries;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.Telemetry;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The dead bands through a real embedded QuestDB: fewer rows, and a chart that still steps where the room changed. */
@ExtendWith(VertxExtension.class)
class QuestDbDeadBandsIT {

    /** A minute boundary in 2025 (UTC). */
    private static final long T0 = 1_750_000_020_000L;

    @Test
    void aSteadyRoomIsWrittenAtItsKeepTimeAndAChangeStepsAfterTheLastSkippedReading(Vertx vertx, @TempDir Path dir)
            throws Exception {
        HubMetrics metrics = new HubMetrics();
        TimeSeriesSettings bands = new TimeSeriesSettings(TimeSeriesSettings.Engine.EMBEDDED, "", Optional.empty(), "",
                "", TimeSeriesSettings.DEFAULT_BUFFER_MAX_BYTES, 0, DeadBands.DEFAULTS);
        QuestDbTimeSeries ts = result(QuestDbTimeSeries.start(vertx, dir, metrics, 0, bands));
        try {
            // 3 riders for 100 s, reported every 5 s; then 5
            for (long at = T0; at < T0 + 100_000; at += 5_000) {
                ts.telemetry("st-a", occupancy(at, 3), at + 50);
            }
            ts.telemetry("st-a", occupancy(T0 + 100_000, 5), T0 + 100_050);
            result(ts.flush());

            List<double[]> points = result(ts.history("st-a", "occupancy.count", 0, T0, T0 + 105_000, 5_000));
            assertThat(points).as("21 readings, 4 rows: the first, the keep-time write, the last 3 and the 5")
                    .containsExactly(new double[]{T0, 3}, new double[]{T0 + 60_000, 3},
                            new double[]{T0 + 95_000, 3}, new double[]{T0 + 100_000, 5});
            assertThat(metrics.registry().get("yizhan_timeseries_readings_skipped").functionCounter().count())
                    .isEqualTo(18);
            assertThat(metrics.registry().get("yizhan_timeseries_points_queued").counter().count()).isEqualTo(4);
        } finally {
            result(ts.close());
        }
    }

    private static Telemetry occupancy(long at, int count) {
        return new Telemetry(at, Optional.of(new Telemetry.Occupancy(count, 20)), Optional.empty(), List.of(),
                Optional.empty());
    }

    private static <T> T result(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
