package org.yizhan.hub.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.Limits;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Station events in the registry. Each event id (a ULID chosen by the station) is stored once: a replayed
 * or duplicated event is ignored, which is what lets the station resend until it gets an acknowledgement
 * ({@code .../events/ack}, or the PUBACK of the embedded endpoint). The columns hold every event the contract allows
 * ({@link Limits}); an event the database still refuses for what it holds (an SQL data exception) is set aside as
 * {@link Unstorable} and the rest stored, while any other failure (the database is away) fails the whole insert.
 */
public final class EventStore {

    /** Largest page {@link #list} returns. */
    public static final int MAX_LIMIT = 1000;
    private static final String UNIQUE_VIOLATION = "23505";
    /** SQLSTATE class 22, data exception: the value, not the database, is at fault (too long, bad encoding, ...). */
    private static final String DATA_EXCEPTION_CLASS = "22";
    private static final String SELECT = "SELECT id, station_id, ts, type, data FROM events WHERE 1 = 1";

    private final Database db;

    public EventStore(Database db) {
        this.db = db;
    }

    /** Completes once what was committed before is durable ({@link Database#durable}). */
    public Future<Void> durable() {
        return db.durable();
    }

    /** Inserts the events whose id is not stored yet, in one transaction; returns the number newly stored. */
    public Future<Integer> insert(String stationId, List<Event> events, long receivedAt) {
        return insertNew(stationId, events, receivedAt).map(List::size);
    }

    /**
     * Like {@link #insert} but returns the events that were newly stored, in the order given. When a
     * concurrent transaction stores one of the ids first, the whole batch is retried once. Events the database
     * refuses for their content are left out ({@link Inserted#unstorable()} of the other form names them).
     */
    public Future<List<Event>> insertNew(String stationId, List<Event> events, long receivedAt) {
        if (events.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return insertNew(stationId, events, receivedAt, (c, fresh) -> null).map(Inserted::fresh);
    }

    /** Work done inside the insert transaction with the events that were newly stored (possibly none). */
    @FunctionalInterface
    public interface Derive<T> {
        T apply(Connection c, List<Event> fresh) throws SQLException;
    }

    /** An event the database refused for its content, with the database's reason. */
    public record Unstorable(Event event, String error) {
    }

    /**
     * The newly stored events and what {@link Derive} made of them, both committed together, and the events that
     * cannot be stored for their content.
     */
    public record Inserted<T>(List<Event> fresh, T derived, List<Unstorable> unstorable) {
    }

    /**
     * Like {@link #insertNew(String, List, long)}, and runs {@code derive} with the newly stored events in the
     * same transaction, so records derived from events (sessions, alerts) are committed with them or not at all.
     * On the retry after a concurrent insert, {@code derive} runs again in the new transaction. When the database
     * refuses an event for its content, the transaction is tried again with each event on its own savepoint, so
     * the refused ones come back as {@link Inserted#unstorable()} and the others are stored.
     */
    public <T> Future<Inserted<T>> insertNew(String stationId, List<Event> events, long receivedAt, Derive<T> derive) {
        return attempt(stationId, events, receivedAt, derive, false)
                .recover(e -> isUniqueViolation(e) ? attempt(stationId, events, receivedAt, derive, false)
                        : Future.failedFuture(e))
                .recover(e -> isDataException(e) ? attempt(stationId, events, receivedAt, derive, true)
                        : Future.failedFuture(e));
    }

    private <T> Future<Inserted<T>> attempt(String stationId, List<Event> events, long receivedAt, Derive<T> derive,
                                            boolean eachAlone) {
        return db.tx(c -> {
            List<Unstorable> unstorable = new ArrayList<>();
            List<Event> fresh = insertAll(c, stationId, events, receivedAt, eachAlone ? unstorable : null);
            return new Inserted<>(fresh, derive.apply(c, fresh), unstorable);
        });
    }

    /**
     * Inserts the events whose id is not stored yet. With {@code unstorable}, each on its own savepoint: an event the
     * database refuses for its content is rolled back alone and added there.
     */
    private static List<Event> insertAll(Connection c, String stationId, List<Event> events, long receivedAt,
                                         List<Unstorable> unstorable) throws SQLException {
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
                if (unstorable == null) {
                    if (ps.executeUpdate() == 1) {
                        fresh.add(e);
                    }
                    continue;
                }
                Savepoint before = c.setSavepoint();
                try {
                    if (ps.executeUpdate() == 1) {
                        fresh.add(e);
                    }
                    c.releaseSavepoint(before);
                } catch (SQLException x) {
                    if (!isDataException(x)) {
                        throw x;
                    }
                    c.rollback(before);
                    unstorable.add(new Unstorable(e, x.getMessage()));
                }
            }
        }
        return fresh;
    }

    private static boolean isDataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && s.getSQLState().startsWith(DATA_EXCEPTION_CLASS)) {
                return true;
            }
        }
        return false;
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
