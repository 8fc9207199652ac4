package org.yizhan.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.Secrets;
import org.yizhan.hub.http.Role;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Accounts of operators, technicians and admins in the {@code users} table; passwords only as PBKDF2 hashes.
 * Hashing runs on its own small worker pool, so a flood of logins cannot starve the registry's JDBC pool.
 */
public final class UserStore {

    public static final String ADMIN = "admin";
    public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private static final Logger LOG = LoggerFactory.getLogger(UserStore.class);

    private final Database db;
    private final WorkerExecutor hashing;
    private final int iterations;
    private volatile Passwords.Hashed decoy;

    /** A user who may sign in: the name, the role and the version of the user's tokens. */
    public record Account(String username, Role role, int tokenVersion) {
    }

    /**
     * @param hashing    the worker pool for PBKDF2 (a couple of threads)
     * @param iterations PBKDF2 iterations for new hashes; older hashes with fewer are replaced at the next login
     */
    public UserStore(Database db, WorkerExecutor hashing, int iterations) {
        this.db = db;
        this.hashing = hashing;
        this.iterations = iterations;
    }

    /**
     * Makes sure the first admin exists. With a configured password, creates the admin with it or resets the
     * admin's password to it when it differs (which ends the admin's tokens). Without one, creates the admin with a
     * generated password once and returns that password (the caller hands it over once); later starts return empty.
     * Two hubs starting at once on one registry: one creates the admin, the other finds it (and has no password).
     */
    public Future<Optional<String>> ensureAdmin(Optional<String> configuredPassword) {
        return ensureAdminOnce(configuredPassword).recover(e -> Secrets.isUniqueViolation(e)
                ? ensureAdminOnce(configuredPassword)
                : Future.failedFuture(e));
    }

    private Future<Optional<String>> ensureAdminOnce(Optional<String> configuredPassword) {
        return db.tx(c -> {
            Optional<Passwords.Hashed> existing = find(c, ADMIN).map(Stored::hashed);
            if (configuredPassword.isPresent()) {
                String pw = configuredPassword.get();
                if (existing.isEmpty()) {
                    insert(c, ADMIN, Role.ADMIN, Passwords.hash(pw, iterations));
                    LOG.info("Created user '{}' with the configured password", ADMIN);
                } else if (!Passwords.verify(pw, existing.get())) {
                    setPassword(c, ADMIN, Passwords.hash(pw, iterations));
                    Rows.update(c, "UPDATE users SET disabled = FALSE WHERE username = ?", ADMIN);
                    LOG.info("Reset the password of user '{}' to the configured one; its earlier tokens ended", ADMIN);
                }
                return Optional.<String>empty();
            }
            if (existing.isPresent()) {
                return Optional.<String>empty();
            }
            String generated = Passwords.generate();
            insert(c, ADMIN, Role.ADMIN, Passwords.hash(generated, iterations));
            LOG.info("Created user '{}' with a generated password", ADMIN);
            return Optional.of(generated);
        });
    }

