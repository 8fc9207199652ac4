package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Each station's desired configuration as numbered versions: the {@link ConfigSettings} of each version after
 * the first (which is the registry's defaults), who pushed it, when and what changed. The station's row keeps
 * the current version number and the settings the registry shows elsewhere (heartbeat, telemetry, capacity).
 */
public final class ConfigVersions {

    /** One pushed version. */
    public record Version(int version, JsonObject settings, JsonArray changes, long createdAt, String createdBy) {
        public JsonObject toJson() {
            return new JsonObject().put("version", version).put("settings", settings.copy())
                    .put("changes", changes.copy()).put("createdAt", createdAt).put("createdBy", createdBy);
        }
    }

    /** The push was based on a version that is no longer the current one. */
    public static final class Stale extends Exception {
        private final int current;

        Stale(int current) {
            super("the current version is " + current, null, false, false);
            this.current = current;
        }

        public int current() {
            return current;
        }
    }

    private final Database db;

    public ConfigVersions(Database db) {
        this.db = db;
    }

    /** The settings of the station's newest pushed version; empty (the defaults) when none was pushed. */
    public Future<JsonObject> currentSettings(String stationId) {
        return db.call(c -> latest(c, stationId).map(Version::settings).orElseGet(JsonObject::new));
    }

    /** Pushed versions, newest first, at most {@code limit}. */
    public Future<List<Version>> list(String stationId, int limit) {
        return db.call(c -> {
            List<Version> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT version, settings, changes, created_at, created_by "
                    + "FROM station_config_versions WHERE station_id = ? ORDER BY version DESC LIMIT " + limit)) {
                ps.setString(1, stationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Stores {@code settings} as the version after {@code baseVersion} and makes it the station's current one, in
     * one transaction; fails with {@link Stale} when {@code baseVersion} is not the current version.
     *
     * @return the new version number
     */
    public Future<Integer> push(String stationId, int baseVersion, JsonObject settings, JsonArray changes, String by) {
        return push(stationId, baseVersion, settings, changes, by, Database.Step.none());
    }

    /** As {@link #push}, with {@code alongside} run in its transaction, given the new version number. */
    public Future<Integer> push(String stationId, int baseVersion, JsonObject settings, JsonArray changes, String by,
                                Database.Step<Integer> alongside) {
        long now = System.currentTimeMillis();
        return db.tx(c -> {
            int current;
            try (PreparedStatement ps = c.prepareStatement("SELECT config_version FROM stations WHERE id = ? FOR UPDATE")) {
                ps.setString(1, stationId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("no station " + stationId);
                    }
                    current = rs.getInt(1);
                }
            }
            if (current != baseVersion) {
                throw new Stale(current);
            }
            int next = current + 1;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO station_config_versions "
                    + "(station_id, version, settings, changes, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, stationId);
                ps.setInt(2, next);
                ps.setString(3, settings.encode());
                ps.setString(4, changes.encode());
                ps.setLong(5, now);
                ps.setString(6, by);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE stations SET config_version = ?, "
                    + "heartbeat_seconds = ?, telemetry_seconds = ?, capacity = ? WHERE id = ?")) {
                ps.setInt(1, next);
                ps.setInt(2, settings.getInteger("heartbeatSeconds"));
                ps.setInt(3, settings.getInteger("telemetrySeconds"));
                ps.setInt(4, settings.getInteger("occupancy.capacity"));
                ps.setString(5, stationId);
                ps.executeUpdate();
            }
            alongside.run(c, next);
            return next;
        });
    }

    private static Optional<Version> latest(Connection c, String stationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version, settings, changes, created_at, created_by "
                + "FROM station_config_versions WHERE station_id = ? ORDER BY version DESC LIMIT 1")) {
            ps.setString(1, stationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static Version row(ResultSet rs) throws SQLException {
        return new Version(rs.getInt(1), new JsonObject(rs.getString(2)), new JsonArray(rs.getString(3)),
                rs.getLong(4), rs.getString(5));
    }
}
