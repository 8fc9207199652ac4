package org.yizhan.hub.timeseries;

import com.influxdb.client.InfluxDBClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Station time series in QuestDB: InfluxDB line-protocol records queued to a {@link LineWriter} that buffers them
 * on disk while QuestDB cannot take them, read with SQL over QuestDB's HTTP {@code /exec} with the Vert.x
 * {@link WebClient}. A QuestDB server gets them through influxdb-client-java ({@code /api/v2/write}, ms precision);
 * the embedded one straight into its tables' WAL writers in this process ({@link EngineSender}), which costs about a
 * third of the CPU.
 * <p>
 * {@link #start} runs an embedded QuestDB under {@code dataDir/questdb}; {@link #connect} uses a QuestDB server
 * elsewhere ({@code ts-engine=questdb}). Tables are created by the first write (QuestDB's defaults: WAL, partitioned
 * by day), see {@link StationPoints} for their columns. Partitions older than the retention are dropped once at
 * start and then daily ({@link #dropOldPartitions}).
 * <p>
 * {@link #flush} waits until the writer has stored everything queued before it (it fails while QuestDB is
 * unreachable), then until QuestDB has applied all committed WAL transactions ({@code wal_tables()}), so that
 * {@link #history} sees the points.
 */
public final class QuestDbTimeSeries implements TimeSeries {

    private static final Logger LOG = LoggerFactory.getLogger(QuestDbTimeSeries.class);
    private static final long FLUSH_TIMEOUT_MILLIS = 15_000;
    private static final long FLUSH_POLL_MILLIS = 20;
    private static final long QUERY_TIMEOUT_MILLIS = 10_000;
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    private static final long DAY_MILLIS = 86_400_000L;
    private static final long RETRY_RETENTION_MILLIS = 3_600_000L;
    private static final long PING_TIMEOUT_MILLIS = 2_000;

    private final Vertx vertx;
    private final TimeSeriesSettings settings;
    private final Optional<EmbeddedQuestDb> embedded;
    /** The influxdb-client-java client for a server, or the {@link EngineSender} of the embedded QuestDB. */
    private final AutoCloseable sender;
    private final LineWriter writer;
    /** What was last written of each station's telemetry, for the dead bands. */
    private final LastWritten lastWritten;
    private final WebClient web;
    private final int httpPort;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long retentionTimer = -1;

    private QuestDbTimeSeries(Vertx vertx, HubMetrics metrics, TimeSeriesSettings settings,
                              Optional<EmbeddedQuestDb> embedded, URI http, Path bufferDir) throws IOException {
        this.vertx = vertx;
        this.settings = settings;
        this.embedded = embedded;
        this.lastWritten = new LastWritten(metrics);
        boolean tls = "https".equals(http.getScheme());
        this.httpPort = http.getPort() > 0 ? http.getPort() : tls ? 443 : 80;
        DiskBuffer buffer = new DiskBuffer(bufferDir, settings.bufferMaxBytes());
        try {
            if (embedded.isPresent()) {
                EngineSender engineSender = new EngineSender(embedded.get().engine());
                this.sender = engineSender;
                this.writer = new LineWriter("embedded QuestDB", engineSender, buffer, metrics,
                        LineWriter.ENGINE_BATCH_LINES);
            } else {
                InfluxDBClient client = InfluxClients.create(http.toString(), Optional.empty(), "yizhan", "yizhan");
                this.sender = client;
                this.writer = new LineWriter("QuestDB at " + http, InfluxClients.sender(client, "yizhan", "yizhan"),
                        buffer, metrics);
            }
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
        this.web = WebClient.create(vertx, new WebClientOptions()
                .setDefaultHost(http.getHost())
                .setDefaultPort(httpPort)
                .setSsl(tls)
                .setKeepAlive(true));
    }

    /**
     * Starts embedded QuestDB under dataDir/questdb (HTTP on 127.0.0.1:httpPort, 0 = free port), connects the writer
     * (its buffer in dataDir/timeseries-buffer) and schedules retention. Blocking work off the event loop.
     */
    public static Future<QuestDbTimeSeries> start(Vertx vertx, Path dataDir, HubMetrics metrics, int httpPort,
                                                  TimeSeriesSettings settings) {
        return vertx.executeBlocking(() -> {
            EmbeddedQuestDb db = EmbeddedQuestDb.start(dataDir.resolve("questdb"), httpPort);
            try {
                return new QuestDbTimeSeries(vertx, metrics, settings, Optional.of(db),
                        URI.create("http://127.0.0.1:" + db.httpPort()), bufferDir(dataDir));
            } catch (IOException | RuntimeException e) {
                db.close();
                throw e;
            }
        }).compose(ts -> ts.firstRetention().map(ts));
    }

    /** The embedded QuestDB with the default settings. */
    public static Future<QuestDbTimeSeries> start(Vertx vertx, Path dataDir, HubMetrics metrics, int httpPort) {
        return start(vertx, dataDir, metrics, httpPort, TimeSeriesSettings.embedded());
    }

    /**
     * Uses a QuestDB server that runs elsewhere, at {@code settings.url()} (such as {@code http://questdb:9000});
     * nothing is contacted until the first write, query or retention run, so the hub starts while it is down.
     */
    public static Future<QuestDbTimeSeries> connect(Vertx vertx, Path dataDir, HubMetrics metrics,
                                                    TimeSeriesSettings settings) {
        String httpUrl = settings.url();
        URI uri;
        try {
            uri = URI.create(httpUrl);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new IllegalArgumentException("questdb url: '" + httpUrl + "' is not a URL"));
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            return Future.failedFuture(new IllegalArgumentException(
                    "questdb url: '" + httpUrl + "' must look like http://host:port"));
        }
        return vertx.executeBlocking(() -> new QuestDbTimeSeries(vertx, metrics, settings, Optional.empty(), uri,
                bufferDir(dataDir))).onSuccess(QuestDbTimeSeries::firstRetention);
    }

    static Path bufferDir(Path dataDir) {
        return dataDir.resolve("timeseries-buffer");
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
    public Status status() {
        LineWriter.Status w = writer.status();
        return new Status(settings.engine().setting(), w.storeUp(), w.bufferedPoints(), w.bufferedBytes(),
                w.bufferMaxBytes(), w.lostPoints(),
                settings.retentionDays() == 0 ? "forever" : settings.retentionDays() + " days");
    }

    /**
     * Runs retention now, then daily (an hour later when it failed); nothing with retention 0. Completes when the
     * first run has (successfully or not), so the embedded store starts trimmed; a server's start need not wait.
     */
    private Future<Void> firstRetention() {
        if (settings.retentionDays() == 0) {
            return Future.succeededFuture();
        }
        return runRetention();
    }

    private Future<Void> runRetention() {
        if (closed.get()) {
            return Future.succeededFuture();
        }
        return dropOldPartitions().onComplete(ar -> {
            if (closed.get()) {
                return;
            }
            if (ar.failed()) {
                LOG.warn("Time series retention failed, will retry in an hour: {}", ar.cause().getMessage());
            }
            retentionTimer = vertx.setTimer(ar.succeeded() ? DAY_MILLIS : RETRY_RETENTION_MILLIS, id -> runRetention());
        }).otherwiseEmpty();
    }

    /**
     * Drops the partitions of every station table whose rows are all older than {@code ts-retention-days} (QuestDB
     * keeps whole days, so up to a day more stays). Tables not written yet are skipped.
     */
    public Future<Void> dropOldPartitions() {
        int days = settings.retentionDays();
        if (days == 0) {
            return Future.succeededFuture();
        }
        List<Future<Optional<JsonObject>>> drops = StationPoints.TABLES.stream()
                .map(table -> exec(HistoryQuery.dropOlderThan(table, days))
                        .recover(e -> Future.failedFuture(table + ": " + e.getMessage())))
                .toList();
        return Future.join(drops).<Void>mapEmpty()
                .onSuccess(v -> LOG.info("Time series retention: partitions older than {} days dropped", days));
    }

    @Override
    public Future<List<double[]>> history(String stationId, String metric, int port, long from, long to,
                                          long stepMillis) {
        String sql;
        try {
            sql = HistoryQuery.sql(stationId, metric, port, from, to, stepMillis);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return exec(sql).map(answer -> answer.map(HistoryQuery::points).orElse(List.of()));
    }

    @Override
    public Future<Void> ping() {
        if (closed.get()) {
            return Future.failedFuture("the time series is closed");
        }
        return web.get("/exec").addQueryParam("query", "SELECT 1").timeout(PING_TIMEOUT_MILLIS).send()
                .compose(resp -> resp.statusCode() == 200 ? Future.<Void>succeededFuture()
                        : Future.failedFuture("QuestDB answered HTTP " + resp.statusCode()));
    }

    /** Runs SQL; empty when the table or column does not exist yet. */
    private Future<Optional<JsonObject>> exec(String sql) {
        return web.get("/exec")
                .addQueryParam("query", sql)
                .timeout(QUERY_TIMEOUT_MILLIS)
                .send()
                .compose(resp -> {
                    JsonObject body;
                    try {
                        body = resp.bodyAsJsonObject();
                    } catch (RuntimeException e) {
                        body = null;
                    }
                    if (resp.statusCode() == 200 && body != null) {
                        return Future.succeededFuture(Optional.of(body));
                    }
                    String error = body == null ? resp.statusMessage() : body.getString("error", resp.statusMessage());
                    if (HistoryQuery.isNothingYet(error)) {
                        return Future.succeededFuture(Optional.empty());
                    }
                    return Future.failedFuture("time series query failed (HTTP " + resp.statusCode() + "): " + error);
                });
    }

    @Override
    public Future<Void> flush() {
        if (closed.get()) {
            return Future.failedFuture("the time series is closed");
        }
        long deadline = System.currentTimeMillis() + FLUSH_TIMEOUT_MILLIS;
        return Future.fromCompletionStage(writer.flush(), vertx.getOrCreateContext())
                .compose(v -> poll(deadline, this::walApplied, "QuestDB did not apply the written points"));
    }

    private Future<Boolean> walApplied() {
        return exec("SELECT count() FROM wal_tables() WHERE writerTxn < sequencerTxn")
                .map(answer -> answer.map(HistoryQuery::firstLong).orElse(0L) == 0L);
    }

    /** Repeats {@code check} every {@value #FLUSH_POLL_MILLIS} ms until it says done or the deadline passes. */
    private Future<Void> poll(long deadline, Supplier<Future<Boolean>> check, String failure) {
        Promise<Void> promise = Promise.promise();
        pollOnce(deadline, check, failure, promise);
        return promise.future();
    }

    private void pollOnce(long deadline, Supplier<Future<Boolean>> check, String failure, Promise<Void> promise) {
        check.get().onComplete(done -> {
            if (done.failed()) {
                promise.fail(done.cause());
            } else if (done.result()) {
                promise.complete();
            } else if (System.currentTimeMillis() > deadline) {
                promise.fail("time series flush timed out: " + failure);
            } else {
                vertx.setTimer(FLUSH_POLL_MILLIS, id -> pollOnce(deadline, check, failure, promise));
            }
        });
    }

    /** Sends or buffers what is queued, closes the writer and stops the embedded QuestDB. Data written so far stays. */
    @Override
    public Future<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        vertx.cancelTimer(retentionTimer);
        web.close();
        return vertx.executeBlocking(() -> {
            writer.close(CLOSE_WAIT_MILLIS);
            sender.close();
            embedded.ifPresent(EmbeddedQuestDb::close);
            return null;
        });
    }

    /** The HTTP port of QuestDB (SQL at {@code /exec}, line protocol at {@code /api/v2/write}). */
    public int httpPort() {
        return httpPort;
    }
}
