package org.yizhan.hub.passes;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * The hub's Ed25519 keys for signing rider passes, kept in {@code dataDir/pass-keys.json} (mode 0600; created
 * on first start). Each key has a key id (kid, 0..65535) that passes carry. {@link #rotate} makes a new current
 * key; the previous public keys stay published (in station configurations) for {@link #RETIRED_KEPT_MILLIS},
 * so stations that have not yet heard of the new key keep accepting passes, and stations that have keep
 * accepting passes signed just before the rotation.
 */
public final class PassKeyring {

    public static final String FILE = "pass-keys.json";
    public static final long RETIRED_KEPT_MILLIS = 7L * 24 * 3600 * 1000;
    private static final Logger LOG = LoggerFactory.getLogger(PassKeyring.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Key(int kid, String publicKey, String privateKey, long createdAt, long retiredAt) {
        JsonObject toJson() {
            return new JsonObject().put("kid", kid).put("publicKey", publicKey).put("privateKey", privateKey)
                    .put("createdAt", createdAt).put("retiredAt", retiredAt);
        }

        static Key of(JsonObject o) {
            return new Key(o.getInteger("kid"), o.getString("publicKey"), o.getString("privateKey"),
                    o.getLong("createdAt"), o.getLong("retiredAt", 0L));
        }
    }

    /** The current signing key: its id and private half. */
    public record Signer(int kid, PrivateKey key) {
    }

    private final Path file;
    private volatile List<Key> keys;
    private volatile Signer signer;

    private PassKeyring(Path file, List<Key> keys) throws GeneralSecurityException {
        this.file = file;
        use(keys);
    }

    /** Reads the keys, creating the first one when there is none (on a worker thread). */
    public static Future<PassKeyring> load(Vertx vertx, Path dataDir) {
        return vertx.executeBlocking(() -> {
            Path f = dataDir.resolve(FILE);
            if (Files.exists(f)) {
                JsonArray a = new JsonObject(Files.readString(f, StandardCharsets.UTF_8)).getJsonArray("keys");
                List<Key> list = new ArrayList<>();
                a.forEach(o -> list.add(Key.of((JsonObject) o)));
                return new PassKeyring(f, list);
            }
            List<Key> first = List.of(newKey(1, System.currentTimeMillis()));
            write(f, first);
            LOG.info("Created the pass signing key 1 in {}", f);
            return new PassKeyring(f, first);
        }, false);
    }

    public Signer signer() {
        return signer;
    }

    /** The public keys stations must know: the current one and those retired less than a week ago. */
    public List<StationConfig.HubKey> published() {
        long now = System.currentTimeMillis();
        return keys.stream().filter(k -> k.retiredAt == 0 || now - k.retiredAt < RETIRED_KEPT_MILLIS)
                .sorted(Comparator.comparingInt(Key::kid))
                .map(k -> new StationConfig.HubKey(k.kid, k.publicKey)).toList();
    }

    /** Makes a new current key and retires the old one; completes with the new kid. */
    public Future<Integer> rotate(Vertx vertx) {
        return vertx.executeBlocking(() -> {
            synchronized (this) {
                long now = System.currentTimeMillis();
                int kid = (signer.kid() + 1) % 65536;
                List<Key> next = new ArrayList<>();
                for (Key k : keys) {
                    if (k.kid == kid) {
                        continue;
                    }
                    Key retired = k.retiredAt == 0 ? new Key(k.kid, k.publicKey, k.privateKey, k.createdAt, now) : k;
                    if (now - retired.retiredAt < RETIRED_KEPT_MILLIS) {
                        next.add(retired);
                    }
                }
                next.add(newKey(kid, now));
                write(file, next);
                use(next);
                LOG.info("Pass signing key rotated to {}", kid);
                return kid;
            }
        }, true);
    }

    private void use(List<Key> list) throws GeneralSecurityException {
        Key current = list.stream().filter(k -> k.retiredAt == 0).max(Comparator.comparingLong(Key::createdAt))
                .orElseThrow(() -> new GeneralSecurityException(file + ": no current pass signing key"));
        PrivateKey pk = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(current.privateKey)));
        keys = List.copyOf(list);
        signer = new Signer(current.kid, pk);
    }

    private static Key newKey(int kid, long now) throws GeneralSecurityException {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        return new Key(kid, Ed25519.rawBase64(kp.getPublic()),
                Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded()), now, 0);
    }

    private static void write(Path f, List<Key> list) throws IOException {
        JsonArray a = new JsonArray();
        list.forEach(k -> a.add(k.toJson()));
        Files.createDirectories(f.toAbsolutePath().getParent());
        Path tmp = f.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, new JsonObject().put("keys", a).encodePrettily(), StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Signs a pass for the member for the 30 s slot of {@code now}. */
    public RiderPass sign(byte[] memberId, long now) throws GeneralSecurityException {
        Signer s = signer;
        return RiderPass.sign(s.kid(), memberId, RiderPass.slotOf(now), RANDOM.nextInt(), s.key());
    }
}
