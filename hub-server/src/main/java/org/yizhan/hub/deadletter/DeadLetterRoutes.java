package org.yizhan.hub.deadletter;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;

/** Dead letters, the messages the hub could not accept (admin): {@code GET /api/v1/dead-letters?limit=}. */
public final class DeadLetterRoutes implements HubFeature {

    private final DeadLetterStore deadLetters;
    private final Authenticator auth;

    public DeadLetterRoutes(DeadLetterStore deadLetters, Authenticator auth) {
        this.deadLetters = deadLetters;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/dead-letters"), Role.ADMIN, this::deadLetters);
    }

    private Future<Reply> deadLetters(RoutingContext ctx) {
        int limit = new QueryParams(ctx).intValue("limit", 1, DeadLetterStore.MAX_LIMIT, 100);
        return deadLetters.list(limit).map(a -> Reply.ok(new JsonObject().put("deadLetters", a)));
    }
}
