package org.yizhan.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Route handlers that let a request through only with a valid bearer token of a role that includes the
 * required one: 401 without a token or with a bad or expired one, 403 when the role may not.
 */
public final class Authenticator {

    private static final String KEY = "yizhan.principal";

    /**
     * What runs when a signed-in user's role may not do what the route does, before the 403 is answered (an audit
     * entry of the refused attempt). When its future fails, that failure is answered instead.
     */
    @FunctionalInterface
    public interface Refusals {
        Future<Void> refused(RoutingContext ctx, Principal who, Role needed);

        /** Answers the 403 at once. */
        Refusals NONE = (ctx, who, needed) -> Future.succeededFuture();
    }

    private final Function<String, Future<Principal>> tokens;
    private final Replies replies;

    /** @param tokens checks a staff token: the principal it was issued to, or a failure when bad or expired */
    public Authenticator(Function<String, Future<Principal>> tokens, Replies replies) {
        this.tokens = tokens;
        this.replies = replies;
    }

    /** The principal of a staff token, or a failed future when the token is bad or expired. */
    public Future<Principal> verify(String token) {
        return tokens.apply(token);
    }

    /** Token from the {@code Authorization: Bearer} header only. */
    public Handler<RoutingContext> require(Role role) {
        return ctx -> check(ctx, role, false, Refusals.NONE);
    }

    /** As {@link #require(Role)}; a refusal for the role runs {@code refusals} before the 403 is answered. */
    public Handler<RoutingContext> require(Role role, Refusals refusals) {
        return ctx -> check(ctx, role, false, refusals);
    }

    /**
     * Puts the role check and then the JSON logic on the route: the logic runs only for a staff token of the
     * role, and its reply or failure is answered as {@link Replies#json} does.
     */
    public Route json(Route route, Role role, Function<RoutingContext, Future<Reply>> logic) {
        return route.handler(require(role)).handler(replies.json(logic));
    }

    /** As {@link #json(Route, Role, Function)}; a refusal for the role runs {@code refusals} before the 403. */
    public Route json(Route route, Role role, Refusals refusals, Function<RoutingContext, Future<Reply>> logic) {
        return route.handler(require(role, refusals)).handler(replies.json(logic));
    }

    /** Token from the header or the {@code access_token} query parameter (for EventSource, which cannot set headers). */
    public Handler<RoutingContext> requireAllowingQueryToken(Role role) {
        return ctx -> check(ctx, role, true, Refusals.NONE);
    }

    /** The principal that {@link #require} put on the context. */
    public static Principal principal(RoutingContext ctx) {
        Principal p = ctx.get(KEY);
        if (p == null) {
            throw new IllegalStateException("route has no authentication handler");
        }
        return p;
    }

    private void check(RoutingContext ctx, Role role, boolean allowQuery, Refusals refusals) {
        Optional<String> token = token(ctx, allowQuery);
        if (token.isEmpty()) {
            replies.error(ctx, ApiException.of(401, "unauthorized", "Sign in first: send Authorization: Bearer <token>"));
            return;
        }
        tokens.apply(token.get()).onComplete(ar -> {
            if (ar.failed()) {
                replies.error(ctx, ApiException.of(401, "invalid-token", "The token is invalid or expired; sign in again"));
            } else if (!ar.result().role().includes(role)) {
                ApiException forbidden = ApiException.of(403, "forbidden",
                        "Role " + ar.result().role().wireName() + " may not do this; it needs " + role.wireName()
                                + (role == Role.ADMIN ? "" : " or higher"));
                Replies.attempt(c -> refusals.refused(c, ar.result(), role), ctx).onComplete(noted -> {
                    if (noted.succeeded()) {
                        replies.error(ctx, forbidden);
                    } else {
                        replies.fail(ctx, noted.cause());
                    }
                });
            } else {
                ctx.put(KEY, ar.result());
                ctx.next();
            }
        });
    }

    /** The token of the {@code Authorization: Bearer} header, if any. */
    public static Optional<String> bearer(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) && h.length() > 7) {
            return Optional.of(h.substring(7).trim());
        }
        return Optional.empty();
    }

    /** Whether the {@code Authorization: Bearer} header holds exactly {@code token} (compared in constant time). */
    public static boolean bearerIs(RoutingContext ctx, String token) {
        return bearer(ctx).filter(b -> java.security.MessageDigest.isEqual(
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                token.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isPresent();
    }

    private static Optional<String> token(RoutingContext ctx, boolean allowQuery) {
        Optional<String> header = bearer(ctx);
        if (header.isPresent()) {
            return header;
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