    /**
     * The account when the password is right and the account enabled; empty otherwise. A right password whose hash
     * has fewer iterations than this hub's is hashed again (on the hashing pool) and stored.
     */
    public Future<Optional<Account>> verify(String username, String password) {
        return db.call(c -> find(c, username)).compose(s -> hashing.executeBlocking(() -> {
            if (s.isEmpty()) {
                Passwords.verify(password, decoy());
                return Optional.<Stored>empty();
            }
            boolean ok = Passwords.verify(password, s.get().hashed());
            return ok && !s.get().disabled() ? s : Optional.<Stored>empty();
        }, false)).compose(ok -> {
            if (ok.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            Account account = new Account(username, ok.get().role(), ok.get().tokenVersion());
            if (!Passwords.weakerThan(ok.get().hashed(), iterations)) {
                return Future.succeededFuture(Optional.of(account));
            }
            return rehash(username, password, ok.get().hashed()).map(Optional.of(account));
        });
    }

    /** Stores a stronger hash of the same password, unless the password changed meanwhile; never fails the login. */
    private Future<Void> rehash(String username, String password, Passwords.Hashed old) {
        return hashing.executeBlocking(() -> Passwords.hash(password, iterations), false)
                .compose(h -> db.call(c -> Rows.update(c,
                        "UPDATE users SET salt = ?, hash = ?, iterations = ? WHERE username = ? AND hash = ?",
                        h.salt(), h.hash(), h.iterations(), username, old.hash())))
                .map(n -> {
                    if (n == 1) {
                        LOG.info("Stored the password of user '{}' again with {} iterations (was {})", username,
                                iterations, old.iterations());
                    }
                    return (Void) null;
                })
                .recover(e -> {
                    LOG.warn("Could not store a stronger hash for user '{}': {}", username, e.getMessage());
                    return Future.succeededFuture();
                });
    }

    /**
     * Changes a user's own password when {@code current} is right; the account with its new token version (every
     * earlier token of the user ends), or empty when {@code current} is wrong or the account disabled.
     */
    public Future<Optional<Account>> changePassword(String username, String current, String next) {
        return changePassword(username, current, next, Database.Step.none());
    }

    /** As {@link #changePassword}, with {@code alongside} run in the transaction that stores the new password. */
    public Future<Optional<Account>> changePassword(String username, String current, String next,
                                                    Database.Step<Account> alongside) {
        return verify(username, current).compose(ok -> {
            if (ok.isEmpty()) {
                return Future.succeededFuture(Optional.<Account>empty());
            }
            return hashing.executeBlocking(() -> Passwords.hash(next, iterations), false)
                    .compose(h -> db.tx(c -> {
                        setPassword(c, username, h);
                        Optional<Account> changed = find(c, username)
                                .map(s -> new Account(username, s.role(), s.tokenVersion()));
                        if (changed.isPresent()) {
                            alongside.run(c, changed.get());
                        }
                        return changed;
                    }));
        });
    }

    /**
     * Changes a user's role, disabled flag or password (those given); each change ends the user's earlier tokens.
     * Empty when there is no such user, else {"username","role","createdAt","disabled"}.
     */
    public Future<Optional<JsonObject>> update(String username, Optional<Role> role, Optional<Boolean> disabled,
                                               Optional<String> password) {
        return update(username, role, disabled, password, Database.Step.none());
    }

    /** As {@link #update}, with {@code alongside} run in its transaction (given the user) when the user exists. */
    public Future<Optional<JsonObject>> update(String username, Optional<Role> role, Optional<Boolean> disabled,
                                               Optional<String> password, Database.Step<JsonObject> alongside) {
        Future<Optional<Passwords.Hashed>> hashed = password.isPresent()
                ? hashing.executeBlocking(() -> Optional.of(Passwords.hash(password.get(), iterations)), false)
                : Future.succeededFuture(Optional.empty());
        return hashed.compose(h -> db.tx(c -> {
            if (find(c, username).isEmpty()) {
                return Optional.<JsonObject>empty();
            }
            if (h.isPresent()) {
                setPassword(c, username, h.get());
            }
            if (role.isPresent()) {
                Rows.update(c, "UPDATE users SET role = ?, token_version = token_version + 1 WHERE username = ?",
                        role.get().wireName(), username);
            }
            if (disabled.isPresent()) {
                Rows.update(c, "UPDATE users SET disabled = ?, token_version = token_version + 1 WHERE username = ?",
                        disabled.get(), username);
            }
            Optional<JsonObject> updated = Rows.one(c,
                    "SELECT username, role, created_at, disabled FROM users WHERE username = ?",
                    rs -> new JsonObject().put("username", rs.getString(1)).put("role", rs.getString(2))
                            .put("createdAt", rs.getLong(3)).put("disabled", rs.getBoolean(4)), username);
            if (updated.isPresent()) {
                alongside.run(c, updated.get().copy());
            }
            return updated;
        }));
    }

    /** Creates a user; empty when the name is taken. Returns {"username","role","createdAt"}. */
    public Future<Optional<JsonObject>> create(String username, String password, Role role) {
        return create(username, password, role, Database.Step.none());
    }

    /** As {@link #create}, with {@code alongside} run in its transaction (given the user) when the user is new. */
    public Future<Optional<JsonObject>> create(String username, String password, Role role,
                                               Database.Step<JsonObject> alongside) {
        return hashing.executeBlocking(() -> Passwords.hash(password, iterations), false).compose(hashed -> db.tx(c -> {
            if (find(c, username).isPresent()) {
                return Optional.<JsonObject>empty();
            }
            long now;
            try {
                now = insert(c, username, role, hashed);
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                    return Optional.<JsonObject>empty();
                }
                throw e;
            }
            JsonObject created = new JsonObject().put("username", username).put("role", role.wireName())
                    .put("createdAt", now);
            alongside.run(c, created.copy());
            return Optional.of(created);
        }));
    }

    /** Whether an account of this name exists (enabled or not). */
    public Future<Boolean> exists(String username) {
        return db.call(c -> Rows.any(c, "SELECT 1 FROM users WHERE username = ?", username));
    }

    /** [{"username","role","createdAt","disabled"}] by name. */
    public Future<JsonArray> list() {
        return db.call(c -> {
            JsonArray out = new JsonArray();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT username, role, created_at, disabled FROM users ORDER BY username");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new JsonObject().put("username", rs.getString(1)).put("role", rs.getString(2))
                            .put("createdAt", rs.getLong(3)).put("disabled", rs.getBoolean(4)));
                }
            }
            return out;
        });
    }

    /** Verified against when the user is unknown, so a wrong name costs as much time as a wrong password. */
    private Passwords.Hashed decoy() {
        Passwords.Hashed d = decoy;
        if (d == null) {
            d = Passwords.hash(Passwords.generate(), iterations);
            decoy = d;
        }
        return d;
    }

    private record Stored(Role role, Passwords.Hashed hashed, boolean disabled, int tokenVersion) {
    }

    /** A new password hash; raises the token version, so the user's earlier tokens end. */
    private static void setPassword(Connection c, String username, Passwords.Hashed h) throws SQLException {
        Rows.update(c, "UPDATE users SET salt = ?, hash = ?, iterations = ?, token_version = token_version + 1 "
                + "WHERE username = ?", h.salt(), h.hash(), h.iterations(), username);
    }

    private static Optional<Stored> find(Connection c, String username) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT role, salt, hash, iterations, disabled, token_version FROM users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Optional<Role> role = Role.ofWire(rs.getString(1));
                if (role.isEmpty()) {
                    LOG.warn("User '{}' has an unknown role; treated as disabled", username);
                }
                return Optional.of(new Stored(role.orElse(Role.OPERATOR),
                        new Passwords.Hashed(rs.getString(2), rs.getString(3), rs.getInt(4)),
                        rs.getBoolean(5) || role.isEmpty(), rs.getInt(6)));
            }
        }
    }

    private static long insert(Connection c, String username, Role role, Passwords.Hashed h) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO users (username, role, salt, hash, iterations, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, username);
            ps.setString(2, role.wireName());
            ps.setString(3, h.salt());
            ps.setString(4, h.hash());
            ps.setInt(5, h.iterations());
            ps.setLong(6, now);
            ps.executeUpdate();
        }
        return now;
    }
}
