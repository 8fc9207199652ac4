package org.yizhan.hub.timeseries;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.nio.file.Path;
import java.util.List;

/**
 * Station time series. Writes never block and never fail the caller: they are queued, sent by a writer thread,
 * kept on disk while the store is unreachable, and counted in {@code yizhan_timeseries_lost_points_total} when
 * they cannot be kept (see {@link LineWriter}).
 */
public interface TimeSeries {

    /** Metric names accepted by {@link #history}. */
    List<String> METRICS = List.of("occupancy.count", "occupancy.capacity", "door.open", "door.locked",
            "chargers.powerW", "chargers.energyWh", "chargers.tempC", "env.tempC", "env.humidity",
            "heartbeat.uptimeS", "heartbeat.outbox", "presence.online");

    /**
     * What an operator needs to know about the store: which engine, whether the last write reached it, how much waits
     * on disk for it ({@code ts-buffer-max-bytes} at most) and how many points were lost since the hub started.
     */
    record Status(String engine, boolean storeUp, long bufferedPoints, long bufferedBytes, long bufferMaxBytes,
                  long lostPoints, String retention) {
    }

    /**
     * Opens the configured store: the embedded QuestDB under {@code dataDir/questdb} (HTTP on
     * {@code questdbHttpPort}, 0 = free), a QuestDB server or an InfluxDB 2.x server. Its disk buffer is
     * {@code dataDir/timeseries-buffer}. A server need not be up for this to succeed.
     */
    static Future<? extends TimeSeries> open(Vertx vertx, Path dataDir, HubMetrics metrics,
                                              TimeSeriesSettings settings, int questdbHttpPort) {
        return switch (settings.engine()) {
            case EMBEDDED -> QuestDbTimeSeries.start(vertx, dataDir, metrics, questdbHttpPort, settings);
            case QUESTDB -> QuestDbTimeSeries.connect(vertx, dataDir, metrics, settings);
            case INFLUXDB2 -> InfluxDb2TimeSeries.connect(vertx, dataDir, metrics, settings);
        };
    }

    void heartbeat(String stationId, Heartbeat heartbeat, long receivedAt);

    void telemetry(String stationId, Telemetry telemetry, long receivedAt);

    void presence(String stationId, boolean online, long at);

    /**
     * Points {@code [ts, value]} of one metric between {@code from} and {@code to} (epoch ms), averaged per
     * {@code stepMillis} bucket. For {@code chargers.*} without a port, the ports are summed (powerW,
     * energyWh) or the maximum taken (tempC); {@code port} > 0 selects one port.
     */
    Future<List<double[]>> history(String stationId, String metric, int port, long from, long to, long stepMillis);

    Status status();

    /** Succeeds when the store answers a query now (the readiness check); fails saying why otherwise. */
    Future<Void> ping();

    /** Makes queued writes visible to {@link #history} (tests and shutdown); fails while the store is unreachable. */
    Future<Void> flush();

    Future<Void> close();
}
