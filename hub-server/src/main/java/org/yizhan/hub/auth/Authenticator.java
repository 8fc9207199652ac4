package org.yizhan.hub.auth;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Replies;

import java.util.List;
import java.util.Optional;

/**
 * Route handlers that let a request through only with a valid bearer token of a role that includes the
 * required one: 401 without a token or with a bad or expired one, 403 when the role may not.
 */
public final class Authenticator {

    private static final String KEY = "yizhan.principal";

    private final Tokens tokens;
    private final Replies replies;

    public Authenticator(Tokens tokens, Replies replies) {
        this.tokens = tokens;
        this.replies = replies;
    }

    /** Token from the {@code Authorization: Bearer} header only. */
    public Handler<RoutingContext> require(Role role) {
        return ctx -> check(ctx, role, false);
    }

    /** Token from the header or the {@code access_token} query parameter (for EventSource, which cannot set headers). */
    public Handler<RoutingContext> requireAllowingQueryToken(Role role) {
        return ctx -> check(ctx, role, true);
    }

    /** The principal that {@link #require} put on the context. */
    public static Principal principal(RoutingContext ctx) {
        Principal p = ctx.get(KEY);
        if (p == null) {
            throw new IllegalStateException("route has no authentication handler");
        }
        return p;
    }

    private void check(RoutingContext ctx, Role role, boolean allowQuery) {
        Optional<String> token = token(ctx, allowQuery);
        if (token.isEmpty()) {
            replies.error(ctx, ApiException.of(401, "unauthorized", "Sign in first: send Authorization: Bearer <token>"));
            return;
        }
        tokens.verify(token.get()).onComplete(ar -> {
            if (ar.failed()) {
                replies.error(ctx, ApiException.of(401, "invalid-token", "The token is invalid or expired; sign in again"));
            } else if (!ar.result().role().includes(role)) {
                replies.error(ctx, ApiException.of(403, "forbidden",
                        "Role " + ar.result().role().wireName() + " may not do this; it needs " + role.wireName()
                                + (role == Role.ADMIN ? "" : " or higher")));
            } else {
                ctx.put(KEY, ar.result());
                ctx.next();
            }
        });
    }

    private static Optional<String> token(RoutingContext ctx, boolean allowQuery) {
        String h = ctx.request().getHeader("Authorization");
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) && h.length() > 7) {
            return Optional.of(h.substring(7).trim());
        }
        if (allowQuery) {
            List<String> q = ctx.queryParam("access_token");
            if (!q.isEmpty() && !q.get(0).isBlank()) {
                return Optional.of(q.get(0));
            }
        }
        return Optional.empty();
    }
}
