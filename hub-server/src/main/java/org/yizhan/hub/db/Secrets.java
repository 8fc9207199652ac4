package org.yizhan.hub.db;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The hub's named secrets in the registry ({@code hub_secrets}), shared by every hub on it. Each is created once:
 * the first hub to insert it wins, and every other reads the winner back, so two hubs starting at once on an
 * empty registry agree. Values are never logged.
 */
public final class Secrets {

    private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
    public static final String UNIQUE_VIOLATION = "23505";

    private final Database db;

    public Secrets(Database db) {
        this.db = db;
    }

    /** A value to store when the registry has none yet, and where it came from (for the log). */
    public record Candidate(String value, String origin) {
        @Override
        public String toString() {
            return "Candidate[" + origin + "]";
        }
    }

    /**
     * The secret's value: the stored one, or else {@code candidate}'s (called on a worker, only when none is
     * stored), inserted unless another hub inserted one first, in which case that one.
     */
    public Future<String> once(String name, Callable<Candidate> candidate) {
        return db.call(c -> {
            Optional<String> stored = read(c, name);
            if (stored.isPresent()) {
                return stored.get();
            }
            Candidate made = candidate.call();
            try {
                Rows.update(c, "INSERT INTO hub_secrets (name, secret, created_at) VALUES (?, ?, ?)", name,
                        made.value(), System.currentTimeMillis());
                LOG.info("Stored the {} in the registry ({})", name, made.origin());
                return made.value();
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                LOG.info("Another hub stored the {} first; using that one", name);
                return read(c, name).orElseThrow(() -> new IllegalStateException(name + ": stored and gone again"));
            }
        });
    }

    private static Optional<String> read(java.sql.Connection c, String name) throws SQLException {
        return Rows.one(c, "SELECT secret FROM hub_secrets WHERE name = ?", rs -> rs.getString(1), name);
    }

    /** Whether the failure is a unique-key violation (another writer inserted the same key first). */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && UNIQUE_VIOLATION.equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
