package org.yizhan.agent.uplink;

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
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The outbox on an SQLite file (WAL, synchronous=FULL, so a committed event survives power loss on an SD card).
 * Schema version 1 ({@code PRAGMA user_version}): table {@code events} keyed by the outbox's sequence number. A file
 * of version 0 (table {@code outbox} keyed by the event id, ordered by it) is migrated on open, in one transaction:
 * its rows are kept, numbered in their old order (by id).
 */
public final class SqliteOutboxStore implements OutboxStore {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteOutboxStore.class);
    private static final int SCHEMA = 1;

    private final Path file;
    private Connection conn;

    public SqliteOutboxStore(Path file) {
        this.file = file;
    }

    @Override
    public Contents open() throws SQLException {
        conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            int version;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version < SCHEMA) {
                migrate(s);
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(SUM(bytes), 0), "
                    + "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0) FROM events")) {
                rs.next();
                return new Contents(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    private void migrate(Statement s) throws SQLException {
        conn.setAutoCommit(false);
        try {
            s.execute("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                    + "id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, "
                    + "bytes INTEGER NOT NULL, evictable INTEGER NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS events_evictable ON events (evictable, seq)");
            s.execute("CREATE TABLE IF NOT EXISTS probe (k INTEGER PRIMARY KEY, at INTEGER NOT NULL)");
            boolean old;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'")) {
                old = rs.next();
            }
            int moved = 0;
            if (old) {
                try (PreparedStatement ps = conn.prepareStatement("INSERT OR IGNORE INTO events "
                        + "(id, ts, type, data, bytes, evictable) VALUES (?, ?, ?, ?, ?, ?)");
                     ResultSet rs = s.executeQuery("SELECT id, ts, type, data FROM outbox ORDER BY id")) {
                    while (rs.next()) {
                        Event e = new Event(rs.getString(1), rs.getLong(2), rs.getString(3),
                                new JsonObject(rs.getString(4)));
                        bind(ps, e, e.encodedBytes(), Outbox.evictable(e.type()));
                        ps.addBatch();
                        moved++;
                    }
                    ps.executeBatch();
                }
                s.execute("DROP TABLE outbox");
            }
            s.execute("PRAGMA user_version = " + SCHEMA);
            conn.commit();
            if (old) {
                LOG.info("Outbox {} moved to schema {}: {} pending events kept, in their order", file, SCHEMA, moved);
            }
        } catch (SQLException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    private static void bind(PreparedStatement ps, Event e, int bytes, boolean evictable) throws SQLException {
        ps.setString(1, e.id());
        ps.setLong(2, e.ts());
        ps.setString(3, e.type());
        ps.setString(4, e.data().encode());
        ps.setInt(5, bytes);
        ps.setInt(6, evictable ? 1 : 0);
    }

    @Override
    public void insert(List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement("INSERT OR IGNORE INTO events "
                + "(seq, id, ts, type, data, bytes, evictable) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Row r : rows) {
                ps.setLong(1, r.seq());
                Event e = r.event();
                ps.setString(2, e.id());
                ps.setLong(3, e.ts());
                ps.setString(4, e.type());
                ps.setString(5, e.data().encode());
                ps.setInt(6, r.bytes());
                ps.setInt(7, r.evictable() ? 1 : 0);
                ps.addBatch();
            }
            ps.executeBatch();
            conn.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    @Override
    public List<Row> after(long afterSeq, int limit) throws SQLException {
        List<Row> list = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT seq, id, ts, type, data, bytes, evictable "
                + "FROM events WHERE seq > ? ORDER BY seq LIMIT ?")) {
            ps.setLong(1, afterSeq);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(row(rs));
                }
            }
        }
        return list;
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getLong(1), new Event(rs.getString(2), rs.getLong(3), rs.getString(4),
                new JsonObject(rs.getString(5))), rs.getInt(6), rs.getInt(7) != 0);
    }

    @Override
    public Removed delete(Collection<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return new Removed(0, 0);
        }
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM events WHERE id = ? RETURNING bytes")) {
            int rows = 0;
            long bytes = 0;
            for (String id : ids) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        bytes += rs.getLong(1);
                    }
                }
            }
            conn.commit();
            return new Removed(rows, bytes);
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    @Override
    public void probe() throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT OR REPLACE INTO probe (k, at) VALUES (1, ?)")) {
            ps.setLong(1, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    @Override
    public Optional<Row> evictOldest() throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM events WHERE seq = "
                + "(SELECT seq FROM events WHERE evictable = 1 ORDER BY seq LIMIT 1) "
                + "RETURNING seq, id, ts, type, data, bytes, evictable");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
    }

    private void rollbackQuietly() {
        try {
            conn.rollback();
        } catch (SQLException e) {
            LOG.debug("Rollback failed: {}", e.toString());
        }
    }

    @Override
    public void close() throws SQLException {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }
}
