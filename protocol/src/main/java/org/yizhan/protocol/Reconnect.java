package org.yizhan.protocol;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a station waits before each attempt to reconnect to the hub (or broker): exponential backoff from
 * {@value #MIN_BACKOFF_MS} ms doubling to at most {@value #MAX_BACKOFF_MS} ms, with full jitter (a uniform wait
 * between 0 and that cap), so a fleet that lost its hub comes back spread over the cap instead of at once.
 *
 * <p>Part of the contract because the hub relies on it: a station is back at most {@value #MAX_BACKOFF_MS} ms
 * (plus its connect) after the hub is reachable again, so the hub's start-up grace (30 s by default) ends before
 * judging any station only once every waiting station has had its turn, and the hub extends the grace while
 * stations are still arriving.
 */
public final class Reconnect {

    public static final long MIN_BACKOFF_MS = 1_000;
    public static final long MAX_BACKOFF_MS = 20_000;

    private Reconnect() {
    }

    /** The cap of the wait before attempt {@code attempt} (0 for the first retry). */
    public static long capMillis(int attempt) {
        return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(Math.max(attempt, 0), 5));
    }

    /** A wait before attempt {@code attempt}: uniform in 1..cap ms. */
    public static long delayMillis(int attempt) {
        return Math.max(1, ThreadLocalRandom.current().nextLong(capMillis(attempt) + 1));
    }
}
