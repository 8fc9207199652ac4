package org.yizhan.hub.commands;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.live.Bus;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Limits;
import org.yizhan.protocol.Ulid;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Commands for stations and their status: {@code pending} (stored, not yet acknowledged by the station),
 * {@code delivered} (the station sent PUBACK), {@code succeeded}/{@code failed} (the station's result),
 * {@code expired} (not done before {@code expiresAt}).
 */
public final class CommandStore {

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String EXPIRED = "expired";

    private static final int MAX_ARGS_CHARS = Limits.COMMAND_ARGS_CHARS;
    private static final int MAX_RESULT_CHARS = 8192;

    private final Database db;

    public CommandStore(Database db) {
        this.db = db;
    }

    /**
     * Stores the command as {@link #create} does and hands its id to {@link Bus#COMMAND_DISPATCH}, so a connected
     * station gets it at once and another on its next connect.
     */
    public Future<JsonObject> send(String stationId, String name, JsonObject args, long ttlMillis, String createdBy) {
        return send(stationId, name, args, ttlMillis, createdBy, Database.Step.none());
    }

    /**
     * As {@link #send}, with {@code alongside} run in the transaction that stores the command (given the answer):
     * when it fails, the command is neither stored nor sent.
     */
    public Future<JsonObject> send(String stationId, String name, JsonObject args, long ttlMillis, String createdBy,
                                   Database.Step<JsonObject> alongside) {
        return create(stationId, name, args, ttlMillis, createdBy, alongside)
                .onSuccess(c -> db.vertx().eventBus().send(Bus.COMMAND_DISPATCH, c.getString("id")));
    }

    /**
     * Stores a pending command; returns {"id","status":"pending","expiresAt"}. Fails with an
     * IllegalArgumentException for an unknown command name, a non-positive ttl or args over 8 KiB. Use
     * {@link #send} to have it delivered too.
     */
    public Future<JsonObject> create(String stationId, String name, JsonObject args, long ttlMillis, String createdBy) {
        return create(stationId, name, args, ttlMillis, createdBy, Database.Step.none());
    }

    private Future<JsonObject> create(String stationId, String name, JsonObject args, long ttlMillis, String createdBy,
                                      Database.Step<JsonObject> alongside) {
        if (!Command.NAMES.contains(name)) {
            return Future.failedFuture(new IllegalArgumentException("name: unknown command '" + name + "'"));
        }
        if (ttlMillis <= 0) {
            return Future.failedFuture(new IllegalArgumentException("ttl: must be positive"));
        }
        String encodedArgs = args.encode();
        if (encodedArgs.length() > MAX_ARGS_CHARS) {
            return Future.failedFuture(new IllegalArgumentException("args: over " + MAX_ARGS_CHARS + " characters"));
        }
        long now = System.currentTimeMillis();
        long expiresAt = now + ttlMillis;
        String id = Ulid.next(now);
        return db.tx(c -> {
            Rows.update(c, "INSERT INTO commands (id, station_id, name, args, status, created_at, expires_at, "
                            + "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, stationId, name, encodedArgs, PENDING,
                    now, expiresAt, createdBy.length() > 64 ? createdBy.substring(0, 64) : createdBy);
            JsonObject created = new JsonObject().put("id", id).put("status", PENDING).put("expiresAt", expiresAt);
            alongside.run(c, created.copy());
            return created;
        });
    }

    /**
     * The command {@code id} as {@link #get} shows it, if it is a {@code name} sent on behalf of the member with this
     * pseudonym ({@code args.member}); empty for any other command, so a member sees only their own requests.
     */
    public Future<Optional<JsonObject>> getForMember(String id, String name, String pseudonym) {
        return get(id).map(found -> found.filter(c -> name.equals(c.getString("name")))
                .filter(c -> c.getValue("args") instanceof JsonObject args && pseudonym.equals(args.getString("member"))));
    }

    /** {"id","stationId","name","args","status","createdAt","expiresAt","deliveredAt","completedAt","result"} */
    public Future<Optional<JsonObject>> get(String id) {
        return db.call(c -> Rows.one(c,
                "SELECT id, station_id, name, args, status, created_at, expires_at, delivered_at, completed_at, result "
                        + "FROM commands WHERE id = ?", rs -> {
                    String result = rs.getString(10);
                    return new JsonObject()
                            .put("id", rs.getString(1))
                            .put("stationId", rs.getString(2))
                            .put("name", rs.getString(3))
                            .put("args", new JsonObject(rs.getString(4)))
                            .put("status", rs.getString(5))
                            .put("createdAt", rs.getLong(6))
                            .put("expiresAt", rs.getLong(7))
                            .put("deliveredAt", nullableLong(rs, 8))
                            .put("completedAt", nullableLong(rs, 9))
                            .put("result", result == null ? null : new JsonObject(result));
                }, id));
    }

    /** The station's pending commands that have not expired at {@code now}, oldest first. */
    public Future<List<Command>> pendingFor(String stationId, long now) {
        return db.call(c -> Rows.list(c, "SELECT id, created_at, name, args, expires_at FROM commands "
                        + "WHERE station_id = ? AND status = ? AND expires_at >= ? ORDER BY id",
                rs -> new Command(rs.getString(1), rs.getLong(2), rs.getString(3), new JsonObject(rs.getString(4)),
                        rs.getLong(5)), stationId, PENDING, now));
    }

    /** One command as it goes on the wire, if it exists and is still pending for the station. */
    public Future<Optional<PendingCommand>> pending(String id) {
        return db.call(c -> Rows.one(c,
                "SELECT id, created_at, name, args, expires_at, station_id FROM commands WHERE id = ? AND status = ?",
                rs -> new PendingCommand(rs.getString(6), new Command(rs.getString(1), rs.getLong(2),
                        rs.getString(3), new JsonObject(rs.getString(4)), rs.getLong(5))), id, PENDING));
    }

    /** A pending command and the station it is for. */
    public record PendingCommand(String stationId, Command command) {
    }

    /** Marks a pending command delivered; false if it was not pending (already delivered, completed or expired). */
    public Future<Boolean> markDelivered(String id, long at) {
        return db.call(c -> Rows.update(c,
                "UPDATE commands SET status = ?, delivered_at = ? WHERE id = ? AND status = ?",
                DELIVERED, at, id, PENDING) == 1);
    }

    /**
     * Records the station's result if the command belongs to that station; false otherwise, and false for a
     * command that already has a result (a repeated {@code cmd/res}). A result for a command the hub had
     * already marked expired is recorded too: the station did act, and operators should see it.
     */
    public Future<Boolean> complete(String stationId, CommandResult result, long at) {
        JsonObject r = new JsonObject().put("ok", result.ok()).put("ts", result.ts());
        result.error().ifPresent(e -> r.put("error", new JsonObject().put("code", e.code()).put("message", e.message())));
        if (!result.data().isEmpty()) {
            r.put("data", result.data());
        }
        String encoded = r.encode();
        if (encoded.length() > MAX_RESULT_CHARS) {
            r.remove("data");
            r.put("truncated", true);
            encoded = r.encode();
        }
        String stored = encoded;
        return db.call(c -> Rows.update(c, "UPDATE commands SET status = ?, completed_at = ?, result = ? "
                        + "WHERE id = ? AND station_id = ? AND status IN (?, ?, ?)",
                result.ok() ? SUCCEEDED : FAILED, at, stored, result.id(), stationId, PENDING, DELIVERED,
                EXPIRED) == 1);
    }

    /**
     * The open commands past their time, oldest first; read through the index on (status, expires_at), so the pass
     * once a second does not read every command ever sent.
     */
    static final String EXPIRE_DUE_SQL =
            "SELECT id, station_id FROM commands WHERE status IN (?, ?) AND expires_at < ? ORDER BY id LIMIT 10000";

    /** Marks pending/delivered commands past expiresAt as expired; returns how many. */
    public Future<Integer> expireDue(long now) {
        return expire(now).map(List::size);
    }

    /** Like {@link #expireDue} but returns the expired commands as {"id","stationId","status"}. */
    public Future<List<JsonObject>> expire(long now) {
        return db.tx(c -> {
            List<JsonObject> due = Rows.list(c, EXPIRE_DUE_SQL, rs -> new JsonObject().put("id", rs.getString(1))
                    .put("stationId", rs.getString(2)).put("status", EXPIRED), PENDING, DELIVERED, now);
            List<JsonObject> expired = new ArrayList<>(due.size());
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE commands SET status = ?, completed_at = ? WHERE id = ? AND status IN (?, ?)")) {
                for (JsonObject d : due) {
                    if (Rows.bind(ps, EXPIRED, now, d.getString("id"), PENDING, DELIVERED).executeUpdate() == 1) {
                        expired.add(d);
                    }
                }
            }
            return expired;
        });
    }

    private static Long nullableLong(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }
}
