package org.yizhan.hub.members;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.ClientAddress;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Principal;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.RateLimiter;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.sms.SmsGateway;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Members:
 * <ul>
 * <li>{@code POST /api/v1/members} joins: anyone, limited per client address, under the {@link JoinPolicy}; or
 * staff with a token, active at once (409 when the phone number has a membership). A rider's join answers alike
 * whether or not the number has a membership, so that nobody learns who is a member: under {@code open} 201 with a
 * member token (a join with a number in use becomes a pending application for operators); under {@code approval}
 * 202 {@code "pending-approval"} with a member token that gets no pass until an operator approves; under
 * {@code sms} 202 {@code "code-sent"}: a one-time code goes to the phone, whoever holds it;</li>
 * <li>{@code POST /api/v1/members/verify} {@code {"phone","code"}} (anyone, limited per client address): the code
 * makes the membership, or signs the number's member in, and answers with a member token;</li>
 * <li>{@code GET /api/v1/members?status=pending&limit=100} (operator+): members newest first, each with
 * {@code phoneInUse} (another membership holds the number);</li>
 * <li>{@code GET /api/v1/members/{id}} (operator+; the phone masked for operators, left out for technicians, in
 * full for admins);</li>
 * <li>{@code POST /api/v1/members/{id}/approve} and {@code /reject} (operator+, pending members);
 * {@code /suspend} and {@code /resume} (operator+; suspending ends every member token of the member);
 * {@code /member-token} (operator+: a new token for a member who lost the phone or was suspended and resumed,
 * handed over in person).</li>
 * </ul>
 * A status change is handed to {@code statusChanged} so stations get the new revocation list.
 */
