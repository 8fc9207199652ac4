package org.yizhan.hub.db;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes an H2 file registry's commits durable before the hub acknowledges what they hold. H2 keeps a commit in
 * memory and writes it to the file up to half a second later ({@code WRITE_DELAY}), so a hub killed in that window
 * loses what it had already acknowledged ({@code HubKillIT} lost about 50 door events a kill). Writing on every
 * commit instead ({@code WRITE_DELAY=0}) costs a new chunk of the store file per commit, kept for H2's 45 s
 * retention: 3.6 GB after 200,000 commits. So the writes are grouped: whoever needs durability asks, one
 * {@code CHECKPOINT} covers every commit made before it began, and checkpoints are at least {@link #GAP_MILLIS} apart
 * (at most {@value #PER_SECOND} chunks a second however busy the hub is).
 */
final class GroupFlush {

    static final long GAP_MILLIS = 20;
    static final long PER_SECOND = 1000 / GAP_MILLIS;

    private final Vertx vertx;
    private final DataSource pool;
    private final WorkerExecutor worker;
    private final Object lock = new Object();
    private List<Waiter> waiting = new ArrayList<>();
    private boolean scheduled;
    private long lastMillis;
    private long flushes;

    private record Waiter(Promise<Void> promise, Context context) {
    }

    GroupFlush(Vertx vertx, DataSource pool) {
        this.vertx = vertx;
        this.pool = pool;
        this.worker = vertx.createSharedWorkerExecutor("yizhan-db-flush", 1);
    }

    /** Completes, on the caller's context, once every commit made before the call is written to the file. */
    Future<Void> await() {
        Promise<Void> p = Promise.promise();
        boolean start;
        synchronized (lock) {
            waiting.add(new Waiter(p, vertx.getOrCreateContext()));
            start = !scheduled;
            scheduled = true;
        }
        if (start) {
            schedule();
        }
        return p.future();
    }

    /** Checkpoints so far (for tests and the log). */
    long flushes() {
        synchronized (lock) {
            return flushes;
        }
    }

    private void schedule() {
        long wait;
        synchronized (lock) {
            wait = lastMillis + GAP_MILLIS - System.currentTimeMillis();
        }
        if (wait > 0) {
            vertx.setTimer(wait, t -> flush());
        } else {
            flush();
        }
    }

    private void flush() {
        List<Waiter> batch;
        synchronized (lock) {
            // these commits all happened before their callers asked, so before the checkpoint below
            batch = waiting;
            waiting = new ArrayList<>();
        }
        worker.<Void>executeBlocking(() -> {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            }
            return null;
        }, false).onComplete(r -> {
            boolean again;
            synchronized (lock) {
                lastMillis = System.currentTimeMillis();
                flushes++;
                again = !waiting.isEmpty();
                scheduled = again;
            }
            for (Waiter w : batch) {
                w.context().runOnContext(v -> {
                    if (r.succeeded()) {
                        w.promise().complete();
                    } else {
                        w.promise().fail(r.cause());
                    }
                });
            }
            if (again) {
                schedule();
            }
        });
    }

    void close() {
        worker.close();
    }
}
