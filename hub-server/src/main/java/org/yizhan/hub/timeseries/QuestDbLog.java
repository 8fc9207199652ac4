package org.yizhan.hub.timeseries;

import io.questdb.log.LogFactory;
import io.questdb.log.LogWriter;
import io.questdb.std.ObjHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Writes out the embedded QuestDB's log once a second from a thread of the hub's own.
 * <p>
 * QuestDB's log factory starts a writer thread whose idle settings are fixed in QuestDB: it wakes 100 times a second
 * to look for log records, about 0.4 % of a core on an idle hub, more than everything else QuestDB does at rest. The
 * hub keeps only QuestDB's errors, so it halts that thread once the factory is up and drains the same writers here
 * every {@link #DRAIN_MILLIS}. A record waits in QuestDB's ring queue (1,024 records) until then; when the queue is
 * full QuestDB drops a record, or for its few guaranteed messages waits for room, at most until the next drain. At
 * errors only that takes over a thousand errors in one second.
 * <p>
 * The factory is process-wide, so this is too: {@link #takeOver} is idempotent, and the thread is a daemon.
 */
final class QuestDbLog {

    private static final Logger LOG = LoggerFactory.getLogger(QuestDbLog.class);
    static final long DRAIN_MILLIS = 1_000;
    /** The name of the thread that drains QuestDB's log writers. */
    static final String THREAD_NAME = "questdb-log";

    private static Thread drainer;
    private static ObjHashSet<LogWriter> writers;

    private QuestDbLog() {
    }

    /** Initialises QuestDB's log factory (from its root directory's {@code conf/log.conf}) and takes over its writing. */
    static synchronized void takeOver() {
        if (drainer != null) {
            return;
        }
        LogFactory factory = LogFactory.getInstance();
        LogFactory.haltInstance();
        writers = factory.getJobs();
        drainer = new Thread(QuestDbLog::run, THREAD_NAME);
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Writes out what QuestDB has logged so far; safe from any thread (each writer runs serially). */
    static void drain() {
        ObjHashSet<LogWriter> w;
        synchronized (QuestDbLog.class) {
            w = writers;
        }
        if (w == null) {
            return;
        }
        for (int i = 0, n = w.size(); i < n; i++) {
            LogWriter writer = w.get(i);
            if (writer != null) {
                writer.drain(0);
            }
        }
    }

    private static void run() {
        while (true) {
            try {
                TimeUnit.MILLISECONDS.sleep(DRAIN_MILLIS);
                drain();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("Writing QuestDB's log failed: {}", e.toString());
            }
        }
    }
}
