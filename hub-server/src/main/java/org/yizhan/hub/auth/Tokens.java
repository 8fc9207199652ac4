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
 * restart and every hub on the registry accepts the others' tokens. A token carries the user name ({@code sub}) and role and lasts 12 hours.
 */
public final class Tokens {

    public static final int LIFETIME_SECONDS = 12 * 3600;
    static final String KEY_FILE = "jwt.key";
    /** The key's name in the registry's secrets. */
    public static final String SECRET_NAME = "token signing key";
    private static final String ISSUER = "yizhan-hub";

    /** A token and when it expires (epoch ms). */
    public record Issued(String token, long expiresAt) {
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

    public Issued issue(Principal p) {
        long now = System.currentTimeMillis();
        String token = jwt.generateToken(new JsonObject().put("role", p.role().wireName()),
                new JWTOptions().setAlgorithm("HS256").setSubject(p.username()).setIssuer(ISSUER)
                        .setExpiresInSeconds(LIFETIME_SECONDS));
        return new Issued(token, (now / 1000 + LIFETIME_SECONDS) * 1000);
    }

    /** The principal of a valid, unexpired token; a failed future otherwise. */
    public Future<Principal> verify(String token) {
        return jwt.authenticate(new TokenCredentials(token)).compose(user -> {
            JsonObject claims = claims(user);
            String sub = claims.getString("sub");
            Optional<Role> role = Role.ofWire(claims.getString("role"));
            if (sub == null || role.isEmpty() || !ISSUER.equals(claims.getString("iss"))) {
                return Future.failedFuture("token without a user or role");
            }
            return Future.succeededFuture(new Principal(sub, role.get()));
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
