package org.yizhan.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.members.Member;
import org.yizhan.hub.members.MemberStore;

import java.util.Optional;

/**
 * Member login: riders' pages call the API with the member token they got on joining
 * ({@code Authorization: Bearer ymt_...}). Scan-to-enter, charging from the phone, the rider pass, face consent
 * and feedback all sign members in here.
 */
public final class MemberLogin {

    private static final String MEMBER_KEY = "yizhan.member";
    private static final String PREFIX = "ymt_";
    private static final int MAX_TOKEN_CHARS = 100;

    private final MemberStore members;
    private final Replies replies;

    public MemberLogin(MemberStore members, Replies replies) {
        this.members = members;
        this.replies = replies;
    }

    /**
     * Lets a request through with a valid member token of an active member; 401 without one, 403
     * {@code member-pending} while the membership waits for approval. {@link #member} then gives the member.
     */
    public Handler<RoutingContext> require() {
        return require(true);
    }

    /** As {@link #require()}, but lets pending members through too (their own status and tokens). */
    public Handler<RoutingContext> requireAnyStatus() {
        return require(false);
    }

    private Handler<RoutingContext> require(boolean active) {
        return ctx -> {
            Optional<String> token = Authenticator.bearer(ctx);
            if (token.isEmpty() || !token.get().startsWith(PREFIX) || token.get().length() > MAX_TOKEN_CHARS) {
                replies.error(ctx, ApiException.of(401, "unauthorized", "Send your member token: Authorization: Bearer <token>"));
                return;
            }
            members.byToken(token.get()).onComplete(ar -> {
                if (ar.failed()) {
                    replies.fail(ctx, ar.cause());
                } else if (ar.result().isEmpty()) {
                    replies.error(ctx, ApiException.of(401, "invalid-token", "This member token is not known"));
                } else if (active && !ar.result().get().active()) {
                    replies.error(ctx, notActive(ar.result().get()));
                } else {
                    ctx.put(MEMBER_KEY, ar.result().get());
                    ctx.next();
                }
            });
        };
    }

    /** The member that {@link #require()} put on the context. */
    public static Member member(RoutingContext ctx) {
        Member m = ctx.get(MEMBER_KEY);
        if (m == null) {
            throw new IllegalStateException("route has no member authentication");
        }
        return m;
    }

    /**
     * For calls anyone may make that a member token links to the member: empty without a member token, 401 for
     * an unknown one.
     */
    public Future<Optional<Member>> optional(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer " + PREFIX, 0, 7 + PREFIX.length())) {
            return Future.succeededFuture(Optional.empty());
        }
        String token = h.substring(7).trim();
        if (token.length() > MAX_TOKEN_CHARS) {
            return Future.failedFuture(ApiException.of(401, "invalid-token", "This member token is not known"));
        }
        return members.byToken(token).compose(m -> m.isEmpty() ? Future.failedFuture(ApiException.of(401,
                "invalid-token", "This member token is not known; send the feedback without it"))
                : m.get().active() ? Future.succeededFuture(m) : Future.failedFuture(notActive(m.get())));
    }

    /** 403 for a member token whose membership is not active (pending approval: tokens of others end). */
    public static ApiException notActive(Member m) {
        return m.pending() ? ApiException.of(403, "member-pending", "Your membership waits for the union staff to "
                + "approve it; no pass or entry until then. 入会申请审核中。")
                : ApiException.of(403, "member-" + m.status(), "This membership is " + m.status()
                + "; please contact the union staff");
    }
}
