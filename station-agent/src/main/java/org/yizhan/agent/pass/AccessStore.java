package org.yizhan.agent.pass;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The station's door-access state in a SQLite file ({@code access.db}, WAL, synchronous=FULL): the revocation
 * list synced from the hub with its version, and the passes used at this station (one row per member and slot,
 * kept until the pass can no longer be valid), so a replayed pass is refused even after an agent restart.
 * Passes used to start a charging session or a face enrolment are kept apart ({@code used_charge_passes},
 * {@code used_enrol_passes}), so the same pass slot can open the door once, start one charging session and start
 * one enrolment.
 * All JDBC runs on one worker thread in call order; the revocation list is also held in memory.
 */
public final class AccessStore {

    private static final Logger LOG = LoggerFactory.getLogger(AccessStore.class);

    private final Vertx vertx;
    private final Path file;
    private WorkerExecutor worker;
    private Connection conn;
    private volatile Set<String> revoked = Set.of();
    private volatile long revocationVersion;

    public AccessStore(Vertx vertx, Path file) {
        this.vertx = vertx;
        this.file = file;
    }

    public Future<Void> open() {
        worker = vertx.createSharedWorkerExecutor("yizhan-access-" + file.toAbsolutePath(), 1);
        return run(() -> {
            conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = conn.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS used_passes (member TEXT NOT NULL, slot INTEGER NOT NULL, "
                        + "keep_until INTEGER NOT NULL, PRIMARY KEY (member, slot)) WITHOUT ROWID");
                s.execute("CREATE TABLE IF NOT EXISTS used_charge_passes (member TEXT NOT NULL, slot INTEGER NOT NULL, "
                        + "keep_until INTEGER NOT NULL, PRIMARY KEY (member, slot)) WITHOUT ROWID");
                s.execute("CREATE TABLE IF NOT EXISTS used_enrol_passes (member TEXT NOT NULL, slot INTEGER NOT NULL, "
                        + "keep_until INTEGER NOT NULL, PRIMARY KEY (member, slot)) WITHOUT ROWID");
                s.execute("CREATE TABLE IF NOT EXISTS revoked (member TEXT PRIMARY KEY) WITHOUT ROWID");
                s.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
                Set<String> list = new HashSet<>();
                try (ResultSet rs = s.executeQuery("SELECT member FROM revoked")) {
                    while (rs.next()) {
                        list.add(rs.getString(1));
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = 'revocation_version'")) {
                    revocationVersion = rs.next() ? rs.getLong(1) : 0;
                }
                revoked = Set.copyOf(list);
            }
            LOG.info("Access store {} opened: {} revoked members, revocation list version {}", file,
                    revoked.size(), revocationVersion);
            return null;
        });
    }

    public Future<Void> close() {
        if (worker == null) {
            return Future.succeededFuture();
        }
        Future<Void> closed = run(() -> {
            if (conn != null) {
                conn.close();
                conn = null;
            }
            return null;
        });
        return closed.eventually(() -> worker.close());
    }

    public boolean isRevoked(String pseudonym) {
        return revoked.contains(pseudonym);
    }

    public long revocationVersion() {
        return revocationVersion;
    }

