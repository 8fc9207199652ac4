package org.yizhan.hub.auth;

import io.vertx.core.Future;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.http.Principal;
import org.yizhan.hub.http.Role;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Staff tokens that can be ended. A well-signed, unexpired token holds only while the registry agrees: its user
 * exists, is enabled, has the token's role and token version (a password change, disabling the user or changing
 * its role raises the version), and the token's id is not on the list of ended tokens (logout). The answer is kept
 * for {@link #CHECK_MS} per token, so a busy page costs one small query every few seconds, and an ending made on any
 * hub of the registry holds on every other within that time; on the hub that made it, at once.
 */
public final class StaffSessions {

    /** How long a token's check against the registry is trusted before it is asked again. */
    public static final long CHECK_MS = 2_000;
    private static final int MAX_CACHED = 10_000;

    private final Tokens tokens;
    private final Database db;
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    private record Checked(Optional<Principal> principal, long until) {
    }

    public StaffSessions(Tokens tokens, Database db) {
        this.tokens = tokens;
        this.db = db;
    }

    /** A new token for an account that just proved itself. */
    public Tokens.Issued issue(UserStore.Account account) {
        return tokens.issue(new Principal(account.username(), account.role()), account.tokenVersion());
    }

    /** The principal of a token that still holds; a failed future when it is bad, expired or ended. */
    public Future<Principal> verify(String token) {
        return tokens.verify(token).compose(claims -> {
            long now = System.currentTimeMillis();
            Checked c = checked.get(claims.jti());
            if (c != null && c.until() > now) {
                return answer(c);
            }
            return db.call(conn -> holds(conn, claims)).map(p -> {
                if (checked.size() >= MAX_CACHED) {
                    checked.clear();
                }
                Checked fresh = new Checked(p, Math.min(now + CHECK_MS, claims.expiresAt()));
                checked.put(claims.jti(), fresh);
                return fresh;
            }).compose(StaffSessions::answer);
        });
    }

    /** Ends one token (logout) on every hub of the registry; ended tokens are dropped from the list once expired. */
    public Future<Void> end(String token) {
        return tokens.verify(token).compose(claims -> db.tx(c -> {
            long now = System.currentTimeMillis();
            Rows.update(c, "DELETE FROM revoked_staff_tokens WHERE expires_at < ?", now);
            if (!Rows.any(c, "SELECT 1 FROM revoked_staff_tokens WHERE jti = ?", claims.jti())) {
                Rows.update(c, "INSERT INTO revoked_staff_tokens (jti, expires_at) VALUES (?, ?)", claims.jti(),
                        claims.expiresAt());
            }
            return (Void) null;
        })).onSuccess(v -> forgetChecks());
    }

    /** Forgets every kept check, so a change made on this hub holds here at once. */
    public void forgetChecks() {
        checked.clear();
    }

    private static Future<Principal> answer(Checked c) {
        return c.principal().map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture("the token has been ended"));
    }

    private record UserNow(Optional<Role> role, boolean disabled, int tokenVersion) {
    }

    private static Optional<Principal> holds(Connection c, Tokens.Claims claims) throws SQLException {
        if (Rows.any(c, "SELECT 1 FROM revoked_staff_tokens WHERE jti = ?", claims.jti())) {
            return Optional.empty();
        }
        return Rows.one(c, "SELECT role, disabled, token_version FROM users WHERE username = ?",
                        rs -> new UserNow(Role.ofWire(rs.getString(1)), rs.getBoolean(2), rs.getInt(3)),
                        claims.username())
                .filter(u -> !u.disabled() && u.tokenVersion() == claims.tokenVersion()
                        && u.role().equals(Optional.of(claims.role())))
                .map(u -> new Principal(claims.username(), claims.role()));
    }
}
