package org.yizhan.hub.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.metrics.HubMetrics;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The audit log in the registry's {@code audit_log} table, which only grows. An audited action's answer goes out
 * only after its entry is committed: a change writes its entry in the change's own transaction ({@link #step}), so
 * both are committed or neither; what changes nothing (a pass handed out, a refusal) writes its entry before the
 * answer ({@link #write}). When the entry cannot be written the request fails with 503 {@code audit-unavailable}
 * and the action is not done.
 */
public final class AuditLog {

    public static final int MAX_LIMIT = 500;
    static final int MAX_DETAIL_CHARS = 2048;
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final Database db;
    private final HubMetrics metrics;

    /** The entry could not be written, so what it records must not happen. */
    static final class Unwritten extends RuntimeException {
        Unwritten(Throwable cause) {
            super("the audit entry could not be written: " + cause.getMessage(), cause, false, false);
        }
    }

    /** The filters of {@link #page}: each empty for any. {@code action} ending in {@code *} matches a prefix. */
    public record Filter(Optional<String> actor, Optional<String> action, Optional<String> target) {
    }

    public AuditLog(Database db, HubMetrics metrics) {
        this.db = db;
        this.metrics = metrics;
    }

    /** The answer when the audit log cannot be written. */
    public static ApiException unavailable() {
        return ApiException.of(503, "audit-unavailable",
                "The audit log cannot be written just now, so this was not done; try again later");
    }

    /** Writes the entry; fails with 503 {@code audit-unavailable} when it cannot. */
    public Future<Void> write(AuditEntry entry) {
        return db.call(c -> {
            insert(c, entry);
            return (Void) null;
        }).recover(e -> Future.failedFuture(refuse(entry, e)));
    }

    /**
     * A step for a store's transaction that writes the entry made from the transaction's result; when the entry
     * cannot be written the transaction rolls back and {@link #failures} answers 503.
     */
    public <T> Database.Step<T> step(Function<T, AuditEntry> entry) {
        return (c, result) -> {
            AuditEntry e = entry.apply(result);
            try {
                insert(c, e);
            } catch (SQLException | RuntimeException ex) {
                throw new Unwritten(ex);
            }
        };
    }

    /**
     * Runs the action (which writes {@code entry}'s success itself, through {@link #step} or {@link #write}); when
     * it fails, writes {@code entry} as refused or failed with the error's status and code, then fails as the
     * action did. A failure to write the audit entry, here or inside the action, answers 503 instead.
     */
    public <T> Future<T> failures(AuditEntry entry, Supplier<Future<T>> action) {
        Future<T> done;
        try {
            done = action.get();
        } catch (RuntimeException e) {
            done = Future.failedFuture(e);
        }
        return done.recover(err -> {
            if (err instanceof Unwritten u) {
                return Future.failedFuture(refuse(entry, u.getCause()));
            }
            if (err instanceof ApiException api && "audit-unavailable".equals(api.code())) {
                return Future.failedFuture(api);
            }
            return write(entry.failedWith(err)).compose(v -> Future.failedFuture(err));
        });
    }

    /**
     * What {@link Authenticator} runs when a role may not: an entry of the refused attempt, its target from the
     * request.
     */
    public Authenticator.Refusals refusals(String action, String targetKind, Function<RoutingContext, String> targetId) {
        return (ctx, who, needed) -> write(AuditEntry.by(ctx, who, action, targetKind, safe(targetId, ctx))
                .outcome(AuditEntry.REFUSED).with("status", 403).with("code", "forbidden")
                .with("needs", needed.wireName()));
    }

    /** A refusal whose target is the request's {@code :id} path parameter. */
    public Authenticator.Refusals refusals(String action, String targetKind) {
        return refusals(action, targetKind, ctx -> ctx.pathParam("id"));
    }

    /** Newest first, at most {@code limit}, with ids below {@code before} when given. */
    public Future<List<JsonObject>> page(Filter filter, Optional<Long> before, int limit) {
        StringBuilder sql = new StringBuilder("SELECT id, at, actor, actor_role, actor_address, action, target_kind, "
                + "target_id, outcome, detail FROM audit_log WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        before.ifPresent(b -> {
            sql.append(" AND id < ?");
            args.add(b);
        });
        filter.actor().ifPresent(a -> {
            sql.append(" AND actor = ?");
            args.add(a);
        });
        filter.action().ifPresent(a -> {
            if (a.endsWith("*")) {
                sql.append(" AND action LIKE ? ESCAPE '!'");
                args.add(a.substring(0, a.length() - 1).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
            } else {
                sql.append(" AND action = ?");
                args.add(a);
            }
        });
        filter.target().ifPresent(t -> {
            sql.append(" AND target_id = ?");
            args.add(t);
        });
        sql.append(" ORDER BY id DESC LIMIT ").append(Math.max(1, Math.min(limit, MAX_LIMIT)));
        return db.call(c -> Rows.list(c, sql.toString(), rs -> new JsonObject()
                .put("id", rs.getLong(1)).put("at", rs.getLong(2)).put("actor", rs.getString(3))
                .put("actorRole", rs.getString(4)).put("actorAddress", rs.getString(5))
                .put("action", rs.getString(6))
                .put("target", new JsonObject().put("kind", rs.getString(7)).put("id", rs.getString(8)))
                .put("outcome", rs.getString(9)).put("detail", new JsonObject(rs.getString(10))), args.toArray()));
    }

    private ApiException refuse(AuditEntry entry, Throwable cause) {
        metrics.counter("yizhan_audit_write_failures");
        LOG.error("Could not write the audit entry of {} by '{}' on {} {}; the request is refused: {}", entry.action(),
                entry.actor(), entry.targetKind(), entry.targetId(), cause.toString());
        return unavailable();
    }

    private static void insert(Connection c, AuditEntry e) throws SQLException {
        String detail = e.detail().encode();
        if (detail.length() > MAX_DETAIL_CHARS) {
            detail = new JsonObject().put("truncated", true).encode();
        }
        Rows.update(c, "INSERT INTO audit_log (at, actor, actor_role, actor_address, action, target_kind, target_id, "
                        + "outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", System.currentTimeMillis(),
                cut(e.actor(), 64), e.actorRole().orElse(null), cut(e.actorAddress(), 64), cut(e.action(), 40),
                cut(e.targetKind(), 20), cut(e.targetId(), 64), e.outcome(), detail);
    }

    private static String safe(Function<RoutingContext, String> targetId, RoutingContext ctx) {
        try {
            String id = targetId.apply(ctx);
            return id == null || id.isEmpty() ? "-" : id;
        } catch (RuntimeException e) {
            return "-";
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
