package org.yizhan.hub.passes;

import io.vertx.core.Future;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The version of the revocation list each station last reported holding (in its {@code credentials.sync}
 * results), kept in the registry so every hub replica, and a restarted hub, sends the station only what changed
 * since. A reported version only ever raises the one kept: results of one sync may be recorded out of order.
 */
final class StationRevocations {

    private static final String UNIQUE_VIOLATION = "23505";

    private final Database db;

    StationRevocations(Database db) {
        this.db = db;
    }

    /** The version the station holds, if it has reported one. */
    Future<Optional<Long>> version(String stationId) {
        return db.call(c -> Rows.one(c, "SELECT version FROM station_revocations WHERE station_id = ?",
                rs -> rs.getLong(1), stationId));
    }

    /** Every station's version, by station id. */
    Future<Map<String, Long>> versions() {
        return db.call(c -> {
            Map<String, Long> out = new HashMap<>();
            for (Object[] row : Rows.list(c, "SELECT station_id, version FROM station_revocations",
                    rs -> new Object[]{rs.getString(1), rs.getLong(2)})) {
                out.put((String) row[0], (Long) row[1]);
            }
            return out;
        });
    }

    /** Records that the station holds {@code version}, unless it reported a newer one already. */
    Future<Void> reported(String stationId, long version, long at) {
        return db.call(c -> {
            String raise = "UPDATE station_revocations SET version = ?, reported_at = ? WHERE station_id = ? AND version < ?";
            if (Rows.update(c, raise, version, at, stationId, version) == 0
                    && !Rows.any(c, "SELECT 1 FROM station_revocations WHERE station_id = ?", stationId)) {
                try {
                    Rows.update(c, "INSERT INTO station_revocations (station_id, version, reported_at) VALUES (?, ?, ?)",
                            stationId, version, at);
                } catch (SQLException e) {
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        throw e;
                    }
                    Rows.update(c, raise, version, at, stationId, version);
                }
            }
            return null;
        });
    }

    /** Forgets the station's version: it does not hold what it reported (its store was replaced). */
    Future<Void> forget(String stationId) {
        return db.call(c -> {
            Rows.update(c, "DELETE FROM station_revocations WHERE station_id = ?", stationId);
            return null;
        });
    }
}
