package org.yizhan.hub.alerts;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Operator alerts ({@code offline}, {@code safety-cutoff}, {@code smoke}, ...). At most one alert of a type is
 * open per station and subject (a port such as {@code port:3}, or {@code ""} for the station as a whole):
 * opening it again returns the open one, so repeated detections do not pile up alerts. Operators acknowledge
 * ({@code "ack":{"by","at"}}) and resolve ({@code "resolution":{"by","at","note"}}) alerts; resolving an open
 * alert closes it.
 */
public final class AlertStore {

    /** The alert raised while a station is offline. */
    public static final String OFFLINE = "offline";
    /** A charger safety cut-off (subject {@code port:N} or {@code cabinet}); data port, cause, reading. */
    public static final String SAFETY_CUTOFF = "safety-cutoff";
    /** The smoke detector is in alarm. */
    public static final String SMOKE = "smoke";
    /** The door was opened without a release. */
    public static final String DOOR_FORCED = "door-forced";
    /** The door stayed open too long. */
    public static final String DOOR_HELD_OPEN = "door-held-open";
    /** The station's outbox cannot keep every event (subject {@code disk} or {@code cap}); data from its alarm. */
    public static final String OUTBOX = "outbox";
    /**
     * A rider's feedback is past its deadline without an answer (subject {@code feedback:ID}, opened at the
     * deadline); closed when the feedback is answered. Data: feedbackId, category, priority, deadline.
     */
    public static final String FEEDBACK_OVERDUE = "feedback-overdue";
    /** Largest list {@link #list} returns. */
    public static final int MAX_LIMIT = 1000;
    private static final int MAX_DATA_CHARS = 8192;
    private static final String COLUMNS = "id, station_id, type, opened_at, closed_at, data, subject, "
            + "acked_by, acked_at, resolved_by, resolved_at, resolution_note";

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
            Optional<JsonObject> open = openAlert(c, stationId, type, "");
            if (open.isPresent()) {
                return open.get().getLong("id");
            }
            return insert(c, stationId, type, "", at, encoded);
        });
    }

    /**
     * Within the caller's transaction: opens an alert of the type and subject, or when one is open already,
     * counts the repeat in its data ({@code "repeats"}, {@code "lastAt"} and the new data's fields). Returns the
     * alert as {@link #list} shows it, with {@code "repeat": true} when it was open already.
     */
    public static JsonObject openOrRepeat(Connection c, String stationId, String type, String subject, long at,
                                          JsonObject data) throws SQLException {
        Optional<JsonObject> open = openAlert(c, stationId, type, subject);
        if (open.isEmpty()) {
            String encoded = fit(data).encode();
            long id = insert(c, stationId, type, subject, at, encoded);
            return new JsonObject().put("id", id).put("stationId", stationId).put("type", type).put("subject", subject)
                    .put("openedAt", at).put("closedAt", null).put("data", new JsonObject(encoded));
        }
        JsonObject alert = open.get();
        JsonObject merged = alert.getJsonObject("data").copy().mergeIn(data)
                .put("repeats", alert.getJsonObject("data").getInteger("repeats", 0) + 1).put("lastAt", at);
        String encoded = fit(merged).encode();
        Rows.update(c, "UPDATE alerts SET data = ? WHERE id = ?", encoded, alert.getLong("id"));
        return alert.put("data", new JsonObject(encoded)).put("repeat", true);
    }

    /** Closes the open alert of that type (merging extra into its data); empty if none was open. Returns the alert JSON. */
    public Future<Optional<JsonObject>> close(String stationId, String type, long at, JsonObject extra) {
        return close(stationId, type, "", at, extra);
    }

    /** Like {@link #close(String, String, long, JsonObject)} for one subject of the type. */
    public Future<Optional<JsonObject>> close(String stationId, String type, String subject, long at, JsonObject extra) {
        return db.tx(c -> close(c, stationId, type, subject, at, extra));
    }

    /** Within the caller's transaction: closes the open alert of the type and subject; empty if none was open. */
    public static Optional<JsonObject> close(Connection c, String stationId, String type, String subject, long at,
                                             JsonObject extra) throws SQLException {
        Optional<JsonObject> open = Rows.one(c, "SELECT " + COLUMNS + " FROM alerts "
                + "WHERE station_id = ? AND type = ? AND subject = ? AND closed_at IS NULL ORDER BY id FOR UPDATE",
                AlertStore::row, stationId, type, subject);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        JsonObject alert = open.get();
        JsonObject data = fit(alert.getJsonObject("data").mergeIn(extra));
        Rows.update(c, "UPDATE alerts SET closed_at = ?, data = ? "
                + "WHERE station_id = ? AND type = ? AND subject = ? AND closed_at IS NULL",
                at, data.encode(), stationId, type, subject);
        return Optional.of(alert.put("closedAt", at).put("data", data));
    }

    /** [{"id","stationId","type","subject","openedAt","closedAt","data"}], newest first. */
    public Future<JsonArray> list(Optional<String> stationId, boolean openOnly, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        return db.call(c -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM alerts WHERE 1 = 1");
            List<String> args = new ArrayList<>();
            stationId.ifPresent(s -> {
                sql.append(" AND station_id = ?");
                args.add(s);
            });
            if (openOnly) {
                sql.append(" AND closed_at IS NULL");
            }
            sql.append(" ORDER BY opened_at DESC, id DESC LIMIT ").append(n);
            return new JsonArray(Rows.list(c, sql.toString(), AlertStore::row, args.toArray()));
        });
    }

    private static long insert(Connection c, String stationId, String type, String subject, long at, String data)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO alerts (station_id, type, subject, opened_at, data) VALUES (?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            Rows.bind(ps, stationId, type, subject, at, data).executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no id generated for the alert");
                }
                return keys.getLong(1);
            }
        }
    }

    private static Optional<JsonObject> openAlert(Connection c, String stationId, String type, String subject)
            throws SQLException {
        return Rows.one(c, "SELECT " + COLUMNS + " FROM alerts "
                + "WHERE station_id = ? AND type = ? AND subject = ? AND closed_at IS NULL ORDER BY id",
                AlertStore::row, stationId, type, subject);
    }

    /** Station data can be large; alert data is kept under the column's size by dropping the reading first. */
    private static JsonObject fit(JsonObject data) {
        if (data.encode().length() <= MAX_DATA_CHARS) {
            return data;
        }
        JsonObject trimmed = data.copy();
        trimmed.remove("reading");
        if (trimmed.encode().length() <= MAX_DATA_CHARS) {
            return trimmed.put("truncated", true);
        }
        return new JsonObject().put("truncated", true);
    }

    /**
     * Acknowledges the alert: {@code by} and now are kept as its {@code "ack"}; an alert acknowledged already
     * keeps its first acknowledgement. Returns the alert as {@link #list} shows it.
     */
    public Future<AlertAction.Outcome> acknowledge(long id, String by, long at) {
        return unresolved(id, (c, alert) -> {
            if (alert.getValue("ack") != null) {
                return AlertAction.Outcome.unchanged(alert);
            }
            Rows.update(c, "UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ? AND acked_at IS NULL", by, at, id);
            return AlertAction.Outcome.changed(byId(c, id).orElseThrow());
        });
    }

    /**
     * Resolves the alert with a note: {@code by}, now and the note are kept as its {@code "resolution"}; an open
     * alert is closed now (an acknowledgement is implied when there was none). Returns the alert as {@link #list}
     * shows it, or {@code alreadyResolved} when it was resolved before.
     */
    public Future<AlertAction.Outcome> resolve(long id, String by, long at, String note) {
        return unresolved(id, (c, alert) -> {
            Rows.update(c, "UPDATE alerts SET resolved_by = ?, resolved_at = ?, resolution_note = ?, "
                    + "closed_at = COALESCE(closed_at, ?), acked_by = COALESCE(acked_by, ?), "
                    + "acked_at = COALESCE(acked_at, ?) WHERE id = ? AND resolved_at IS NULL",
                    by, at, note, at, by, at, id);
            return AlertAction.Outcome.changed(byId(c, id).orElseThrow());
        });
    }

    /** A change to an alert that is known and not resolved, made with the alert as it is (locked). */
    @FunctionalInterface
    private interface Change {
        AlertAction.Outcome apply(Connection c, JsonObject alert) throws SQLException;
    }

    /** Makes the change in one transaction, unless the alert is unknown or resolved already. */
    private Future<AlertAction.Outcome> unresolved(long id, Change change) {
        return db.tx(c -> {
            Optional<JsonObject> alert = byId(c, id);
            if (alert.isEmpty()) {
                return AlertAction.Outcome.notFound();
            }
            if (alert.get().getValue("resolution") != null) {
                return AlertAction.Outcome.alreadyResolved(alert.get());
            }
            return change.apply(c, alert.get());
        });
    }

    private static Optional<JsonObject> byId(Connection c, long id) throws SQLException {
        return Rows.one(c, "SELECT " + COLUMNS + " FROM alerts WHERE id = ? FOR UPDATE", AlertStore::row, id);
    }

    private static JsonObject row(ResultSet rs) throws SQLException {
        long closed = rs.getLong(5);
        boolean open = rs.wasNull();
        long ackedAt = rs.getLong(9);
        JsonObject ack = rs.wasNull() ? null : new JsonObject().put("by", rs.getString(8)).put("at", ackedAt);
        long resolvedAt = rs.getLong(11);
        JsonObject resolution = rs.wasNull() ? null : new JsonObject().put("by", rs.getString(10))
                .put("at", resolvedAt).put("note", rs.getString(12));
        return new JsonObject()
                .put("id", rs.getLong(1))
                .put("stationId", rs.getString(2))
                .put("type", rs.getString(3))
                .put("subject", rs.getString(7))
                .put("openedAt", rs.getLong(4))
                .put("closedAt", open ? null : closed)
                .put("data", new JsonObject(rs.getString(6)))
                .put("ack", ack)
                .put("resolution", resolution);
    }
}