    /**
     * Replaces the revocation list when {@code version} is not older than the stored one; completes with
     * whether it was applied.
     */
    public Future<Boolean> replaceRevoked(List<String> members, long version) {
        return run(() -> {
            if (version < revocationVersion) {
                return false;
            }
            conn.setAutoCommit(false);
            try (Statement s = conn.createStatement();
                 PreparedStatement ins = conn.prepareStatement("INSERT OR IGNORE INTO revoked (member) VALUES (?)");
                 PreparedStatement meta = conn.prepareStatement(
                         "INSERT OR REPLACE INTO meta (name, value) VALUES ('revocation_version', ?)")) {
                s.execute("DELETE FROM revoked");
                for (String m : members) {
                    ins.setString(1, m);
                    ins.addBatch();
                }
                ins.executeBatch();
                meta.setLong(1, version);
                meta.executeUpdate();
                conn.commit();
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
            revoked = Set.copyOf(members);
            revocationVersion = version;
            return true;
        });
    }

    /** What became of a delta of the revocation list. */
    public enum DeltaOutcome {
        /** Applied: the list is now of the delta's {@code to} version. */
        APPLIED,
        /** Not needed: the list held is as new as the delta's {@code to} or newer. */
        STALE,
        /** Not applicable: the list held is older than the delta's {@code from}. */
        GAP
    }

    /**
     * Adds and removes members when the list held is of a version from {@code from} to {@code to}, and makes it
     * version {@code to}, in one transaction.
     */
    public Future<DeltaOutcome> applyDelta(long from, long to, List<String> add, List<String> remove) {
        return run(() -> {
            if (revocationVersion < from) {
                return DeltaOutcome.GAP;
            }
            if (revocationVersion >= to) {
                return DeltaOutcome.STALE;
            }
            conn.setAutoCommit(false);
            try (PreparedStatement ins = conn.prepareStatement("INSERT OR IGNORE INTO revoked (member) VALUES (?)");
                 PreparedStatement del = conn.prepareStatement("DELETE FROM revoked WHERE member = ?");
                 PreparedStatement meta = conn.prepareStatement(
                         "INSERT OR REPLACE INTO meta (name, value) VALUES ('revocation_version', ?)")) {
                for (String m : remove) {
                    del.setString(1, m);
                    del.addBatch();
                }
                del.executeBatch();
                for (String m : add) {
                    ins.setString(1, m);
                    ins.addBatch();
                }
                ins.executeBatch();
                meta.setLong(1, to);
                meta.executeUpdate();
                conn.commit();
            } catch (SQLException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
            Set<String> next = new HashSet<>(revoked);
            next.removeAll(remove);
            next.addAll(add);
            revoked = Set.copyOf(next);
            revocationVersion = to;
            return DeltaOutcome.APPLIED;
        });
    }

    /** The number of members on the revocation list held. */
    public int revokedCount() {
        return revoked.size();
    }

    /** What a pass was used for; each has its own replay guard. */
    public enum Purpose {
        ENTRY("used_passes"), CHARGING("used_charge_passes"), ENROL("used_enrol_passes");

        private final String table;

        Purpose(String table) {
            this.table = table;
        }
    }

    /** Whether this member already entered with a pass of this slot. Runs on the store's worker. */
    public Future<Boolean> used(String member, long slot) {
        return used(member, slot, Purpose.ENTRY);
    }

    /** Whether this member already used a pass of this slot for {@code purpose}. */
    public Future<Boolean> used(String member, long slot, Purpose purpose) {
        return run(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT 1 FROM " + purpose.table + " WHERE member = ? AND slot = ?")) {
                ps.setString(1, member);
                ps.setLong(2, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * Records that the member entered with a pass of this slot, kept until {@code keepUntil} (epoch ms);
     * completes with false when it was recorded already (the pass is a replay).
     */
    public Future<Boolean> markUsed(String member, long slot, long keepUntil) {
        return markUsed(member, slot, keepUntil, Purpose.ENTRY);
    }

    /** As {@link #markUsed(String, long, long)}, for {@code purpose}. */
    public Future<Boolean> markUsed(String member, long slot, long keepUntil, Purpose purpose) {
        return run(() -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT OR IGNORE INTO " + purpose.table + " (member, slot, keep_until) VALUES (?, ?, ?)")) {
                ps.setString(1, member);
                ps.setLong(2, slot);
                ps.setLong(3, keepUntil);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Forgets used passes that can no longer be valid at {@code now}; completes with how many. */
    public Future<Integer> prune(long now) {
        return run(() -> {
            int n = 0;
            for (Purpose p : Purpose.values()) {
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + p.table + " WHERE keep_until < ?")) {
                    ps.setLong(1, now);
                    n += ps.executeUpdate();
                }
            }
            return n;
        });
    }

    private <T> Future<T> run(Callable<T> work) {
        return worker.executeBlocking(work, true);
    }
}
