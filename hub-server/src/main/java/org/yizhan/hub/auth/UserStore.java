package org.yizhan.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.db.Database;
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

    /** @param hashing the worker pool for PBKDF2 (a couple of threads) */
    public UserStore(Database db, WorkerExecutor hashing) {
        this.db = db;
        this.hashing = hashing;
    }

    /**
     * Makes sure the first admin exists. With a configured password, creates the admin with it or resets the
     * admin's password to it when it differs. Without one, creates the admin with a generated password once and
     * returns that password (the caller shows it once); later starts return empty. Two hubs starting at once on
     * one registry: one creates the admin, the other finds it (and shows no password).
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
                    insert(c, ADMIN, Role.ADMIN, Passwords.hash(pw));
                    LOG.info("Created user '{}' with the configured password", ADMIN);
                } else if (!Passwords.verify(pw, existing.get())) {
                    Passwords.Hashed h = Passwords.hash(pw);
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE users SET salt = ?, hash = ?, iterations = ?, disabled = FALSE WHERE username = ?")) {
                        ps.setString(1, h.salt());
                        ps.setString(2, h.hash());
                        ps.setInt(3, h.iterations());
                        ps.setString(4, ADMIN);
                        ps.executeUpdate();
                    }
                    LOG.info("Reset the password of user '{}' to the configured one", ADMIN);
                }
                return Optional.<String>empty();
            }
            if (existing.isPresent()) {
                return Optional.<String>empty();
            }
            String generated = Passwords.generate();
            insert(c, ADMIN, Role.ADMIN, Passwords.hash(generated));
            LOG.info("Created user '{}' with a generated password (shown once on the console)", ADMIN);
            return Optional.of(generated);
        });
    }

    /** The user's role when the password is right and the account enabled; empty otherwise. */
    public Future<Optional<Role>> verify(String username, String password) {
        return db.call(c -> find(c, username)).compose(s -> hashing.executeBlocking(() -> {
            if (s.isEmpty()) {
                Passwords.verify(password, Decoy.HASHED);
                return Optional.<Role>empty();
            }
            boolean ok = Passwords.verify(password, s.get().hashed());
            return ok && !s.get().disabled() ? Optional.of(s.get().role()) : Optional.<Role>empty();
        }, false));
    }

    /** Creates a user; empty when the name is taken. Returns {"username","role","createdAt"}. */
    public Future<Optional<JsonObject>> create(String username, String password, Role role) {
        return hashing.executeBlocking(() -> Passwords.hash(password), false).compose(hashed -> db.tx(c -> {
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
            return Optional.of(new JsonObject().put("username", username).put("role", role.wireName())
                    .put("createdAt", now));
        }));
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
    private static final class Decoy {
        static final Passwords.Hashed HASHED = Passwords.hash(Passwords.generate());
    }

    private record Stored(Role role, Passwords.Hashed hashed, boolean disabled) {
    }

    private static Optional<Stored> find(Connection c, String username) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT role, salt, hash, iterations, disabled FROM users WHERE username = ?")) {
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
                        rs.getBoolean(5) || role.isEmpty()));
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
