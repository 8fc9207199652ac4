package org.yizhan.hub.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The audit log for admins: {@code GET /api/v1/audit?limit=&before=&actor=&action=&target=} answers
 * {@code {"entries":[{"id","at","actor","actorRole","actorAddress","action","target":{"kind","id"},"outcome",
 * "detail"}],"next"}}, newest first; {@code next} is the {@code before} of the following page (null on the last).
 * {@code action} ending in {@code *} matches a prefix ({@code command.*}). Nothing changes or deletes entries: other
 * methods on the path are answered 405. A refused reader is itself audited.
 */
public final class AuditRoutes implements HubFeature {

    private static final Pattern ACTION = Pattern.compile("[a-z0-9._-]{1,40}\\*?");

    private final AuditLog audit;
    private final Authenticator auth;

    public AuditRoutes(AuditLog audit, Authenticator auth) {
        this.audit = audit;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/audit"), Role.ADMIN, audit.refusals("audit.read", "audit", ctx -> "log"),
                this::page);
    }

    private Future<Reply> page(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        int limit = q.intValue("limit", 1, AuditLog.MAX_LIMIT, 100);
        long before = q.longValue("before", 1, Long.MAX_VALUE, Long.MAX_VALUE);
        AuditLog.Filter filter = new AuditLog.Filter(q.string("actor", 64), q.matching("action", ACTION,
                "an action such as command.door.unlock, or a prefix ending in * (command.*)"),
                q.string("target", 64));
        return audit.page(filter, before == Long.MAX_VALUE ? Optional.empty() : Optional.of(before), limit)
                .map(entries -> Reply.ok(new JsonObject().put("entries", new JsonArray(List.copyOf(entries)))
                        .put("next", entries.size() < limit ? null : entries.get(entries.size() - 1).getLong("id"))));
    }
}
