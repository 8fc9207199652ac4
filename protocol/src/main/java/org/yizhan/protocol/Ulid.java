package org.yizhan.protocol;

import java.security.SecureRandom;

/**
 * ULIDs: 48 bits of milliseconds and 80 random bits in 26 Crockford base32 characters, so ids sort by
 * creation time. Ids made within the same millisecond by one process increase monotonically.
 */
public final class Ulid {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final String ALPHABET_STRING = new String(ALPHABET);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long MAX_MILLIS = (1L << 48) - 1;
    private static long lastMillis = -1;
    private static long randHi;
    private static long randLo;

    private Ulid() {
    }

    public static String next() {
        return next(System.currentTimeMillis());
    }

    /**
     * An id for the given time; ids made for the same millisecond increase monotonically.
     *
     * @throws IllegalArgumentException when {@code millis} is negative or does not fit in 48 bits
     */
    public static synchronized String next(long millis) {
        if (millis < 0 || millis > MAX_MILLIS) {
            throw new IllegalArgumentException("ULID time must be 0 to " + MAX_MILLIS + " ms, was " + millis);
        }
        if (millis == lastMillis) {
            randLo = (randLo + 1) & 0xFF_FFFF_FFFFL;
            if (randLo == 0) {
                randHi = (randHi + 1) & 0xFF_FFFF_FFFFL;
            }
        } else {
            lastMillis = millis;
            randHi = RANDOM.nextLong() & 0xFF_FFFF_FFFFL;
            randLo = RANDOM.nextLong() & 0xFF_FFFF_FFFFL;
        }
        char[] out = new char[26];
        long t = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (t & 31)];
            t >>>= 5;
        }
        long hi = randHi;
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        long lo = randLo;
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }

    public static boolean isValid(String s) {
        if (s == null || s.length() != 26 || s.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < 26; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O'
                    && c != 'U');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The creation time encoded in a ULID.
     *
     * @throws IllegalArgumentException when {@code ulid} is not a valid ULID
     */
    public static long timestamp(String ulid) {
        if (!isValid(ulid)) {
            throw new IllegalArgumentException("not a ULID: " + ulid);
        }
        long t = 0;
        for (int i = 0; i < 10; i++) {
            t = (t << 5) | ALPHABET_STRING.indexOf(ulid.charAt(i));
        }
        return t;
    }
}
