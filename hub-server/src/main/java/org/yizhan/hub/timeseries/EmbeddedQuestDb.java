package org.yizhan.hub.timeseries;

import io.questdb.Bootstrap;
import io.questdb.DefaultBootstrapConfiguration;
import io.questdb.ServerMain;
import io.questdb.log.LogFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-process QuestDB with its root under {@code dataDir/questdb}: HTTP (SQL at {@code /exec}, InfluxDB line
 * protocol at {@code /api/v2/write}) on 127.0.0.1 only; PG wire, ILP over TCP/UDP, the monitoring server, the web
 * console and telemetry are off; one worker per pool and small SQL object pools keep it light.
 * <p>
 * Settings are passed as {@code QDB_*} overrides, not read from the process environment, so a stray variable
 * cannot change them. QuestDB logs through its own logger to {@code questdb/log/}, errors only, written out once a
 * second by {@link QuestDbLog}.
 * Both {@link #start} and {@link #close} block: call them off the event loop.
 */
final class EmbeddedQuestDb implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedQuestDb.class);

    private static final String LOG_CONF = String.join("\n",
            "# Written by the Yizhan hub on every start: QuestDB's own log, errors only.",
            "writers=file",
            "w.file.class=io.questdb.log.LogRollingFileWriter",
            "w.file.location=${log.dir}/questdb.log.${date:yyyyMMdd}",
            "w.file.level=ERROR,CRITICAL",
            "w.file.rollEvery=day",
            "w.file.rollSize=16m",
            "w.file.lifeDuration=14d",
            "w.file.sizeLimit=128m",
            "# written out on the first idle pass after a record, not after QuestDB's 100,000 idle passes",
            "w.file.spinBeforeFlush=0",
            "");

    /** How long an idle worker of a pool the hub uses (HTTP, WAL apply, shared) sleeps between looks for work. */
    static final int IDLE_WORKER_SLEEP_MS = 200;
    /** How long an idle worker of a pool the hub never gives work (export, views) sleeps between looks. */
    static final int UNUSED_POOL_SLEEP_MS = 1_000;
    /** Empty rounds a worker spins (and then pauses) before it naps: QuestDB's default for the first. */
    static final int SPIN_ROUNDS = 10;
    /** Empty rounds of 1 ms naps before a worker sleeps {@link #IDLE_WORKER_SLEEP_MS}. */
    static final int BUSY_NAP_ROUNDS = 20;

    private final ServerMain server;
    private final Path root;

    private EmbeddedQuestDb(ServerMain server, Path root) {
        this.server = server;
        this.root = root;
    }

    /** Starts QuestDB with its root at {@code root}; {@code httpPort} 0 picks a free port. Blocks for a few seconds. */
    static EmbeddedQuestDb start(Path root, int httpPort) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(root.resolve("conf"));
        Files.writeString(root.resolve("conf").resolve("log.conf"), LOG_CONF);
        // QuestDB's log factory is process-wide: the first embedded instance decides where its log goes.
        LogFactory.configureRootDir(root.toString());
        QuestDbLog.takeOver();
        Map<String, String> env = settings(httpPort);
        ServerMain server = new ServerMain(new Bootstrap(new DefaultBootstrapConfiguration() {
            @Override
            public Map<String, String> getEnv() {
                return env;
            }

            @Override
            public boolean useSite() {
                return false; // no web console files
            }
        }, Bootstrap.getServerMainArgs(root.toString())));
        try {
            server.start();
            server.awaitStartup();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        EmbeddedQuestDb db = new EmbeddedQuestDb(server, root);
        LOG.info("QuestDB started in {} ms at {} (HTTP 127.0.0.1:{})", (System.nanoTime() - t0) / 1_000_000, root,
                db.httpPort());
        return db;
    }

    private static Map<String, String> settings(int httpPort) {
        Map<String, String> env = new HashMap<>();
        env.put("QDB_HTTP_NET_BIND_TO", "127.0.0.1:" + httpPort);
        env.put("QDB_HTTP_MIN_ENABLED", "false");
        env.put("QDB_PG_ENABLED", "false");
        env.put("QDB_LINE_TCP_ENABLED", "false");
        env.put("QDB_LINE_UDP_ENABLED", "false");
        env.put("QDB_LINE_HTTP_ENABLED", "true");
        env.put("QDB_TELEMETRY_ENABLED", "false");
        env.put("QDB_TELEMETRY_DISABLE_COMPLETELY", "true");
        env.put("QDB_CAIRO_MAT_VIEW_ENABLED", "false");
        env.put("QDB_METRICS_ENABLED", "false");
        for (String pool : List.of("SHARED_WORKER_COUNT", "SHARED_NETWORK_WORKER_COUNT", "SHARED_QUERY_WORKER_COUNT",
                "SHARED_WRITE_WORKER_COUNT", "WAL_APPLY_WORKER_COUNT", "HTTP_WORKER_COUNT", "EXPORT_WORKER_COUNT",
                "VIEW_COMPILER_WORKER_COUNT", "MAT_VIEW_REFRESH_WORKER_COUNT")) {
            env.put("QDB_" + pool, "1");
        }
        // An idle QuestDB worker wakes every sleep timeout to look for work (10 ms by default: eight pools woke
        // 800 times a second and cost an idle hub about 1.2 % of a core; at 50 ms its seven workers still cost
        // 0.7 %). A sleeping worker is not woken by new work, so once a pool has slept (about 20 ms after its last
        // work, below) a write waits up to 200 ms more to be applied and a chart's query up to 200 ms more to be
        // read. The hub commits a batch once a second, so its rows reach the charts up to 200 ms later than with
        // workers that never sleep. Export and views are never used by the hub: their workers look once a second.
        // After each piece of work a QuestDB worker spins, then naps 1 ms at a time, and sleeps only after 10,000
        // empty rounds (about 3 s of 1 ms naps by default). The hub sends a batch every second or sooner, so under
        // load no worker ever slept: every pool woke about 1,000 times a second and polled all its queues, half of
        // the hub's CPU at 5,000 stations. Here a worker naps for about BUSY_NAP_ROUNDS ms after its last
        // work (enough to take a whole request arriving in pieces without a sleep in between), then sleeps.
        for (String pool : List.of("SHARED_WORKER", "WAL_APPLY_WORKER", "HTTP_WORKER", "EXPORT_WORKER",
                "VIEW_COMPILER_WORKER", "MAT_VIEW_REFRESH_WORKER")) {
            boolean used = List.of("SHARED_WORKER", "WAL_APPLY_WORKER", "HTTP_WORKER").contains(pool);
            int sleepMs = used ? IDLE_WORKER_SLEEP_MS : UNUSED_POOL_SLEEP_MS;
            env.put("QDB_" + pool + "_SLEEP_TIMEOUT", String.valueOf(sleepMs));
            env.put("QDB_" + pool + "_YIELD_THRESHOLD", String.valueOf(SPIN_ROUNDS));
            env.put("QDB_" + pool + "_NAP_THRESHOLD", String.valueOf(2 * SPIN_ROUNDS));
            env.put("QDB_" + pool + "_SLEEP_THRESHOLD", String.valueOf(2 * SPIN_ROUNDS + BUSY_NAP_ROUNDS));
        }
        // SQL compiler object pools are filled up front; the defaults cost about 60 MB of heap. They grow on demand.
        env.put("QDB_CAIRO_MODEL_POOL_CAPACITY", "64");
        env.put("QDB_CAIRO_EXPRESSION_POOL_CAPACITY", "512");
        env.put("QDB_CAIRO_COLUMN_POOL_CAPACITY", "256");
        env.put("QDB_CAIRO_LEXER_POOL_CAPACITY", "256");
        env.put("QDB_CAIRO_SQL_WITH_CLAUSE_MODEL_POOL_CAPACITY", "16");
        env.put("QDB_HTTP_CONNECTION_POOL_INITIAL_CAPACITY", "4");
        // Column and symbol-index files are mapped in pages of 16 MB by default, and some stay resident: the
        // symbol indexes of QuestDB's column-purge log alone held 32 MB of the hub's memory at 15,000 stations. The
        // hub appends about 100 KB a second to a column at that size.
        env.put("QDB_CAIRO_WRITER_DATA_APPEND_PAGE_SIZE", "1M");
        env.put("QDB_CAIRO_WRITER_DATA_INDEX_VALUE_APPEND_PAGE_SIZE", "1M");
        env.put("QDB_CAIRO_SYSTEM_WRITER_DATA_APPEND_PAGE_SIZE", "256K");
        return env;
    }

    int httpPort() {
        return server.getHttpServerPort();
    }

    Path root() {
        return root;
    }

    /** QuestDB's engine in this JVM: the hub writes its tables through it ({@link EngineSender}). */
    io.questdb.cairo.CairoEngine engine() {
        return server.getEngine();
    }

    /** Stops QuestDB; committed data stays under the root. Blocks. */
    @Override
    public void close() {
        server.close();
        QuestDbLog.drain();
        LOG.info("QuestDB stopped");
    }
}
