package org.yizhan.hub.timeseries;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.query.FluxRecord;
import com.influxdb.query.FluxTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Station time series in an InfluxDB 2.x bucket ({@code ts-engine=influxdb2}): the same line-protocol records as
 * QuestDB gets, written by a {@link LineWriter} (buffered on disk while InfluxDB is unreachable) through
 * influxdb-client-java's {@code /api/v2/write}; read with Flux ({@link FluxQuery}) through its {@code QueryApi}, on a
 * worker thread. Retention is the bucket's own retention policy, set in InfluxDB, not by the hub.
 */
public final class InfluxDb2TimeSeries implements TimeSeries {

    private static final Logger LOG = LoggerFactory.getLogger(InfluxDb2TimeSeries.class);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final Vertx vertx;
    private final TimeSeriesSettings settings;
    private final InfluxDBClient client;
    private final LineWriter writer;
    /** What was last written of each station's telemetry, for the dead bands. */
    private final LastWritten lastWritten;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InfluxDb2TimeSeries(Vertx vertx, TimeSeriesSettings settings, InfluxDBClient client, LineWriter writer,
                                HubMetrics metrics) {
        this.vertx = vertx;
        this.lastWritten = new LastWritten(metrics);
        this.settings = settings;
        this.client = client;
        this.writer = writer;
    }

    /** Connects to the server in {@code settings} (nothing is contacted until the first write or query). */
    public static Future<InfluxDb2TimeSeries> connect(Vertx vertx, Path dataDir, HubMetrics metrics,
                                                      TimeSeriesSettings settings) {
        return vertx.executeBlocking(() -> {
            DiskBuffer buffer = new DiskBuffer(QuestDbTimeSeries.bufferDir(dataDir), settings.bufferMaxBytes());
            InfluxDBClient client = InfluxClients.create(settings.url(), settings.token(), settings.org(),
                    settings.bucket());
            LineWriter writer = new LineWriter("InfluxDB at " + settings.url() + ", bucket " + settings.bucket(),
                    InfluxClients.sender(client, settings.org(), settings.bucket()), buffer, metrics);
            LOG.info("Time series in InfluxDB 2.x at {}, org {}, bucket {}; retention is the bucket's own policy",
                    settings.url(), settings.org(), settings.bucket());
            return new InfluxDb2TimeSeries(vertx, settings, client, writer, metrics);
        });
    }

    @Override
    public void heartbeat(String stationId, Heartbeat heartbeat, long receivedAt) {
        writer.offer(StationPoints.heartbeat(stationId, heartbeat, receivedAt));
    }

    @Override
    public void telemetry(String stationId, Telemetry telemetry, long receivedAt) {
        writer.offer(StationPoints.telemetry(stationId, telemetry, receivedAt, settings.deadBands(), lastWritten));
    }

    @Override
    public void presence(String stationId, boolean online, long at) {
        writer.offer(StationPoints.presence(stationId, online, at));
    }

    @Override
    public Future<List<double[]>> history(String stationId, String metric, int port, long from, long to,
                                          long stepMillis) {
        String flux;
        try {
            flux = FluxQuery.flux(settings.bucket(), stationId, metric, port, from, to, stepMillis);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return vertx.executeBlocking(() -> points(client.getQueryApi().query(flux, settings.org())), false)
                .recover(e -> Future.failedFuture("time series query failed: " + e.getMessage()));
    }

    /** {@code [tsMillis, value]} of every record with a time and a number, in the order given. */
    static List<double[]> points(List<FluxTable> tables) {
        List<double[]> points = new ArrayList<>();
        for (FluxTable t : tables) {
            for (FluxRecord r : t.getRecords()) {
                Instant ts = r.getTime();
                if (ts != null && r.getValue() instanceof Number n) {
                    points.add(new double[]{ts.toEpochMilli(), n.doubleValue()});
                }
            }
        }
        return points;
    }

    @Override
    public Future<Void> ping() {
        if (closed.get()) {
            return Future.failedFuture("the time series is closed");
        }
        return vertx.executeBlocking(() -> {
            if (!Boolean.TRUE.equals(client.ping())) {
                throw new IllegalStateException("InfluxDB at " + settings.url() + " does not answer its /ping");
            }
            return (Void) null;
        }, false);
    }

    @Override
    public Status status() {
        LineWriter.Status w = writer.status();
        return new Status(settings.engine().setting(), w.storeUp(), w.bufferedPoints(), w.bufferedBytes(),
                w.bufferMaxBytes(), w.lostPoints(), "the bucket's retention policy");
    }

    @Override
    public Future<Void> flush() {
        if (closed.get()) {
            return Future.failedFuture("the time series is closed");
        }
        return Future.fromCompletionStage(writer.flush(), vertx.getOrCreateContext());
    }

    @Override
    public Future<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> {
            writer.close(CLOSE_WAIT_MILLIS);
            client.close();
            return null;
        });
    }
}
