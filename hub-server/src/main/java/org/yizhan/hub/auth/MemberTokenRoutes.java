package org.yizhan.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.members.Member;
import org.yizhan.hub.members.MemberStore;
import org.yizhan.hub.metrics.HubMetrics;

/**
 * A member's own tokens, with the member token:
 * <ul>
 * <li>{@code GET /api/v1/members/me} → {@code {"member":{"id","pseudonym","name","occupation","status"}}}: the
 * membership and its status ({@code active} or {@code pending}, waiting for approval);</li>
 * <li>{@code GET /api/v1/members/me/tokens} → {@code {"tokens":[{"issuedAt","expiresAt","current"}]}}: the phones
 * signed in;</li>
 * <li>{@code POST /api/v1/members/me/token} → {@code {"memberToken","memberTokenExpiresAt"}}: a new token with a fresh
 * lifetime in place of this one (the pages renew theirs before it expires);</li>
 * <li>{@code POST /api/v1/members/me/sign-out} → {@code {"ended":1}}: ends this phone's token;</li>
 * <li>{@code POST /api/v1/members/me/sign-out-others} → {@code {"ended":n}}: ends every other token of the member
 * (a lost phone).</li>
 * </ul>
 * These work while the membership waits for approval too.
 */
public final class MemberTokenRoutes implements HubFeature {

    private final MemberStore members;
    private final MemberLogin memberLogin;
    private final Replies replies;
    private final HubMetrics metrics;

    public MemberTokenRoutes(MemberStore members, MemberLogin memberLogin, Replies replies, HubMetrics metrics) {
        this.members = members;
        this.memberLogin = memberLogin;
        this.replies = replies;
        this.metrics = metrics;
    }

    @Override
    public void mount(Router router) {
        router.get("/api/v1/members/me").handler(memberLogin.requireAnyStatus()).handler(replies.json(ctx ->
                Future.succeededFuture(Reply.ok(new JsonObject().put("member", MemberLogin.member(ctx).publicJson()
                        .put("status", MemberLogin.member(ctx).status()))))));
        router.get("/api/v1/members/me/tokens").handler(memberLogin.requireAnyStatus()).handler(replies.json(this::list));
        router.post("/api/v1/members/me/token").handler(memberLogin.requireAnyStatus()).handler(replies.json(this::renew));
        router.post("/api/v1/members/me/sign-out").handler(memberLogin.requireAnyStatus()).handler(replies.json(this::signOut));
        router.post("/api/v1/members/me/sign-out-others").handler(memberLogin.requireAnyStatus())
                .handler(replies.json(this::signOutOthers));
    }

    private Future<Reply> list(RoutingContext ctx) {
        Member m = MemberLogin.member(ctx);
        return members.tokens(m.id(), token(ctx)).map(list -> {
            JsonArray out = new JsonArray();
            list.forEach(t -> out.add(new JsonObject().put("issuedAt", t.issuedAt()).put("expiresAt", t.expiresAt())
                    .put("current", t.current())));
            return Reply.ok(new JsonObject().put("tokens", out));
        });
    }

    private Future<Reply> renew(RoutingContext ctx) {
        return members.renewToken(token(ctx)).map(t -> {
            MemberStore.IssuedToken issued = t.orElseThrow(() ->
                    ApiException.of(401, "invalid-token", "This member token is not known"));
            metrics.counter("yizhan_member_tokens_renewed");
            return Reply.ok(new JsonObject().put("memberToken", issued.token())
                    .put("memberTokenExpiresAt", issued.expiresAt()));
        });
    }

    private Future<Reply> signOut(RoutingContext ctx) {
        return members.endToken(token(ctx)).map(ended -> Reply.ok(new JsonObject().put("ended", ended ? 1 : 0)));
    }

    private Future<Reply> signOutOthers(RoutingContext ctx) {
        Member m = MemberLogin.member(ctx);
        return members.endOtherTokens(m.id(), token(ctx)).map(n -> {
            metrics.counter("yizhan_member_sign_outs_elsewhere");
            return Reply.ok(new JsonObject().put("ended", n));
        });
    }

    private static String token(RoutingContext ctx) {
        return Authenticator.bearer(ctx).orElseThrow();
    }
}
