package org.yizhan.hub.stations;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * Claim codes: 10 symbols from an alphabet of 32 without the look-alikes 0, O, 1 and I (50 random bits),
 * shown as {@code XXXXX-XXXXX}. Accepted with or without the dash or spaces and in any case.
 */
public final class ClaimCodes {

    public static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    public static final int LENGTH = 10;
    public static final long LIFETIME_MS = 24L * 3600 * 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClaimCodes() {
    }

    /** A new code in its stored form (10 symbols, no dash). */
    public static String generate() {
        StringBuilder sb = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** The stored form of what a person typed, or empty when it cannot be a code. */
    public static Optional<String> normalize(String typed) {
        StringBuilder sb = new StringBuilder(LENGTH);
        for (char ch : typed.toUpperCase(Locale.ROOT).toCharArray()) {
            if (ch == '-' || ch == ' ') {
                continue;
            }
            if (ALPHABET.indexOf(ch) < 0 || sb.length() == LENGTH) {
                return Optional.empty();
            }
            sb.append(ch);
        }
        return sb.length() == LENGTH ? Optional.of(sb.toString()) : Optional.empty();
    }

    /** The form shown to people: {@code XXXXX-XXXXX}. */
    public static String display(String stored) {
        return stored.substring(0, 5) + "-" + stored.substring(5);
    }
}
