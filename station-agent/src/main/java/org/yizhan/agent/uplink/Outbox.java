package org.yizhan.agent.uplink;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.protocol.Event;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The durable outbox: every event is committed to a SQLite file (WAL, synchronous=FULL, so it survives
 * power loss on an SD card) before it is sent, and deleted only once acknowledged (the hub's
 * {@code .../events/ack}, or its PUBACK without {@code mqtt.eventAcks}). Ids are ULIDs, so ordering by id is
 * ordering by creation. All JDBC runs on a single-thread worker, in call order.
 */
public final class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final Vertx vertx;
    private final Path file;
    private final AtomicInteger size = new AtomicInteger();
    private WorkerExecutor worker;
    private Connection conn;

    public Outbox(Vertx vertx, Path file) {
        this.vertx = vertx;
        this.file = file;
    }

    public Future<Void> open() {
        worker = vertx.createSharedWorkerExecutor("yizhan-outbox-" + file.toAbsolutePath(), 1);
        return worker.executeBlocking(() -> {
            conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = conn.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, ts INTEGER NOT NULL, "
                        + "type TEXT NOT NULL, data TEXT NOT NULL) WITHOUT ROWID");
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM outbox")) {
                    rs.next();
                    size.set(rs.getInt(1));
                }
            }
            LOG.info("Outbox {} opened with {} pending events", file, size.get());
            return null;
        });
    }

    /** Commits the event; the future completes once it is on disk. */
    public Future<Void> append(Event e) {
        return worker.executeBlocking(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT OR IGNORE INTO outbox (id, ts, type, data) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, e.id());
                ps.setLong(2, e.ts());
                ps.setString(3, e.type());
                ps.setString(4, e.data().encode());
                size.addAndGet(ps.executeUpdate());
            }
            return null;
        });
    }

    /** Up to {@code limit} pending events with an id greater than {@code afterId} ("" for all), oldest first. */
    public Future<List<Event>> after(String afterId, int limit) {
        return worker.executeBlocking(() -> {
            List<Event> list = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT id, ts, type, data FROM outbox WHERE id > ? ORDER BY id LIMIT ?")) {
                ps.setString(1, afterId);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(new Event(rs.getString(1), rs.getLong(2), rs.getString(3),
                                new JsonObject(rs.getString(4))));
                    }
                }
            }
            return list;
        });
    }

    /** Deletes acknowledged events. */
    public Future<Void> delete(List<String> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture();
        }
        return worker.executeBlocking(() -> {
            boolean auto = conn.getAutoCommit();
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM outbox WHERE id = ?")) {
                for (String id : ids) {
                    ps.setString(1, id);
                    ps.addBatch();
                }
                int removed = 0;
                for (int n : ps.executeBatch()) {
                    removed += Math.max(n, 0);
                }
                conn.commit();
                size.addAndGet(-removed);
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(auto);
            }
            return null;
        });
    }

    /** Pending events (committed and not yet acknowledged). */
    public int size() {
        return size.get();
    }

    public Future<Void> close() {
        if (worker == null) {
            return Future.succeededFuture();
        }
        WorkerExecutor w = worker;
        Future<Void> closed = w.executeBlocking(() -> {
            if (conn != null) {
                conn.close();
                conn = null;
            }
            return null;
        });
        return closed.eventually(() -> w.close());
    }
}
