package org.yizhan.hub.timeseries;

import io.vertx.core.Future;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.util.List;

/**
 * Station time series. Writes never block and never fail the caller: they are queued, retried by the
 * client and counted in {@code yizhan_timeseries_write_errors} when they finally fail.
 */
public interface TimeSeries {

    /** Metric names accepted by {@link #history}. */
    List<String> METRICS = List.of("occupancy.count", "occupancy.capacity", "door.open", "door.locked",
            "chargers.powerW", "chargers.energyWh", "chargers.tempC", "env.tempC", "env.humidity",
            "heartbeat.uptimeS", "heartbeat.outbox", "presence.online");

    void heartbeat(String stationId, Heartbeat heartbeat, long receivedAt);

    void telemetry(String stationId, Telemetry telemetry, long receivedAt);

    void presence(String stationId, boolean online, long at);

    /**
     * Points {@code [ts, value]} of one metric between {@code from} and {@code to} (epoch ms), averaged per
     * {@code stepMillis} bucket. For {@code chargers.*} without a port, the ports are summed (powerW,
     * energyWh) or the maximum taken (tempC); {@code port} > 0 selects one port.
     */
    Future<List<double[]>> history(String stationId, String metric, int port, long from, long to, long stepMillis);

    /** Succeeds when the store answers a query now (the readiness check); fails saying why otherwise. */
    Future<Void> ping();

    /** Makes queued writes visible to {@link #history} (tests and shutdown). */
    Future<Void> flush();

    Future<Void> close();
}
