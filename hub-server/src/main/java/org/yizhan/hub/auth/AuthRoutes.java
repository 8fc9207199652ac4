package org.yizhan.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /api/v1/auth/login}, {@code GET /api/v1/auth/me}, and user accounts ({@code /api/v1/users},
 * admin only). Failed logins are limited per client address and per user name; at the limit every login
 * from that address or for that name gets 429 with Retry-After until the window moves on. Logins being checked
 * count as failures until they succeed, so parallel guessing gets no more tries.
 */
public final class AuthRoutes implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(AuthRoutes.class);

    private final UserStore users;
    private final Tokens tokens;
    private final Authenticator auth;
    private final Replies replies;
    private final HubMetrics metrics;
    private final RateLimiter failures;

    public AuthRoutes(UserStore users, Tokens tokens, Authenticator auth, Replies replies, HubMetrics metrics,
                      int attemptsPerMinute) {
        this.users = users;
        this.tokens = tokens;
        this.auth = auth;
        this.replies = replies;
        this.metrics = metrics;
        this.failures = new RateLimiter(attemptsPerMinute);
    }

    @Override
    public void mount(Router router) {
        router.post("/api/v1/auth/login").handler(replies.json(this::login));
        auth.json(router.get("/api/v1/auth/me"), Role.OPERATOR, ctx -> {
            Principal p = Authenticator.principal(ctx);
            return Future.succeededFuture(Reply.ok(
                    new JsonObject().put("username", p.username()).put("role", p.role().wireName())));
        });
        auth.json(router.post("/api/v1/users"), Role.ADMIN, this::createUser);
        auth.json(router.get("/api/v1/users"), Role.ADMIN,
                ctx -> users.list().map(a -> Reply.ok(new JsonObject().put("users", a))));
    }


    private Future<Reply> login(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        String username = body.string("username", 1, 64);
        String password = body.string("password", 1, 1024);
        long now = System.currentTimeMillis();
        String addressKey = "addr:" + ClientAddress.of(ctx);
        String userKey = "user:" + username.toLowerCase(Locale.ROOT);
        Optional<ApiException> limited = failures.refusal(now, addressKey, userKey);
        if (limited.isPresent()) {
            metrics.counter("yizhan_login_rejects", "reason", "rate-limited");
            return Future.failedFuture(limited.get());
        }
        // counted before checking, so parallel guesses cannot all slip in under the limit; taken back on success
        failures.record(addressKey, now);
        failures.record(userKey, now);
        return users.verify(username, password).map(role -> {
            if (role.isEmpty()) {
                metrics.counter("yizhan_login_rejects", "reason", "bad-credentials");
                throw ApiException.of(401, "invalid-credentials", "Wrong user name or password");
            }
            failures.forgive(addressKey);
            failures.forgive(userKey);
            Principal p = new Principal(username, role.get());
            Tokens.Issued t = tokens.issue(p);
            LOG.info("User '{}' signed in as {}", username, p.role().wireName());
            return Reply.ok(new JsonObject().put("token", t.token()).put("role", p.role().wireName())
                    .put("username", username).put("expiresAt", t.expiresAt()));
        });
    }

    private Future<Reply> createUser(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        String username = body.string("username", 1, 64);
        if (!UserStore.USERNAME.matcher(username).matches()) {
            throw ApiException.badField("username", "use 1 to 64 of A-Z, a-z, 0-9 and . _ @ -");
        }
        String password = body.string("password", 10, 1024);
        String roleName = body.string("role", 1, 20);
        Role role = Role.ofWire(roleName).orElseThrow(() ->
                ApiException.badField("role", "must be operator, technician or admin"));
        return users.create(username, password, role).map(created -> {
            JsonObject u = created.orElseThrow(() ->
                    ApiException.of(409, "user-exists", "A user named '" + username + "' exists already"));
            LOG.info("User '{}' created user '{}' as {}", Authenticator.principal(ctx).username(), username,
                    role.wireName());
            return Reply.created(u);
        });
    }
}
