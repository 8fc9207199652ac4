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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.http.Principal;
import org.yizhan.hub.http.Role;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Bearer tokens: JWTs signed with HS256 and a key generated once and kept in {@code dataDir/jwt.key} (mode
 * 0600), so tokens survive a restart. A token carries the user name ({@code sub}) and role and lasts 12 hours.
 */
public final class Tokens {

    public static final int LIFETIME_SECONDS = 12 * 3600;
    static final String KEY_FILE = "jwt.key";
    private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);
    private static final String ISSUER = "yizhan-hub";

    /** A token and when it expires (epoch ms). */
    public record Issued(String token, long expiresAt) {
    }

    private final JWTAuth jwt;

    private Tokens(JWTAuth jwt) {
        this.jwt = jwt;
    }

    /** Reads the signing key from the data directory, creating it on first start (on a worker thread). */
    public static Future<Tokens> load(Vertx vertx, Path dataDir) {
        return vertx.executeBlocking(() -> readOrCreateKey(dataDir.resolve(KEY_FILE)), false)
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

    private static String readOrCreateKey(Path file) throws IOException {
        if (Files.exists(file)) {
            String key = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (key.length() < 32) {
                throw new IOException(file + ": signing key is too short; delete the file to make a new one");
            }
            return key;
        }
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            return readOrCreateKey(file);
        }
        Files.writeString(file, key, StandardCharsets.US_ASCII);
        LOG.info("Created a new token signing key in {}", file);
        return key;
    }
}
