package org.yizhan.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.ClientAddress;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Principal;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.Optional;

/**
 * {@code POST /api/v1/auth/login}, {@code POST /api/v1/auth/logout} (ends the token it is sent with),
 * {@code POST /api/v1/auth/password} (a user's own password; ends the user's other tokens and answers with a new
 * one), {@code GET /api/v1/auth/me}, and user accounts ({@code /api/v1/users}, admin only; {@code PATCH
 * /api/v1/users/{username}} changes the role, disables or enables, or sets the password, each ending the user's
 * tokens). Failed logins are limited as {@link LoginLimits} says. Creating and changing users, changing one's own
 * password, refused attempts at these and failed logins of known accounts are audited ({@link AuditLog}); passwords
 * and tokens never go into the audit log.
 */
public final class AuthRoutes implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(AuthRoutes.class);
    private static final int MIN_PASSWORD = 10;

    private final UserStore users;
    private final StaffSessions sessions;
    private final Authenticator auth;
    private final Replies replies;
    private final HubMetrics metrics;
    private final LoginLimits limits;
    private final AuditLog audit;

    public AuthRoutes(UserStore users, StaffSessions sessions, Authenticator auth, Replies replies, HubMetrics metrics,
                      int freeLoginFailures, AuditLog audit) {
        this.audit = audit;
        this.users = users;
        this.sessions = sessions;
        this.auth = auth;
        this.replies = replies;
        this.metrics = metrics;
        this.limits = new LoginLimits(freeLoginFailures);
    }

    @Override
    public void mount(Router router) {
        router.post("/api/v1/auth/login").handler(replies.json(this::login));
        auth.json(router.post("/api/v1/auth/logout"), Role.OPERATOR, this::logout);
        auth.json(router.post("/api/v1/auth/password"), Role.OPERATOR, this::changeOwnPassword);
        auth.json(router.get("/api/v1/auth/me"), Role.OPERATOR, ctx -> {
            Principal p = Authenticator.principal(ctx);
            return Future.succeededFuture(Reply.ok(
                    new JsonObject().put("username", p.username()).put("role", p.role().wireName())));
        });
        auth.json(router.post("/api/v1/users"), Role.ADMIN,
                audit.refusals("user.create", "user", AuthRoutes::usernameOfBody), this::createUser);
        auth.json(router.get("/api/v1/users"), Role.ADMIN,
                ctx -> users.list().map(a -> Reply.ok(new JsonObject().put("users", a))));
        auth.json(router.patch("/api/v1/users/:username"), Role.ADMIN,
                audit.refusals("user.update", "user", ctx -> ctx.pathParam("username")), this::updateUser);
    }


    private Future<Reply> login(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        String username = body.string("username", 1, 64);
        String password = body.string("password", 1, 1024);
        long now = System.currentTimeMillis();
        String address = ClientAddress.of(ctx);
        Optional<ApiException> limited = limits.refusal(address, username, now);
        if (limited.isPresent()) {
            metrics.counter("yizhan_login_rejects", "reason", "rate-limited");
            return Future.failedFuture(limited.get());
        }
        // counted before checking, so parallel guesses cannot all slip in under the limit; taken back on success
        limits.attempt(address, username, now);
        return users.verify(username, password).map(account -> {
            if (account.isEmpty()) {
                metrics.counter("yizhan_login_rejects", "reason", "bad-credentials");
                throw ApiException.of(401, "invalid-credentials", "Wrong user name or password");
            }
            limits.succeeded(address, username);
            Tokens.Issued t = sessions.issue(account.get());
            LOG.info("User '{}' signed in as {}", username, account.get().role().wireName());
            return Reply.ok(tokenJson(account.get(), t));
        }).recover(err -> err instanceof ApiException api && api.status() == 401
                ? auditFailedLogin(ctx, username).compose(v -> Future.failedFuture(err))
                : Future.failedFuture(err));
    }

    /**
     * A failed login of an account that exists is audited (the name typed is kept only then: an unknown name may be
     * a password typed in the wrong field). A failure to audit it is logged; the answer stays 401.
     */
    private Future<Void> auditFailedLogin(RoutingContext ctx, String username) {
        return users.exists(username).compose(known -> !known ? Future.<Void>succeededFuture()
                        : audit.write(AuditEntry.anonymous(ctx, username, "auth.login", "user", username)
                        .outcome(AuditEntry.REFUSED).with("code", "invalid-credentials")))
                .recover(e -> Future.succeededFuture());
    }

    private static String usernameOfBody(RoutingContext ctx) {
        return AuditEntry.bodyText(ctx, "username");
    }

    private Future<Reply> logout(RoutingContext ctx) {
        String token = Authenticator.bearer(ctx).orElseThrow();
        Principal p = Authenticator.principal(ctx);
        return sessions.end(token).map(v -> {
            LOG.info("User '{}' signed out", p.username());
            return Reply.ok(new JsonObject().put("signedOut", true));
        });
    }

    private Future<Reply> changeOwnPassword(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        String current = body.string("currentPassword", 1, 1024);
        String next = body.string("newPassword", MIN_PASSWORD, 1024);
        Principal p = Authenticator.principal(ctx);
        AuditEntry entry = AuditEntry.by(ctx, "user.password", "user", p.username());
        return audit.failures(entry, () -> users.changePassword(p.username(), current, next,
                audit.step(account -> entry)).map(account -> {
            if (account.isEmpty()) {
                throw ApiException.badField("currentPassword", "is not the current password");
            }
            sessions.forgetChecks();
            LOG.info("User '{}' changed the password; the user's earlier tokens ended", p.username());
            return Reply.ok(tokenJson(account.get(), sessions.issue(account.get())));
        }));
    }

    private Future<Reply> updateUser(RoutingContext ctx) {
        String username = ctx.pathParam("username");
        AuditEntry entry = AuditEntry.by(ctx, "user.update", "user", username);
        return audit.failures(entry, () -> updateUser(ctx, username, entry));
    }

    private Future<Reply> updateUser(RoutingContext ctx, String username, AuditEntry entry) {
        JsonBody body = JsonBody.of(ctx);
        JsonObject json = body.json();
        Optional<Role> role = Optional.empty();
        if (json.containsKey("role")) {
            String roleName = body.string("role", 1, 20);
            role = Optional.of(Role.ofWire(roleName).orElseThrow(() ->
                    ApiException.badField("role", "must be operator, technician or admin")));
        }
        Optional<Boolean> disabled = Optional.empty();
        if (json.containsKey("disabled")) {
            if (!(json.getValue("disabled") instanceof Boolean b)) {
                throw ApiException.badField("disabled", "must be true or false");
            }
            disabled = Optional.of(b);
        }
        Optional<String> password = json.containsKey("password")
                ? Optional.of(body.string("password", MIN_PASSWORD, 1024)) : Optional.empty();
        if (role.isEmpty() && disabled.isEmpty() && password.isEmpty()) {
            throw ApiException.badField("role", "give role, disabled or password to change");
        }
        Principal p = Authenticator.principal(ctx);
        if (p.username().equals(username) && (disabled.orElse(false) || role.filter(r -> r != Role.ADMIN).isPresent())) {
            throw ApiException.of(409, "own-account", "An admin may not disable or demote the account it is signed in "
                    + "with; another admin can");
        }
        Optional<Role> newRole = role;
        Optional<Boolean> newDisabled = disabled;
        AuditEntry done = entry.with("role", role.map(Role::wireName).orElse(null)).with("disabled", disabled.orElse(null))
                .with("passwordReset", password.isPresent() ? true : null);
        return users.update(username, role, disabled, password, audit.step(u -> done)).map(updated -> {
            JsonObject u = updated.orElseThrow(() -> ApiException.notFound("No user named '" + username + "'"));
            sessions.forgetChecks();
            LOG.info("User '{}' changed user '{}'{}{}{}; its earlier tokens ended", p.username(), username,
                    newRole.map(r -> ": role " + r.wireName()).orElse(""),
                    newDisabled.map(d -> d ? ", disabled" : ", enabled").orElse(""),
                    password.isPresent() ? ", new password" : "");
            return Reply.ok(u);
        });
    }

    private static JsonObject tokenJson(UserStore.Account account, Tokens.Issued t) {
        return new JsonObject().put("token", t.token()).put("role", account.role().wireName())
                .put("username", account.username()).put("expiresAt", t.expiresAt());
    }

    private Future<Reply> createUser(RoutingContext ctx) {
        AuditEntry entry = AuditEntry.by(ctx, "user.create", "user", usernameOfBody(ctx));
        return audit.failures(entry, () -> createUser(ctx, entry));
    }

    private Future<Reply> createUser(RoutingContext ctx, AuditEntry entry) {
        JsonBody body = JsonBody.of(ctx);
        String username = body.string("username", 1, 64);
        if (!UserStore.USERNAME.matcher(username).matches()) {
            throw ApiException.badField("username", "use 1 to 64 of A-Z, a-z, 0-9 and . _ @ -");
        }
        String password = body.string("password", MIN_PASSWORD, 1024);
        String roleName = body.string("role", 1, 20);
        Role role = Role.ofWire(roleName).orElseThrow(() ->
                ApiException.badField("role", "must be operator, technician or admin"));
        return users.create(username, password, role, audit.step(u -> entry.with("role", role.wireName())))
                .map(created -> {
                    JsonObject u = created.orElseThrow(() ->
                            ApiException.of(409, "user-exists", "A user named '" + username + "' exists already"));
                    LOG.info("User '{}' created user '{}' as {}", Authenticator.principal(ctx).username(), username,
                            role.wireName());
                    return Reply.created(u);
                });
    }
}
