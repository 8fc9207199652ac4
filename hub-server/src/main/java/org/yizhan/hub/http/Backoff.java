package org.yizhan.hub.http;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Growing delays per key (a client address, an account): a key's first {@code free} failures cost nothing; after
 * that each failure makes the key wait {@code firstDelayMs}, then twice as long with every further failure, up to
 * {@code maxDelayMs}, counted from its latest failure. A key without a failure for {@code forgetAfterMs} starts
 * afresh. Keys are forgotten as failures come in, at most once a minute, so no caller needs to prune.
 */
public final class Backoff {

    private static final int MAX_KEYS = 100_000;
    private static final long PRUNE_EVERY_MS = 60_000;

    private final long firstDelayMs;
    private final long maxDelayMs;
    private final long forgetAfterMs;
    private final Map<String, Entry> entries = new HashMap<>();
    private long prunedAt;

    private static final class Entry {
        int failures;
        long last;
    }

    public Backoff(long firstDelayMs, long maxDelayMs, long forgetAfterMs) {
        if (firstDelayMs < 1 || maxDelayMs < firstDelayMs || forgetAfterMs < maxDelayMs) {
            throw new IllegalArgumentException("need 1 <= firstDelayMs <= maxDelayMs <= forgetAfterMs");
        }
        this.firstDelayMs = firstDelayMs;
        this.maxDelayMs = maxDelayMs;
        this.forgetAfterMs = forgetAfterMs;
    }

    /** The delay after {@code failures} failures when the first {@code free} are free. */
    public long delayMs(int failures, int free) {
        if (failures <= free) {
            return 0;
        }
        int doublings = failures - free - 1;
        return doublings >= 40 ? maxDelayMs : Math.min(maxDelayMs, firstDelayMs << doublings);
    }

    /** How long the key must still wait at {@code now} (0: it may try). */
    public synchronized long waitMs(String key, long now, int free) {
        Entry e = live(key, now);
        if (e == null) {
            return 0;
        }
        return Math.max(0, e.last + delayMs(e.failures, free) - now);
    }

    /** The key's failures that count at {@code now}. */
    public synchronized int failures(String key, long now) {
        Entry e = live(key, now);
        return e == null ? 0 : e.failures;
    }

    /** Counts one failure of the key at {@code now}. */
    public synchronized void fail(String key, long now) {
        if (now - prunedAt >= PRUNE_EVERY_MS || entries.size() >= MAX_KEYS && !entries.containsKey(key)) {
            prune(now);
        }
        Entry e = live(key, now);
        if (e == null) {
            e = new Entry();
            entries.put(key, e);
        }
        e.failures++;
        e.last = now;
    }

    /** Takes back one failure of the key (an attempt counted in advance turned out fine). */
    public synchronized void forgive(String key) {
        Entry e = entries.get(key);
        if (e != null && e.failures > 0) {
            e.failures--;
        }
    }

    /** Forgets the key's failures. */
    public synchronized void clear(String key) {
        entries.remove(key);
    }

    /** Forgets keys without a failure for {@code forgetAfterMs}; with the table full, the oldest half too. */
    public synchronized void prune(long now) {
        prunedAt = now;
        entries.values().removeIf(e -> now - e.last >= forgetAfterMs);
        if (entries.size() >= MAX_KEYS) {
            long cut = entries.values().stream().mapToLong(e -> e.last).sorted().skip(entries.size() / 2)
                    .findFirst().orElse(now);
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                if (it.next().last < cut) {
                    it.remove();
                }
            }
        }
    }

    public synchronized int keys() {
        return entries.size();
    }

    private Entry live(String key, long now) {
        Entry e = entries.get(key);
        if (e != null && now - e.last >= forgetAfterMs) {
            entries.remove(key);
            return null;
        }
        return e;
    }
}