public final class MemberRoutes implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(MemberRoutes.class);
    private static final int MAX_PHONE_CHARS = 20;
    private static final int MAX_LIST = 500;

    private final MemberStore members;
    private final Authenticator auth;
    private final Replies replies;
    private final HubMetrics metrics;
    private final RateLimiter joins;
    private final RateLimiter verifies;
    private final Consumer<Member> statusChanged;
    private final AuditLog audit;
    private JoinPolicy policy = JoinPolicy.OPEN;
    private JoinCodes codes;
    private SmsGateway sms;

    public MemberRoutes(MemberStore members, Authenticator auth, Replies replies, HubMetrics metrics,
                        int joinsPerMinute, Consumer<Member> statusChanged, AuditLog audit) {
        this.members = members;
        this.auth = auth;
        this.replies = replies;
        this.metrics = metrics;
        this.joins = new RateLimiter(joinsPerMinute);
        this.verifies = new RateLimiter(joinsPerMinute);
        this.statusChanged = statusChanged;
        this.audit = audit;
    }

    /** Riders join under {@code policy}; {@code codes} and {@code sms} serve {@link JoinPolicy#SMS}. */
    public MemberRoutes joining(JoinPolicy policy, JoinCodes codes, SmsGateway sms) {
        this.policy = policy;
        this.codes = codes;
        this.sms = sms;
        return this;
    }

    @Override
    public void mount(Router router) {
        router.post("/api/v1/members").handler(replies.json(this::create));
        router.post("/api/v1/members/verify").handler(replies.json(this::verify));
        auth.json(router.get("/api/v1/members"), Role.OPERATOR, this::list);
        auth.json(router.get("/api/v1/members/:id"), Role.OPERATOR, this::show);
        auth.json(router.post("/api/v1/members/:id/approve"), Role.OPERATOR, audit.refusals("member.approve", "member"),
                ctx -> status(ctx, "approve", Member.PENDING, Member.ACTIVE));
        auth.json(router.post("/api/v1/members/:id/reject"), Role.OPERATOR, audit.refusals("member.reject", "member"),
                ctx -> status(ctx, "reject", Member.PENDING, Member.REJECTED));
        auth.json(router.post("/api/v1/members/:id/suspend"), Role.OPERATOR, audit.refusals("member.suspend", "member"),
                ctx -> status(ctx, "suspend", Member.ACTIVE, Member.SUSPENDED));
        auth.json(router.post("/api/v1/members/:id/resume"), Role.OPERATOR, audit.refusals("member.resume", "member"),
                ctx -> status(ctx, "resume", Member.SUSPENDED, Member.ACTIVE));
        auth.json(router.post("/api/v1/members/:id/member-token"), Role.OPERATOR, this::issueToken);
    }

    @Override
    public Future<Void> stop() {
        return sms == null ? Future.succeededFuture() : sms.close();
    }

    private Future<Reply> create(RoutingContext ctx) {
        Optional<String> token = Authenticator.bearer(ctx);
        if (token.isPresent()) {
            return auth.verify(token.get())
                    .recover(e -> Future.failedFuture(ApiException.of(401, "invalid-token",
                            "The token is invalid or expired; sign in again, or join without one")))
                    .compose(p -> staffJoin(Application.of(JsonBody.of(ctx)), p.username()));
        }
        limit(ctx, joins, "yizhan_member_join_rejects");
        Application a = Application.of(JsonBody.of(ctx));
        return switch (policy) {
            case OPEN -> members.apply(a.name, a.phone, a.occupation, "self", Member.ACTIVE).map(created -> {
                metrics.counter("yizhan_members_created", "policy", policy.setting());
                return Reply.created(withToken(new JsonObject(), created));
            });
            case APPROVAL -> members.apply(a.name, a.phone, a.occupation, "self", Member.PENDING).map(created -> {
                metrics.counter("yizhan_members_created", "policy", policy.setting());
                return Reply.accepted(withToken(new JsonObject().put("status", "pending-approval")
                        .put("message", "Your application waits for the union staff to approve it; your pass "
                                + "works once they have. 入会申请待工会工作人员审核，审核通过后即可使用通行码。"), created));
            });
            case SMS -> sendCode(a);
        };
    }

    /** Refuses (429, counted) when the client address asked too often; counts this request otherwise. */
    private void limit(RoutingContext ctx, RateLimiter limiter, String counter) {
        String key = ClientAddress.of(ctx);
        long now = System.currentTimeMillis();
        Optional<ApiException> limited = limiter.refusal(now, key);
        if (limited.isPresent()) {
            metrics.counter(counter, "reason", "rate-limited");
            throw limited.get();
        }
        limiter.record(key, now);
    }

    private Future<Reply> staffJoin(Application a, String createdBy) {
        return members.create(a.name, a.phone, a.occupation, createdBy).compose(created -> {
            if (created.isEmpty()) {
                return Future.failedFuture(ApiException.of(409, "member-exists",
                        "A member with this phone number exists already"));
            }
            metrics.counter("yizhan_members_created", "policy", "staff");
            return Future.succeededFuture(Reply.created(withToken(new JsonObject(), created.get())));
        });
    }

    /** The same answer whether or not the number has a membership: only the code, on the phone, tells. */
    private Future<Reply> sendCode(Application a) {
        long now = System.currentTimeMillis();
        return codes.issue(a.phone, a.name, a.occupation, now).compose(issue -> {
            if (issue instanceof JoinCodes.TooSoon t) {
                metrics.counter("yizhan_member_join_rejects", "reason", "code-resend-too-soon");
                return Future.failedFuture(ApiException.tooManyRequests("code-resend-too-soon",
                        "A code was sent to this number a short while ago; wait " + t.retryAfterSeconds()
                                + " s before asking for another", t.retryAfterSeconds()));
            }
            JoinCodes.Issued code = (JoinCodes.Issued) issue;
            return sms.send(a.phone, text(code.code())).recover(e -> codes.unsent(a.phone)
                    .transform(x -> Future.failedFuture(ApiException.of(502, "sms-failed",
                            "The code could not be sent by SMS just now; please try again in a minute"))))
                    .map(v -> {
                        metrics.counter("yizhan_member_codes_sent");
                        return Reply.accepted(new JsonObject().put("status", "code-sent")
                                .put("message", "A code is on its way to " + Member.masked(a.phone)
                                        + "; send it with the number to POST /api/v1/members/verify. "
                                        + "验证码已发送，请在 " + JoinCodes.LIFETIME.toMinutes() + " 分钟内输入。")
                                .put("phone", Member.masked(a.phone)).put("codeExpiresAt", code.expiresAt())
                                .put("resendAfter", code.resendAfter()));
                    });
        });
    }

    static String text(String code) {
        return "【驿站】您的入会验证码是 " + code + "，" + JoinCodes.LIFETIME.toMinutes() + " 分钟内有效，请勿告诉他人。"
                + " Yizhan join code: " + code + " (valid " + JoinCodes.LIFETIME.toMinutes() + " min).";
    }

    private Future<Reply> verify(RoutingContext ctx) {
        if (policy != JoinPolicy.SMS) {
            return Future.failedFuture(ApiException.of(404, "not-found",
                    "Joining is not verified by SMS on this hub (join-policy is " + policy.setting() + ")"));
        }
        limit(ctx, verifies, "yizhan_member_verify_rejects");
        JsonBody b = JsonBody.of(ctx);
        String phone = phone(b);
        String code = b.string("code", 1, 20).strip();
        if (!code.matches("\\d{" + JoinCodes.DIGITS + "}")) {
            throw ApiException.badField("code", "must be the " + JoinCodes.DIGITS + " digits sent by SMS");
        }
        return codes.check(phone, code, System.currentTimeMillis()).compose(check -> {
            if (check instanceof JoinCodes.Verified v) {
                return members.joinVerified(v.name(), phone, v.occupation()).map(created -> {
                    metrics.counter("yizhan_member_codes_verified");
                    return Reply.ok(withToken(new JsonObject(), created.orElseThrow(() -> ApiException.of(403,
                            "member-suspended", "The membership of this number is suspended; please contact the "
                                    + "union staff"))));
                });
            }
            metrics.counter("yizhan_member_verify_rejects", "reason", check.getClass().getSimpleName().toLowerCase());
            return Future.failedFuture(refusal(check));
        });
    }

    private static ApiException refusal(JoinCodes.Check check) {
        if (check instanceof JoinCodes.Expired) {
            return ApiException.of(400, "code-expired", "The code has expired (codes last "
                    + JoinCodes.LIFETIME.toMinutes() + " minutes); join again to get a new one");
        }
        if (check instanceof JoinCodes.Exhausted) {
            return ApiException.tooManyRequests("code-attempts-used-up", "The code was typed wrong "
                    + JoinCodes.MAX_ATTEMPTS + " times and no longer works; join again to get a new one",
                    JoinCodes.RESEND_INTERVAL.toSeconds());
        }
        if (check instanceof JoinCodes.Wrong w) {
            return ApiException.of(400, "code-wrong", "The code is not right; "
                    + (w.attemptsLeft() == 0 ? "it no longer works, join again to get a new one"
                    : w.attemptsLeft() + " attempt(s) left"));
        }
        return ApiException.of(400, "no-code", "No code waits for this number; join again to get one");
    }

    private static JsonObject withToken(JsonObject body, MemberStore.Created created) {
        return body.put("member", created.member().publicJson())
                .put("memberToken", created.token().token())
                .put("memberTokenExpiresAt", created.token().expiresAt());
    }

    /** A join's fields, checked, the phone number normalised. */
    private record Application(String name, String phone, String occupation) {
        static Application of(JsonBody b) {
            String name = b.string("name", 1, 50).strip();
            if (name.isEmpty() || name.codePoints().anyMatch(Character::isISOControl)) {
                throw ApiException.badField("name", "must be 1 to 50 characters without control characters");
            }
            String phone = MemberRoutes.phone(b);
            String occupation = b.string("occupation", 1, 20);
            if (!Member.OCCUPATIONS.contains(occupation)) {
                throw ApiException.badField("occupation", "must be one of " + String.join(", ", Member.OCCUPATIONS));
            }
            return new Application(name, phone, occupation);
        }
    }

    private static String phone(JsonBody b) {
        return Phones.normalise(b.string("phone", 1, MAX_PHONE_CHARS)).orElseThrow(() -> ApiException.badField("phone",
                "must be a mobile number of 11 digits starting with 1, like 13800138000 or +86 138 0013 8000"));
    }

    private Future<Reply> issueToken(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        return members.get(id).compose(m -> {
            if (m.isEmpty()) {
                return Future.failedFuture(ApiException.notFound("No such member"));
            }
            if (!m.get().active() && !m.get().pending()) {
                return Future.failedFuture(ApiException.of(409, "member-" + m.get().status(),
                        "The member is " + m.get().status() + "; resume the membership first"));
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

    private Future<Reply> list(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        QueryParams q = new QueryParams(ctx);
        Optional<String> status = q.string("status", 20);
        if (status.isPresent() && !Member.STATUSES.contains(status.get())) {
            throw ApiException.badField("status", "must be one of " + String.join(", ", Member.STATUSES));
        }
        int limit = q.intValue("limit", 1, MAX_LIST, 100);
        return members.list(status, limit).map(list -> {
            JsonArray out = new JsonArray();
            list.forEach(l -> out.add(staffView(l.member(), p.role()).put("phoneInUse", l.phoneInUse())));
            return Reply.ok(new JsonObject().put("members", out));
        });
    }

    private Future<Reply> show(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        return members.get(ctx.pathParam("id")).map(m -> Reply.ok(new JsonObject().put("member",
                staffView(m.orElseThrow(() -> ApiException.notFound("No such member")), p.role()))));
    }

    /**
     * A status change, audited as {@code member.<action>} in the transaction that makes it; a change refused or
     * not done is audited too, and one whose entry cannot be written is not made (503).
     */
    private Future<Reply> status(RoutingContext ctx, String action, String from, String to) {
        Principal p = Authenticator.principal(ctx);
        String id = ctx.pathParam("id");
        AuditEntry entry = AuditEntry.by(ctx, "member." + action, "member", id).with("from", from).with("to", to);
        return audit.failures(entry, () -> members.setStatus(id, from, to, audit.step(m -> entry)).map(change -> {
            if (change instanceof MemberStore.NotFound) {
                throw ApiException.notFound("No such member");
            }
            if (change instanceof MemberStore.Refused r) {
                throw ApiException.of(409, "member-" + r.member().status(), "The member is " + r.member().status()
                        + "; " + action + " applies to " + from + " members only");
            }
            if (change instanceof MemberStore.PhoneInUse) {
                throw ApiException.of(409, "phone-in-use", "Another membership holds this phone number; end it "
                        + "(reject it, or suspend it and talk to its holder) before approving this one");
            }
            MemberStore.Changed c = (MemberStore.Changed) change;
            if (c.changed()) {
                LOG.info("Member {}: {}, by {}", id, action, p.username());
                statusChanged.accept(c.member());
            }
            return Reply.ok(new JsonObject().put("member", staffView(c.member(), p.role())));
        }));
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
