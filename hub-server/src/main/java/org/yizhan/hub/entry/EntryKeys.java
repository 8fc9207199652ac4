package org.yizhan.hub.entry;

import io.vertx.core.Future;
import org.yizhan.access.EntryNonce;
import org.yizhan.hub.db.Secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The hub's scan-to-enter secret (32 random bytes, created once in the registry and shared by every hub on it) and the per-station entry keys derived from it ({@link EntryNonce#stationKey}). A station gets
 * its key in its configuration and makes the kiosk's nonces with it; the hub checks them with the same key,
 * without asking the station. Keys are secrets: never logged.
 */
public final class EntryKeys {

    public static final String FILE = "entry-secret";
    /** The secret's name in the registry's secrets. */
    public static final String SECRET_NAME = "scan-to-enter secret";

    private final byte[] secret;

    private EntryKeys(byte[] secret) {
        this.secret = secret;
    }

    /**
     * Reads the secret from the registry, shared by every hub on it. On the first start it is stored there: taken
     * from {@code dataDir/entry-secret} when an older hub left one (so stations keep their entry keys), else new.
     */
    public static Future<EntryKeys> load(Secrets secrets, Path dataDir) {
        return secrets.once(SECRET_NAME, () -> fileOrNew(dataDir.resolve(FILE))).map(stored -> {
            byte[] s = Base64.getDecoder().decode(stored);
            if (s.length < 32) {
                throw new IllegalStateException("the registry's " + SECRET_NAME + " must have 32 bytes");
            }
            return new EntryKeys(s);
        });
    }

    private static Secrets.Candidate fileOrNew(Path f) throws IOException {
        if (Files.exists(f)) {
            byte[] s = Base64.getDecoder().decode(Files.readString(f, StandardCharsets.US_ASCII).strip());
            if (s.length < 32) {
                throw new IllegalStateException(f + ": the entry secret must have 32 bytes");
            }
            return new Secrets.Candidate(Base64.getEncoder().encodeToString(s),
                    "imported from " + f + ", which is no longer read");
        }
        byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        return new Secrets.Candidate(Base64.getEncoder().encodeToString(s), "new");
    }

    /** The station's entry key in base64, as its configuration carries it. */
    public String keyFor(String stationId) {
        return Base64.getEncoder().encodeToString(EntryNonce.stationKey(secret, stationId));
    }

    /** The station's nonces. */
    public EntryNonce noncesOf(String stationId) {
        return EntryNonce.of(stationId, EntryNonce.stationKey(secret, stationId));
    }

    @Override
    public String toString() {
        return "EntryKeys[***]";
    }
}
