package org.yizhan.hub.auth;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Password hashing with PBKDF2-HMAC-SHA256 and a random 128-bit salt. Slow on purpose: call it on a worker
 * thread, never on an event loop. Each stored hash keeps its iteration count, so hashes made with fewer iterations
 * stay verifiable; {@link #weakerThan} tells the caller to hash again with the current count on the next login.
 */
public final class Passwords {

    /** OWASP's figure for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet, 2023 on): the default. */
    public static final int OWASP_ITERATIONS = 600_000;
    /** The fewest iterations a hub may be set to (the {@code password-iterations} setting). */
    public static final int MIN_ITERATIONS = 1_000;
    private static final int KEY_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /** What the users table stores for one password. */
    public record Hashed(String salt, String hash, int iterations) {
    }

    private Passwords() {
    }

    public static Hashed hash(String password, int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("iterations: at least " + MIN_ITERATIONS);
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String s = HexFormat.of().formatHex(salt);
        return new Hashed(s, derive(password, s, iterations), iterations);
    }

    /** True when the stored hash was made with fewer iterations than {@code iterations}: hash it again. */
    public static boolean weakerThan(Hashed stored, int iterations) {
        return stored.iterations() < iterations;
    }

    /** Compares in constant time. */
    public static boolean verify(String password, Hashed stored) {
        byte[] a = HexFormat.of().parseHex(derive(password, stored.salt(), stored.iterations()));
        byte[] b = HexFormat.of().parseHex(stored.hash());
        return MessageDigest.isEqual(a, b);
    }

    /** A random password of 20 characters from an alphabet without look-alikes (about 116 bits). */
    public static String generate() {
        StringBuilder sb = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    private static String derive(String password, String saltHex, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), HexFormat.of().parseHex(saltHex), iterations, KEY_BITS);
        try {
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            return HexFormat.of().formatHex(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }
}
