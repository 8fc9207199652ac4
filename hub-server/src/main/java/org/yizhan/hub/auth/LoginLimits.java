package org.yizhan.hub.auth;

import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Backoff;

import java.util.Locale;
import java.util.Optional;

/**
 * How staff logins are limited, so guessing is slow and a flood of bad passwords for one account cannot keep its
 * owner out:
 * <ul>
 * <li>per client address: the first {@code free} failures are free, then the address waits 1 s after its next
 * failure, 2 s after the one after, doubling up to 5 minutes;</li>
 * <li>per account: once the account has {@code free} failures from anywhere, it is under attack, and every address
 * that fails for it waits without free tries: 1 s after its first failure for that account, doubling up to 5
 * minutes. An address without a failure for the account is never held back by the account's failures, so the
 * owner signing in from elsewhere with the right password gets in at once, and a typo of theirs costs 1 s;</li>
 * <li>a key (address, account, or the pair) without a failure for an hour starts afresh.</li>
 * </ul>
 * An attempt counts as a failure from the moment it arrives until it succeeds, so parallel guesses get no more
 * tries. A refused attempt is not checked at all, not even a right password, and is not counted.
 */
public final class LoginLimits {

    static final long FIRST_DELAY_MS = 1_000;
    static final long MAX_DELAY_MS = 5 * 60_000;
    static final long FORGET_AFTER_MS = 60 * 60_000;

    private final int free;
    private final Backoff backoff = new Backoff(FIRST_DELAY_MS, MAX_DELAY_MS, FORGET_AFTER_MS);

    /** @param free failures per address, and per account before it counts as under attack, that cost no delay */
    public LoginLimits(int free) {
        if (free < 1) {
            throw new IllegalArgumentException("free: at least 1");
        }
        this.free = free;
    }

    /** The 429 (with Retry-After) for a login from {@code address} as {@code username} at {@code now}, if refused. */
    public synchronized Optional<ApiException> refusal(String address, String username, long now) {
        long wait = backoff.waitMs(addressKey(address), now, free);
        if (backoff.failures(accountKey(username), now) >= free) {
            wait = Math.max(wait, backoff.waitMs(pairKey(address, username), now, 0));
        }
        return wait > 0 ? Optional.of(ApiException.tooManyRequests((wait + 999) / 1000)) : Optional.empty();
    }

    /** Counts an attempt as a failure until {@link #succeeded} takes it back. */
    public synchronized void attempt(String address, String username, long now) {
        backoff.fail(addressKey(address), now);
        backoff.fail(accountKey(username), now);
        backoff.fail(pairKey(address, username), now);
    }

    /** The attempt was right: it is not a failure, and this address's failures for the account are forgotten. */
    public synchronized void succeeded(String address, String username) {
        backoff.forgive(addressKey(address));
        backoff.forgive(accountKey(username));
        backoff.clear(pairKey(address, username));
    }

    private static String addressKey(String address) {
        return "a " + address;
    }

    private static String accountKey(String username) {
        return "u " + username.toLowerCase(Locale.ROOT);
    }

    private static String pairKey(String address, String username) {
        return "p " + address + " " + username.toLowerCase(Locale.ROOT);
    }
}
