package org.yizhan.hub.alerts;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Operator alerts ({@code offline}, ...). At most one alert of a type is open per station: opening it again
 * returns the open one, so repeated detections do not pile up alerts.
 */
public final class AlertStore {

    /** The alert raised while a station is offline. */
    public static final String OFFLINE = "offline";
    /** Largest list {@link #list} returns. */
    public static final int MAX_LIMIT = 1000;
    private static final int MAX_DATA_CHARS = 8192;

    private final Database db;

    public AlertStore(Database db) {
        this.db = db;
    }

    /** Opens an alert unless one of that type is already open for the station; returns the open alert's id. */
    public Future<Long> open(String stationId, String type, long at, JsonObject data) {
        String encoded = data.encode();
        if (encoded.length() > MAX_DATA_CHARS) {
            return Future.failedFuture(new IllegalArgumentException("alert data is over " + MAX_DATA_CHARS + " characters"));
        }
        return db.tx(c -> {
            Optional<Long> open = openId(c, stationId, type);
            if (open.isPresent()) {
                return open.get();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO alerts (station_id, type, opened_at, data) VALUES (?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, stationId);
                ps.setString(2, type);
                ps.setLong(3, at);
                ps.setString(4, encoded);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException("no id generated for the alert");
                    }
                    return keys.getLong(1);
                }
            }
        });
    }

    /** Closes the open alert of that type (merging extra into its data); empty if none was open. Returns the alert JSON. */
    public Future<Optional<JsonObject>> close(String stationId, String type, long at, JsonObject extra) {
        return db.tx(c -> {
            JsonObject alert;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, station_id, type, opened_at, closed_at, data FROM alerts "
                            + "WHERE station_id = ? AND type = ? AND closed_at IS NULL ORDER BY id FOR UPDATE")) {
                ps.setString(1, stationId);
                ps.setString(2, type);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<JsonObject>empty();
                    }
                    alert = row(rs);
                }
            }
            JsonObject data = alert.getJsonObject("data").mergeIn(extra);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE alerts SET closed_at = ?, data = ? WHERE station_id = ? AND type = ? AND closed_at IS NULL")) {
                ps.setLong(1, at);
                ps.setString(2, data.encode());
                ps.setString(3, stationId);
                ps.setString(4, type);
                ps.executeUpdate();
            }
            return Optional.of(alert.put("closedAt", at).put("data", data));
        });
    }

    /** [{"id","stationId","type","openedAt","closedAt","data"}], newest first. */
    public Future<JsonArray> list(Optional<String> stationId, boolean openOnly, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        return db.call(c -> {
            StringBuilder sql = new StringBuilder(
                    "SELECT id, station_id, type, opened_at, closed_at, data FROM alerts WHERE 1 = 1");
            List<String> args = new ArrayList<>();
            stationId.ifPresent(s -> {
                sql.append(" AND station_id = ?");
                args.add(s);
            });
            if (openOnly) {
                sql.append(" AND closed_at IS NULL");
            }
            sql.append(" ORDER BY opened_at DESC, id DESC LIMIT ").append(n);
            JsonArray out = new JsonArray();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setString(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        });
    }

    private static Optional<Long> openId(Connection c, String stationId, String type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM alerts WHERE station_id = ? AND type = ? AND closed_at IS NULL ORDER BY id")) {
            ps.setString(1, stationId);
            ps.setString(2, type);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    private static JsonObject row(ResultSet rs) throws SQLException {
        long closed = rs.getLong(5);
        boolean open = rs.wasNull();
        return new JsonObject()
                .put("id", rs.getLong(1))
                .put("stationId", rs.getString(2))
                .put("type", rs.getString(3))
                .put("openedAt", rs.getLong(4))
                .put("closedAt", open ? null : closed)
                .put("data", new JsonObject(rs.getString(6)));
    }
}
