package org.yizhan.hub.entry;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.EntryNonce;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The hub's scan-to-enter secret ({@code dataDir/entry-secret}, 32 random bytes in base64, mode 0600, created on
 * first start) and the per-station entry keys derived from it ({@link EntryNonce#stationKey}). A station gets
 * its key in its configuration and makes the kiosk's nonces with it; the hub checks them with the same key,
 * without asking the station. Keys are secrets: never logged.
 */
public final class EntryKeys {

    public static final String FILE = "entry-secret";
    private static final Logger LOG = LoggerFactory.getLogger(EntryKeys.class);

    private final byte[] secret;

    private EntryKeys(byte[] secret) {
        this.secret = secret;
    }

    /** Reads the secret, creating it when there is none (on a worker thread). */
    public static Future<EntryKeys> load(Vertx vertx, Path dataDir) {
        return vertx.executeBlocking(() -> {
            Path f = dataDir.resolve(FILE);
            if (Files.exists(f)) {
                byte[] s = Base64.getDecoder().decode(Files.readString(f, StandardCharsets.US_ASCII).strip());
                if (s.length < 32) {
                    throw new IllegalStateException(f + ": the entry secret must have 32 bytes");
                }
                return new EntryKeys(s);
            }
            byte[] s = new byte[32];
            new SecureRandom().nextBytes(s);
            Path tmp = f.resolveSibling(FILE + ".tmp");
            Files.deleteIfExists(tmp);
            if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, Base64.getEncoder().encodeToString(s), StandardCharsets.US_ASCII);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Created the scan-to-enter secret in {}", f);
            return new EntryKeys(s);
        }, false);
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
