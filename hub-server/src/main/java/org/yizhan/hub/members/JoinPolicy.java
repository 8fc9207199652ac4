package org.yizhan.hub.members;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How riders join by themselves ({@code join-policy}): {@code open} issues the membership and a pass at once,
 * unverified; {@code approval} makes a pending membership that an operator approves or rejects; {@code sms} sends a
 * one-time code to the phone, and only the code makes the membership.
 */
public enum JoinPolicy {
    OPEN, APPROVAL, SMS;

    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<JoinPolicy> of(String setting) {
        return Arrays.stream(values()).filter(p -> p.setting().equals(setting)).findFirst();
    }
}
