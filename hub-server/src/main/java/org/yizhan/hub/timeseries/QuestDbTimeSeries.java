package org.yizhan.hub.timeseries;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApi;
import com.influxdb.client.WriteOptions;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.influxdb.client.write.events.BackpressureEvent;
import com.influxdb.client.write.events.WriteErrorEvent;
import com.influxdb.client.write.events.WriteRetriableErrorEvent;
import com.influxdb.client.write.events.WriteSuccessEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Station time series in QuestDB: written as InfluxDB line protocol through influxdb-client-java's batching
 * {@link WriteApi} ({@code /api/v2/write}, ms precision, flushed every second, retried by the client), read with SQL
 * over QuestDB's HTTP {@code /exec} with the Vert.x {@link WebClient}.
 * <p>
 * {@link #start} runs an embedded QuestDB under {@code dataDir/questdb}; {@link #connect} uses a QuestDB server
 * elsewhere. Tables are created by the first write (QuestDB's defaults: WAL, partitioned by day), see
 * {@link StationPoints} for their columns.
 * <p>
 * Writes never block the caller: the client can send a full batch on the thread that fills it, so each write is
 * handed to one writer thread (a queue of {@value #QUEUE} messages; when it is full the message is dropped and counted).
 * Failed and retried sends, and points the client's own buffer drops, count in
 * {@code yizhan_timeseries_write_errors}.
 * <p>
 * {@link #flush} waits until the client has sent everything queued before it (or given up on it), then until QuestDB
 * has applied all committed WAL transactions ({@code wal_tables()}), so that {@link #history} sees the points.
 */
public final class QuestDbTimeSeries implements TimeSeries {

    private static final Logger LOG = LoggerFactory.getLogger(QuestDbTimeSeries.class);
    private static final int QUEUE = 20_000;
    private static final long FLUSH_TIMEOUT_MILLIS = 15_000;
    private static final long FLUSH_POLL_MILLIS = 20;
    private static final long QUERY_TIMEOUT_MILLIS = 10_000;
    private static final long PING_TIMEOUT_MILLIS = 2_000;
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final Vertx vertx;
    private final HubMetrics metrics;
    private final Optional<EmbeddedQuestDb> embedded;
    private final InfluxDBClient client;
    private final WriteApi writeApi;
    private final ExecutorService writer;
    private final WebClient web;
    private final int httpPort;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Lines handed to the client, and lines it has settled (sent, or given up on after an error). */
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong settled = new AtomicLong();
    private final AtomicLong droppedLogged = new AtomicLong();

    private QuestDbTimeSeries(Vertx vertx, HubMetrics metrics, Optional<EmbeddedQuestDb> embedded, URI http) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.embedded = embedded;
        this.httpPort = http.getPort();
        this.client = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                .url(http.toString())
                .org("yizhan")
                .bucket("yizhan")
                .precision(WritePrecision.MS)
                .okHttpClient(new OkHttpClient.Builder()
                        .connectTimeout(Duration.ofSeconds(3))
                        .readTimeout(Duration.ofSeconds(20))
                        .writeTimeout(Duration.ofSeconds(20)))
                .build());
        this.writeApi = client.makeWriteApi(WriteOptions.builder()
                .batchSize(2_000)
                .flushInterval(1_000)
                .jitterInterval(0)
                .bufferLimit(100_000)
                .retryInterval(1_000)
                .maxRetries(5)
                .maxRetryDelay(30_000)
                .maxRetryTime(60_000)
                .build());
        writeApi.listenEvents(WriteSuccessEvent.class, e -> settled.addAndGet(lines(e.getLineProtocol())));
        writeApi.listenEvents(WriteRetriableErrorEvent.class, e -> {
            metrics.timeSeriesWriteError();
            LOG.debug("Time series write failed, will retry in {} ms: {}", e.getRetryInterval(),
                    e.getThrowable().toString());
        });
        writeApi.listenEvents(WriteErrorEvent.class, e -> {
            metrics.timeSeriesWriteError();
            // The failed batch's size is unknown: treat everything handed over so far as settled.
            settled.accumulateAndGet(submitted.get(), Math::max);
            LOG.warn("Time series write failed, points lost: {}", e.getThrowable().toString());
        });
        writeApi.listenEvents(BackpressureEvent.class, e -> {
            metrics.timeSeriesWriteError();
            LOG.warn("Time series write buffer full, oldest points dropped");
        });
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "yizhan-timeseries-writer");
            t.setDaemon(true);
            return t;
        });
        this.writer = pool;
        this.web = WebClient.create(vertx, new WebClientOptions()
                .setDefaultHost(http.getHost())
                .setDefaultPort(http.getPort())
                .setKeepAlive(true));
    }

    /**
     * Starts embedded QuestDB under dataDir/questdb (HTTP on 127.0.0.1:httpPort, 0 = free port), connects the writer.
     * Blocking work off the event loop.
     */
    public static Future<QuestDbTimeSeries> start(Vertx vertx, Path dataDir, HubMetrics metrics, int httpPort) {
        return vertx.executeBlocking(() -> {
            EmbeddedQuestDb db = EmbeddedQuestDb.start(dataDir.resolve("questdb"), httpPort);
            try {
                return new QuestDbTimeSeries(vertx, metrics, Optional.of(db),
                        URI.create("http://127.0.0.1:" + db.httpPort()));
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
        });
    }

    /**
     * Uses a QuestDB server that runs elsewhere, at {@code httpUrl} (such as {@code http://questdb:9000}); nothing is
     * contacted until the first write or query.
     */
    public static Future<QuestDbTimeSeries> connect(Vertx vertx, HubMetrics metrics, String httpUrl) {
        URI uri;
        try {
            uri = URI.create(httpUrl);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new IllegalArgumentException("questdb url: '" + httpUrl + "' is not a URL"));
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
            return Future.failedFuture(new IllegalArgumentException(
                    "questdb url: '" + httpUrl + "' must look like http://host:port"));
        }
        return vertx.executeBlocking(() -> new QuestDbTimeSeries(vertx, metrics, Optional.empty(), uri));
    }

    @Override
    public void heartbeat(String stationId, Heartbeat heartbeat, long receivedAt) {
        write(StationPoints.heartbeat(stationId, heartbeat, receivedAt));
    }

    @Override
    public void telemetry(String stationId, Telemetry telemetry, long receivedAt) {
        write(StationPoints.telemetry(stationId, telemetry, receivedAt));
    }

    @Override
    public void presence(String stationId, boolean online, long at) {
        write(StationPoints.presence(stationId, online, at));
    }

    private void write(List<Point> points) {
        if (points.isEmpty()) {
            return;
        }
        if (closed.get()) {
            dropped("the time series is closed");
            return;
        }
        try {
            writer.execute(() -> {
                submitted.addAndGet(points.size());
                writeApi.writePoints(points);
            });
        } catch (RejectedExecutionException e) {
            dropped("the write queue is full");
        }
    }

    private void dropped(String why) {
        metrics.timeSeriesWriteError();
        long n = droppedLogged.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th, ...
            LOG.warn("Time series points dropped because {} ({} times so far)", why, n);
        }
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
        Promise<Long> handedOver = Promise.promise();
        try {
            writer.execute(() -> {
                long target = submitted.get();
                handedOver.complete(target);
                writeApi.flush();
            });
        } catch (RejectedExecutionException e) {
            return Future.failedFuture("time series flush: the write queue is full");
        }
        return handedOver.future()
                .compose(target -> poll(deadline, () -> Future.succeededFuture(settled.get() >= target),
                        "the client did not send the queued points"))
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

    /** Sends what is queued, closes the writer and stops the embedded QuestDB. Data written so far stays. */
    @Override
    public Future<Void> close() {
        if (!closed.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        web.close();
        return vertx.executeBlocking(() -> {
            writer.shutdown();
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Time series writer did not drain in 10 s");
                writer.shutdownNow();
            }
            try {
                closeClient();
            } finally {
                embedded.ifPresent(EmbeddedQuestDb::close);
            }
            return null;
        });
    }

    /**
     * Closes the client, which first sends what it still buffers. The client waits up to 30 s for batches it is
     * retrying; the hub does not wait that long: after {@value #CLOSE_WAIT_SECONDS} s such points are given up.
     */
    private void closeClient() throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                writeApi.close();
                client.close();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "yizhan-timeseries-close");
        t.setDaemon(true);
        t.start();
        try {
            done.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Time series writes still being retried after {} s are given up", CLOSE_WAIT_SECONDS);
        } catch (ExecutionException e) {
            LOG.warn("Closing the time series client failed: {}", e.getCause().toString());
        }
    }

    /** The HTTP port of QuestDB (SQL at {@code /exec}, line protocol at {@code /api/v2/write}). */
    public int httpPort() {
        return httpPort;
    }

    private static long lines(String lineProtocol) {
        if (lineProtocol == null || lineProtocol.isEmpty()) {
            return 0;
        }
        return lineProtocol.chars().filter(c -> c == '\n').count() + 1;
    }
}
