package org.yizhan.hub.db;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;

/**
 * A named lease in the registry ({@code hub_leases}) that at most one hub holds at a time: the holder renews it
 * before it expires; when the holder stops renewing (it stopped or died), another hub takes it over once it has
 * expired. Works the same on H2 and PostgreSQL (one conditional UPDATE, or the first INSERT). The hubs' clocks
 * must agree to well within the lease time (NTP).
 */
public final class Lease {

    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    private final Database db;
    private final String name;
    private final String holder;
    private final long ttlMillis;
    private volatile boolean held;
    private volatile long heldUntil;

    public Lease(Database db, String name, String holder, long ttlMillis) {
        this.db = db;
        this.name = name;
        this.holder = holder;
        this.ttlMillis = ttlMillis;
    }

    /** Takes or renews the lease at {@code now}; completes with whether this hub holds it until now + ttl. */
    public Future<Boolean> acquire(long now) {
        return db.call(c -> {
            int n = Rows.update(c, "UPDATE hub_leases SET holder = ?, expires_at = ? WHERE name = ? "
                    + "AND (holder = ? OR expires_at < ?)", holder, now + ttlMillis, name, holder, now);
            if (n == 1) {
                return true;
            }
            try {
                Rows.update(c, "INSERT INTO hub_leases (name, holder, expires_at) VALUES (?, ?, ?)", name, holder,
                        now + ttlMillis);
                return true;
            } catch (SQLException e) {
                if (Secrets.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        }).map(ok -> {
            if (ok != held) {
                LOG.info("{} the lease '{}'", ok ? "Holding" : "No longer holding", name);
            }
            held = ok;
            heldUntil = ok ? now + ttlMillis : 0;
            return ok;
        }).onFailure(e -> {
            held = false;
            heldUntil = 0;
        });
    }

    /**
     * Within the caller's transaction: whether this hub still holds the lease at {@code now}, locking the lease's row
     * so that no other hub can take it over before the transaction ends. For work that must be done by one hub only.
     */
    public boolean confirm(java.sql.Connection c, long now) throws SQLException {
        return Rows.one(c, "SELECT expires_at FROM hub_leases WHERE name = ? AND holder = ? FOR UPDATE",
                rs -> rs.getLong(1), name, holder).filter(expires -> expires > now).isPresent();
    }

    /** Gives the lease up (at a clean stop), so another hub need not wait for it to expire. */
    public Future<Void> release() {
        held = false;
        heldUntil = 0;
        return db.call(c -> {
            Rows.update(c, "DELETE FROM hub_leases WHERE name = ? AND holder = ?", name, holder);
            return null;
        });
    }

    /** Whether the last {@link #acquire} got it and it has not expired at {@code now} (false after a failure). */
    public boolean held(long now) {
        return held && now < heldUntil;
    }

    public String holder() {
        return holder;
    }
}
