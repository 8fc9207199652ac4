package org.yizhan.hub.stations;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Station secrets: 256 random bits issued once at provisioning, stored only as a salted SHA-256.
 * A slow password hash is not needed for secrets of this strength, and it keeps a reconnect storm of
 * thousands of stations cheap for the hub.
 */
public final class StationSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the registry stores for one secret. */
    public record Hashed(String salt, String hash) {
    }

    private StationSecrets() {
    }

    /** A new secret, URL-safe base64 without padding (43 characters). */
    public static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static Hashed hash(String secret) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String s = HexFormat.of().formatHex(salt);
        return new Hashed(s, digest(s, secret));
    }

    /** Compares in constant time. */
    public static boolean verify(String secret, Hashed stored) {
        if (secret == null || secret.isEmpty() || secret.length() > 256) {
            return false;
        }
        byte[] a = digest(stored.salt(), secret).getBytes(StandardCharsets.US_ASCII);
        byte[] b = stored.hash().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(a, b);
    }

    private static String digest(String saltHex, String secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(HexFormat.of().parseHex(saltHex));
            md.update(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
