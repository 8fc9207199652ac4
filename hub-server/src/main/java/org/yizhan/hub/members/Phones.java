package org.yizhan.hub.members;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Mobile numbers as the registry keeps them: 11 digits starting with 1. Riders type them in many ways
 * ({@code +86 138 0013 8000}, {@code 0086-138-0013-8000}, {@code 86 13800138000}); all of them name one number, and
 * one number holds at most one membership.
 */
public final class Phones {

    /** A China mobile number: 11 digits starting with 1 and then 3 to 9. */
    private static final Pattern MOBILE = Pattern.compile("1[3-9]\\d{9}");
    private static final Pattern SEPARATORS = Pattern.compile("[\\s\\-().]");

    private Phones() {
    }

    /** The number as 11 digits, or empty when it is no China mobile number. */
    public static Optional<String> normalise(String typed) {
        String s = SEPARATORS.matcher(typed.strip()).replaceAll("");
        if (s.startsWith("+86")) {
            s = s.substring(3);
        } else if (s.startsWith("0086")) {
            s = s.substring(4);
        } else if (s.startsWith("86") && s.length() == 13) {
            s = s.substring(2);
        }
        return MOBILE.matcher(s).matches() ? Optional.of(s) : Optional.empty();
    }
}
