package org.yizhan.hub.http;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Counts attempts per key (a client address, a user name, a member) in a sliding window of one minute. A key with
 * {@code perMinute} attempts in the window is blocked until the oldest one leaves the window: {@link #refusal}
 * answers 429 with Retry-After. Keys without attempts in the window are forgotten as attempts come in, at most once
 * a window, so no caller needs to prune.
 */
public final class RateLimiter {

    private static final long WINDOW_MS = 60_000;
    private static final int MAX_KEYS = 100_000;

    private final int perMinute;
    private final Map<String, ArrayDeque<Long>> attempts = new HashMap<>();
    private long prunedAt;

    public RateLimiter(int perMinute) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute: must be at least 1");
        }
        this.perMinute = perMinute;
    }

    /** Seconds to wait when the key is blocked at {@code now}, else empty. */
    public synchronized OptionalLong blockedFor(String key, long now) {
        ArrayDeque<Long> q = attempts.get(key);
        if (q == null) {
            return OptionalLong.empty();
        }
        drop(q, now);
        if (q.size() < perMinute) {
            return OptionalLong.empty();
        }
        long waitMs = q.peekFirst() + WINDOW_MS - now;
        return OptionalLong.of(Math.max(1, (waitMs + 999) / 1000));
    }

    /** The 429 to answer when any of the keys is blocked at {@code now} (the longest wait), else empty. */
    public synchronized Optional<ApiException> refusal(long now, String... keys) {
        long wait = 0;
        for (String key : keys) {
            wait = Math.max(wait, blockedFor(key, now).orElse(0));
        }
        return wait > 0 ? Optional.of(ApiException.tooManyRequests(wait)) : Optional.empty();
    }

    /** Counts one attempt for the key. */
    public synchronized void record(String key, long now) {
        if (now - prunedAt >= WINDOW_MS || attempts.size() >= MAX_KEYS && !attempts.containsKey(key)) {
            prune(now);
        }
        ArrayDeque<Long> q = attempts.computeIfAbsent(key, k -> new ArrayDeque<>());
        drop(q, now);
        q.addLast(now);
        while (q.size() > perMinute) {
            q.removeFirst();
        }
    }

    /** Takes back the latest attempt of the key (it turned out fine). */
    public synchronized void forgive(String key) {
        ArrayDeque<Long> q = attempts.get(key);
        if (q != null && !q.isEmpty()) {
            q.removeLast();
        }
    }

    /** Forgets keys without attempts in the window. */
    public synchronized void prune(long now) {
        prunedAt = now;
        for (Iterator<ArrayDeque<Long>> it = attempts.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Long> q = it.next();
            drop(q, now);
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }

    public synchronized int keys() {
        return attempts.size();
    }

    private static void drop(ArrayDeque<Long> q, long now) {
        while (!q.isEmpty() && q.peekFirst() <= now - WINDOW_MS) {
            q.removeFirst();
        }
    }
}
