package org.yizhan.hub.members;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.ClientAddress;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Principal;
import org.yizhan.hub.http.RateLimiter;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Members: {@code POST /api/v1/members} joins (anyone, limited per client address; or staff with a token),
 * {@code GET /api/v1/members/{id}} (operator+; the phone masked for operators, left out for technicians, in full
 * for admins),
 * {@code POST /api/v1/members/{id}/suspend} and {@code /resume} (operator+; suspending ends every member token of
 * the member), {@code POST /api/v1/members/{id}/member-token} (operator+: a new token for a member who lost the
 * phone or was suspended and resumed, handed over in person). A status change is handed to {@code statusChanged}
 * so stations get the new revocation list.
 */
public final class MemberRoutes implements HubFeature {

    /** A China mobile number: 11 digits starting with 1. */
    private static final Pattern PHONE = Pattern.compile("1[3-9]\\d{9}");

    private final MemberStore members;
    private final Authenticator auth;
    private final Replies replies;
    private final HubMetrics metrics;
    private final RateLimiter joins;
    private final Consumer<Member> statusChanged;

    public MemberRoutes(MemberStore members, Authenticator auth, Replies replies, HubMetrics metrics,
                        int joinsPerMinute, Consumer<Member> statusChanged) {
        this.members = members;
        this.auth = auth;
        this.replies = replies;
        this.metrics = metrics;
        this.joins = new RateLimiter(joinsPerMinute);
        this.statusChanged = statusChanged;
    }

    @Override
    public void mount(Router router) {
        router.post("/api/v1/members").handler(replies.json(this::create));
        auth.json(router.get("/api/v1/members/:id"), Role.OPERATOR, this::show);
        auth.json(router.post("/api/v1/members/:id/suspend"), Role.OPERATOR, ctx -> status(ctx, Member.SUSPENDED));
        auth.json(router.post("/api/v1/members/:id/resume"), Role.OPERATOR, ctx -> status(ctx, Member.ACTIVE));
        auth.json(router.post("/api/v1/members/:id/member-token"), Role.OPERATOR, this::issueToken);
    }


    private Future<Reply> create(RoutingContext ctx) {
        Optional<String> token = Authenticator.bearer(ctx);
        if (token.isPresent()) {
            return auth.verify(token.get())
                    .recover(e -> Future.failedFuture(ApiException.of(401, "invalid-token",
                            "The token is invalid or expired; sign in again, or join without one")))
                    .compose(p -> create(ctx, p.username()));
        }
        String key = ClientAddress.of(ctx);
        long now = System.currentTimeMillis();
        Optional<ApiException> limited = joins.refusal(now, key);
        if (limited.isPresent()) {
            metrics.counter("yizhan_member_join_rejects", "reason", "rate-limited");
            return Future.failedFuture(limited.get());
        }
        joins.record(key, now);
        return create(ctx, "self");
    }

    private Future<Reply> create(RoutingContext ctx, String createdBy) {
        JsonBody b = JsonBody.of(ctx);
        String name = b.string("name", 1, 50).strip();
        if (name.isEmpty() || name.codePoints().anyMatch(Character::isISOControl)) {
            throw ApiException.badField("name", "must be 1 to 50 characters without control characters");
        }
        String phone = b.string("phone", 11, 11);
        if (!PHONE.matcher(phone).matches()) {
            throw ApiException.badField("phone", "must be a mobile number of 11 digits starting with 1, like 13800138000");
        }
        String occupation = b.string("occupation", 1, 20);
        if (!Member.OCCUPATIONS.contains(occupation)) {
            throw ApiException.badField("occupation", "must be one of " + String.join(", ", Member.OCCUPATIONS));
        }
        return members.create(name, phone, occupation, createdBy).compose(created -> {
            if (created.isEmpty()) {
                return Future.failedFuture(ApiException.of(409, "member-exists",
                        "A member with this phone number exists already"));
            }
            metrics.counter("yizhan_members_created");
            return Future.succeededFuture(Reply.created(new JsonObject()
                    .put("member", created.get().member().publicJson())
                    .put("memberToken", created.get().token().token())
                    .put("memberTokenExpiresAt", created.get().token().expiresAt())));
        });
    }

    private Future<Reply> issueToken(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return members.get(id).compose(m -> {
            if (m.isEmpty()) {
                return Future.failedFuture(ApiException.notFound("No such member"));
            }
            if (m.get().suspended()) {
                return Future.failedFuture(ApiException.of(409, "member-suspended",
                        "The member is suspended; resume the membership first"));
            }
            return members.issueToken(id).map(t -> {
                MemberStore.IssuedToken issued = t.orElseThrow(() -> ApiException.of(409, "member-suspended",
                        "The member is suspended; resume the membership first"));
                metrics.counter("yizhan_member_tokens_issued");
                return Reply.created(new JsonObject().put("memberToken", issued.token())
                        .put("memberTokenExpiresAt", issued.expiresAt()));
            });
        });
    }

    private Future<Reply> show(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        return members.get(ctx.pathParam("id")).map(m -> Reply.ok(new JsonObject().put("member",
                staffView(m.orElseThrow(() -> ApiException.notFound("No such member")), p.role()))));
    }

    private Future<Reply> status(RoutingContext ctx, String status) {
        Principal p = Authenticator.principal(ctx);
        return members.setStatus(ctx.pathParam("id"), status).map(m -> {
            Member member = m.orElseThrow(() -> ApiException.notFound("No such member"));
            statusChanged.accept(member);
            return Reply.ok(new JsonObject().put("member", staffView(member, p.role())));
        });
    }

    /** Admins see the phone in full, operators masked, technicians (who install hardware) not at all. */
    private static JsonObject staffView(Member m, Role role) {
        JsonObject j = m.staffJson(role == Role.ADMIN);
        if (role == Role.TECHNICIAN) {
            j.remove("phone");
        }
        return j;
    }
}
