package org.yizhan.hub.passes;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.Secrets;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub's Ed25519 keys for signing rider passes, kept in the registry ({@code pass_keys}) and shared by every
 * hub on it. Each key has a key id (kid, 0..65535) that passes carry, and signs from its {@code active_from} on:
 * the newest active key signs. {@link #rotateIfDue} adds the next key ahead of time (published to stations at
 * once, signing only after a lead time, so stations have it before the first pass it signs); a key that a newer
 * one replaced stays published for {@link #RETIRED_KEPT_MILLIS} (passes it signed, and stations' clocks, are
 * long past by then) and is then dropped. Every change bumps every station's configuration version, so the
 * stations receive the new set of public keys in their configuration, as they receive it at provisioning.
 *
 * <p>On the first start after the upgrade the keys of {@code dataDir/pass-keys.json} are imported (the file is
 * left in place and no longer read), so stations' keys and issued passes stay valid.
 */
public final class PassKeyring {

    public static final String FILE = "pass-keys.json";
    public static final long RETIRED_KEPT_MILLIS = 7L * 24 * 3600 * 1000;
    /** How long a new key is published before it signs; shorter when the rotation period is short. */
    public static final long ACTIVATION_LEAD_MILLIS = 24L * 3600 * 1000;
    private static final Logger LOG = LoggerFactory.getLogger(PassKeyring.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "kid, public_key, private_key, created_at, active_from";

    private record Key(int kid, String publicKey, String privateKey, long createdAt, long activeFrom) {
    }

    /** The current signing key: its id and private half. */
    public record Signer(int kid, PrivateKey key) {
    }

    private final Database db;
    private final Map<Integer, PrivateKey> privateKeys = new ConcurrentHashMap<>();
    private volatile List<Key> keys;

    private PassKeyring(Database db, List<Key> keys) {
        this.db = db;
        this.keys = keys;
    }

    /**
     * Reads the keys from the registry. When it has none: imports {@code dataDir/pass-keys.json} if an older hub
     * left it, else creates key 1; when another hub stores its keys first, those are used.
     */
    public static Future<PassKeyring> load(Database db, Path dataDir) {
        return db.call(PassKeyring::readAll).compose(found -> {
            if (!found.isEmpty()) {
                return Future.succeededFuture(found);
            }
            return db.tx(c -> {
                List<Key> first = fileOrNew(dataDir.resolve(FILE));
                for (Key k : first) {
                    insert(c, k);
                }
                return first;
            }).recover(e -> Secrets.isUniqueViolation(e)
                    ? db.call(PassKeyring::readAll)
                    : Future.failedFuture(e));
        }).map(list -> {
            LOG.info("Pass signing keys {}", list.stream().map(Key::kid).toList());
            return new PassKeyring(db, list);
        });
    }

    private static List<Key> fileOrNew(Path f) throws Exception {
        long now = System.currentTimeMillis();
        if (!Files.exists(f)) {
            LOG.info("Created the pass signing key 1 in the registry");
            return List.of(newKey(1, now, now));
        }
        JsonArray a = new JsonObject(Files.readString(f, StandardCharsets.UTF_8)).getJsonArray("keys");
        List<Key> list = new ArrayList<>();
        for (Object o : a) {
            JsonObject k = (JsonObject) o;
            // a key the file marked retired became inactive when its successor (created later) became active
            list.add(new Key(k.getInteger("kid"), k.getString("publicKey"), k.getString("privateKey"),
                    k.getLong("createdAt"), k.getLong("createdAt")));
        }
        if (list.isEmpty()) {
            throw new IllegalStateException(f + ": no pass signing key in it");
        }
        LOG.info("Imported pass signing keys {} from {} into the registry; the file is no longer read",
                list.stream().map(Key::kid).toList(), f);
        return list;
    }

    /** Reads the keys again (another hub may have rotated them); completes with whether they changed. */
    public Future<Boolean> reload() {
        return db.call(PassKeyring::readAll).map(list -> {
            boolean changed = !list.equals(keys);
            if (changed && !list.isEmpty()) {
                keys = list;
                LOG.info("Pass signing keys now {}", list.stream().map(Key::kid).toList());
            }
            return changed && !list.isEmpty();
        });
    }

    /** The key that signs at {@code now}: the newest one active by then (the oldest if none is yet). */
    private Key signing(long now) {
        List<Key> list = keys;
        return list.stream().filter(k -> k.activeFrom <= now).max(ORDER).orElse(list.get(0));
    }

    private static final Comparator<Key> ORDER = Comparator.comparingLong(Key::activeFrom).thenComparingInt(Key::kid);

    public Signer signer() {
        Key k = signing(System.currentTimeMillis());
        return new Signer(k.kid, privateKey(k));
    }

    private PrivateKey privateKey(Key k) {
        return privateKeys.computeIfAbsent(k.kid, kid -> {
            try {
                return KeyFactory.getInstance("Ed25519")
                        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(k.privateKey)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("pass signing key " + kid + " cannot be read", e);
            }
        });
    }

    /**
     * The public keys stations must know: the signing one, those not signing yet, and those replaced less than
     * {@link #RETIRED_KEPT_MILLIS} ago.
     */
    public List<StationConfig.HubKey> published() {
        long now = System.currentTimeMillis();
        List<Key> list = keys;
        return list.stream().filter(k -> !droppable(list, k, now, now))
                .sorted(Comparator.comparingInt(Key::kid))
                .map(k -> new StationConfig.HubKey(k.kid, k.publicKey)).toList();
    }

    /** Whether a newer key has been active (by {@code realNow}) since more than the kept time before {@code now}. */
    private static boolean droppable(List<Key> list, Key k, long now, long realNow) {
        return list.stream().filter(n -> n.activeFrom > k.activeFrom && n.activeFrom <= realNow)
                .anyMatch(n -> n.activeFrom + RETIRED_KEPT_MILLIS <= now);
    }

    /**
     * Judged at {@code now} (a test may move it on): drops keys replaced more than {@link #RETIRED_KEPT_MILLIS}
     * ago, and when the newest key is due for replacement ({@code rotationMillis} after it became active, less
     * the lead), adds the next one, active {@code leadMillis} from the real time. Race-safe across hubs: the
     * next kid is inserted once, by whichever hub gets there first. Bumps every station's configuration version
     * when the keys changed. Completes with whether this call changed them.
     */
    public Future<Boolean> rotateIfDue(long now, long rotationMillis, long leadMillis) {
        long realNow = System.currentTimeMillis();
        return db.tx(c -> {
            List<Key> list = readAll(c);
            if (list.isEmpty()) {
                return false;
            }
            boolean changed = false;
            for (Key k : list) {
                if (droppable(list, k, now, realNow)) {
                    Rows.update(c, "DELETE FROM pass_keys WHERE kid = ?", k.kid);
                    LOG.info("Pass signing key {} dropped: replaced more than {} days ago", k.kid,
                            RETIRED_KEPT_MILLIS / 86_400_000);
                    changed = true;
                }
            }
            Key newest = list.stream().max(ORDER).orElseThrow();
            if (newest.activeFrom + rotationMillis - leadMillis <= now) {
                int kid = (list.stream().mapToInt(Key::kid).max().orElse(0) + 1) % 65536;
                insert(c, newKey(kid, realNow, realNow + leadMillis));
                LOG.info("Pass signing key {} added; it signs from {} ms from now", kid, leadMillis);
                changed = true;
            }
            if (changed) {
                Rows.update(c, "UPDATE stations SET config_version = config_version + 1");
            }
            return changed;
        }).recover(e -> Secrets.isUniqueViolation(e) ? Future.succeededFuture(false) : Future.failedFuture(e))
                .compose(changed -> reload().map(r -> changed));
    }

    /** The lead before a new key signs: a day, or half the rotation period when that is shorter. */
    public static long leadFor(long rotationMillis) {
        return Math.min(ACTIVATION_LEAD_MILLIS, rotationMillis / 2);
    }

    private static List<Key> readAll(Connection c) throws SQLException {
        return Rows.list(c, "SELECT " + COLUMNS + " FROM pass_keys ORDER BY active_from, kid",
                rs -> new Key(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)));
    }

    private static void insert(Connection c, Key k) throws SQLException {
        Rows.update(c, "INSERT INTO pass_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)", k.kid, k.publicKey,
                k.privateKey, k.createdAt, k.activeFrom);
    }

    private static Key newKey(int kid, long now, long activeFrom) throws GeneralSecurityException {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        return new Key(kid, Ed25519.rawBase64(kp.getPublic()),
                Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded()), now, activeFrom);
    }

    /** Signs a pass for the member for the 30 s slot of {@code now}. */
    public RiderPass sign(byte[] memberId, long now) throws GeneralSecurityException {
        Signer s = signer();
        return RiderPass.sign(s.kid(), memberId, RiderPass.slotOf(now), RANDOM.nextInt(), s.key());
    }

    /** The kids in the registry as last read, oldest first (for tests and the log). */
    public List<Integer> kids() {
        return keys.stream().map(Key::kid).toList();
    }

    @Override
    public String toString() {
        return "PassKeyring" + kids();
    }

}
