package org.yizhan.hub.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.protocol.Event;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Station events in the registry. Each event id (a ULID chosen by the station) is stored once: a replayed
 * or duplicated event is ignored, which is what lets the station resend until it gets an acknowledgement
 * ({@code .../events/ack}, or the PUBACK of the embedded endpoint).
 */
public final class EventStore {

    /** Largest page {@link #list} returns. */
    public static final int MAX_LIMIT = 1000;
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String SELECT = "SELECT id, station_id, ts, type, data FROM events WHERE 1 = 1";

    private final Database db;

    public EventStore(Database db) {
        this.db = db;
    }

    /** Inserts the events whose id is not stored yet, in one transaction; returns the number newly stored. */
    public Future<Integer> insert(String stationId, List<Event> events, long receivedAt) {
        return insertNew(stationId, events, receivedAt).map(List::size);
    }

    /**
     * Like {@link #insert} but returns the events that were newly stored, in the order given. When a
     * concurrent transaction stores one of the ids first, the whole batch is retried once.
     */
    public Future<List<Event>> insertNew(String stationId, List<Event> events, long receivedAt) {
        if (events.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return db.tx(c -> insertAll(c, stationId, events, receivedAt))
                .recover(e -> isUniqueViolation(e)
                        ? db.tx(c -> insertAll(c, stationId, events, receivedAt))
                        : Future.failedFuture(e));
    }

    /** Work done inside the insert transaction with the events that were newly stored (possibly none). */
    @FunctionalInterface
    public interface Derive<T> {
        T apply(Connection c, List<Event> fresh) throws SQLException;
    }

    /** The newly stored events and what {@link Derive} made of them, both committed together. */
    public record Inserted<T>(List<Event> fresh, T derived) {
    }

    /**
     * Like {@link #insertNew(String, List, long)}, and runs {@code derive} with the newly stored events in the
     * same transaction, so records derived from events (sessions, alerts) are committed with them or not at all.
     * On the retry after a concurrent insert, {@code derive} runs again in the new transaction.
     */
    public <T> Future<Inserted<T>> insertNew(String stationId, List<Event> events, long receivedAt, Derive<T> derive) {
        Database.Work<Inserted<T>> work = c -> {
            List<Event> fresh = insertAll(c, stationId, events, receivedAt);
            return new Inserted<>(fresh, derive.apply(c, fresh));
        };
        return db.tx(work).recover(e -> isUniqueViolation(e) ? db.tx(work) : Future.failedFuture(e));
    }

    private static List<Event> insertAll(Connection c, String stationId, List<Event> events, long receivedAt)
            throws SQLException {
        List<Event> fresh = new ArrayList<>(events.size());
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO events (id, station_id, ts, received_at, type, data) "
                        + "SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = ?)")) {
            for (Event e : events) {
                ps.setString(1, e.id());
                ps.setString(2, stationId);
                ps.setLong(3, e.ts());
                ps.setLong(4, receivedAt);
                ps.setString(5, e.type());
                ps.setString(6, e.data().encode());
                ps.setString(7, e.id());
                if (ps.executeUpdate() == 1) {
                    fresh.add(e);
                }
            }
        }
        return fresh;
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && UNIQUE_VIOLATION.equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The newest events first, up to {@code limit}: {"events":[..],"next":null}. {@code types} are event types
     * or prefixes ending in {@code *} ({@code access.*}); empty means every type.
     */
    public Future<JsonObject> latest(Optional<String> stationId, List<String> types, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        return db.call(c -> {
            List<String> args = new ArrayList<>();
            StringBuilder sql = select(stationId, args);
            if (!types.isEmpty()) {
                sql.append(" AND (");
                for (int i = 0; i < types.size(); i++) {
                    String t = types.get(i);
                    sql.append(i == 0 ? "" : " OR ").append(t.endsWith("*") ? "type LIKE ?" : "type = ?");
                    args.add(t.endsWith("*") ? t.substring(0, t.length() - 1).replace("_", "\\_") + "%" : t);
                }
                sql.append(")");
            }
            sql.append(" ORDER BY id DESC LIMIT ").append(n);
            return new JsonObject().put("events", query(c, sql.toString(), args)).put("next", (Object) null);
        });
    }

    /** {"events":[{"id","stationId","ts","type","data"}],"next": id-or-null}, ascending by id, after = exclusive id cursor. */
    public Future<JsonObject> list(Optional<String> stationId, Optional<String> type, Optional<String> after, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        return db.call(c -> {
            List<String> args = new ArrayList<>();
            StringBuilder sql = select(stationId, args);
            type.ifPresent(t -> {
                sql.append(" AND type = ?");
                args.add(t);
            });
            after.ifPresent(a -> {
                sql.append(" AND id > ?");
                args.add(a);
            });
            // one more than asked tells whether there is a next page
            sql.append(" ORDER BY id ASC LIMIT ").append(n + 1);
            JsonArray out = query(c, sql.toString(), args);
            String next = null;
            if (out.size() > n) {
                out.remove(n);
                next = out.getJsonObject(n - 1).getString("id");
            }
            return new JsonObject().put("events", out).put("next", next);
        });
    }

    /** The events query, of one station when given (its id added to the arguments). */
    private static StringBuilder select(Optional<String> stationId, List<String> args) {
        StringBuilder sql = new StringBuilder(SELECT);
        stationId.ifPresent(s -> {
            sql.append(" AND station_id = ?");
            args.add(s);
        });
        return sql;
    }

    private static JsonArray query(Connection c, String sql, List<String> args) throws SQLException {
        return new JsonArray(Rows.list(c, sql, rs -> new JsonObject()
                .put("id", rs.getString(1))
                .put("stationId", rs.getString(2))
                .put("ts", rs.getLong(3))
                .put("type", rs.getString(4))
                .put("data", new JsonObject(rs.getString(5))), args.toArray()));
    }
}
