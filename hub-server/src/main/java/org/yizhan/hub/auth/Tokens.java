package org.yizhan.hub.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.yizhan.hub.db.Secrets;
import org.yizhan.hub.http.Principal;
import org.yizhan.hub.http.Role;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Bearer tokens: JWTs signed with HS256 and a key generated once and kept in the registry, so tokens survive a
 * restart and every hub on the registry accepts the others' tokens. A token carries the user name ({@code sub}), the
 * role, its own id ({@code jti}, to end it alone) and the user's token version ({@code tv}, to end all of the user's
 * tokens at once), and lasts 12 hours. Whether a well-signed token still holds is {@link StaffSessions}' question.
 */
public final class Tokens {

    public static final int LIFETIME_SECONDS = 12 * 3600;
    static final String KEY_FILE = "jwt.key";
    /** The key's name in the registry's secrets. */
    public static final String SECRET_NAME = "token signing key";
    private static final String ISSUER = "yizhan-hub";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token and when it expires (epoch ms). */
    public record Issued(String token, long expiresAt) {
    }

    /** What a well-signed, unexpired token says: its user, role, id, the user's token version, expiry (epoch ms). */
    public record Claims(String username, Role role, String jti, int tokenVersion, long expiresAt) {
    }

    private final JWTAuth jwt;

    private Tokens(JWTAuth jwt) {
        this.jwt = jwt;
    }

    /**
     * Reads the signing key from the registry, shared by every hub on it. On the first start it is stored there:
     * taken from {@code dataDir/jwt.key} when an older hub left one (so tokens it issued stay valid), else new.
     */
    public static Future<Tokens> load(Vertx vertx, Secrets secrets, Path dataDir) {
        return secrets.once(SECRET_NAME, () -> fileOrNew(dataDir.resolve(KEY_FILE)))
                .map(key -> new Tokens(JWTAuth.create(vertx, new JWTAuthOptions()
                        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(key))
                        .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setLeeway(5)))));
    }

    public Issued issue(Principal p, int tokenVersion) {
        long now = System.currentTimeMillis();
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        String jti = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        String token = jwt.generateToken(new JsonObject().put("role", p.role().wireName()).put("jti", jti)
                        .put("tv", tokenVersion),
                new JWTOptions().setAlgorithm("HS256").setSubject(p.username()).setIssuer(ISSUER)
                        .setExpiresInSeconds(LIFETIME_SECONDS));
        return new Issued(token, (now / 1000 + LIFETIME_SECONDS) * 1000);
    }

    /**
     * The claims of a well-signed, unexpired token; a failed future otherwise, also for a token without an id or
     * version (issued by a hub from before tokens could be ended: it must be signed in again).
     */
    public Future<Claims> verify(String token) {
        return jwt.authenticate(new TokenCredentials(token)).compose(user -> {
            JsonObject claims = claims(user);
            String sub = claims.getString("sub");
            Optional<Role> role = Role.ofWire(claims.getString("role"));
            Object jti = claims.getValue("jti");
            Object tv = claims.getValue("tv");
            Object exp = claims.getValue("exp");
            if (sub == null || role.isEmpty() || !ISSUER.equals(claims.getString("iss"))
                    || !(jti instanceof String) || !(tv instanceof Number) || !(exp instanceof Number)) {
                return Future.failedFuture("token without a user, role, id or version");
            }
            return Future.succeededFuture(new Claims(sub, role.get(), (String) jti, ((Number) tv).intValue(),
                    ((Number) exp).longValue() * 1000));
        });
    }

    private static JsonObject claims(User user) {
        JsonObject access = user.attributes().getJsonObject("accessToken");
        return access != null ? access : user.principal();
    }

    /** The key in a data directory from before the registry kept it, for the first start after the upgrade. */
    private static Secrets.Candidate fileOrNew(Path file) throws IOException {
        if (Files.exists(file)) {
            String key = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (key.length() < 32) {
                throw new IOException(file + ": signing key is too short; delete the file to make a new one");
            }
            return new Secrets.Candidate(key, "imported from " + file + ", which is no longer read");
        }
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return new Secrets.Candidate(Base64.getUrlEncoder().withoutPadding().encodeToString(b), "new");
    }
}
