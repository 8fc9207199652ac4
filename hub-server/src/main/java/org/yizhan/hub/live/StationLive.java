package org.yizhan.hub.live;

import io.vertx.core.json.JsonObject;
import org.yizhan.protocol.Telemetry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The latest telemetry each station reported, kept in memory for the station API and the dashboard.
 * Presence lives in the registry ({@code stations.presence_*}); this holds what changes every few seconds.
 *
 * <p>One {@link Slot} per station holds all of it, so the per-message path (last seen, latest telemetry) costs one
 * map lookup, or none for a caller that keeps the station's slot.
 */
public final class StationLive {

    /** What is known live of one station. Fields are written by the ingest loop and read anywhere. */
    public static final class Slot {
        private static final AtomicLongFieldUpdater<Slot> LAST_SEEN =
                AtomicLongFieldUpdater.newUpdater(Slot.class, "lastSeen");
        private volatile long lastSeen = -1;
        /** Kept as the parsed record (about a fifth of its JSON tree's size); JSON is made when asked for. */
        private volatile Telemetry telemetry;
        private volatile long[] reportedConfig;

        /** Records that something arrived at {@code at}; an older time than the latest known is ignored. */
        public void seen(long at) {
            long known = lastSeen;
            while (at > known && !LAST_SEEN.compareAndSet(this, known, at)) {
                known = lastSeen;
            }
        }

        /** The latest telemetry, or null before the first. */
        Telemetry telemetry() {
            return telemetry;
        }

        /** When the station was last heard from, or -1 if not since the hub started (or loaded it). */
        public long lastSeen() {
            return lastSeen;
        }
    }

    private final Map<String, Slot> slots = new ConcurrentHashMap<>();

    /** The station's slot, made on first use; keep it to skip the lookup on every message. */
    public Slot slot(String stationId) {
        Slot s = slots.get(stationId);
        return s != null ? s : slots.computeIfAbsent(stationId, id -> new Slot());
    }

    /**
     * Stores the station's latest telemetry (validated). Its parts that equal the previous reading's (an idle port,
     * a closed door, a steady room) are kept as the previous reading's objects: a reading lives until the station's
     * next, longer than a young collection, so each new part kept here is one the collector copies and promotes to
     * die in the old generation.
     */
    public void telemetry(String stationId, Telemetry telemetry) {
        Slot s = slot(stationId);
        s.telemetry = sharing(s.telemetry, telemetry);
    }

    /** {@code now}, made of {@code before}'s parts where they are equal to its own. */
    private static Telemetry sharing(Telemetry before, Telemetry now) {
        if (before == null) {
            return now;
        }
        return new Telemetry(now.ts(), same(before.occupancy(), now.occupancy()), same(before.door(), now.door()),
                sameParts(before.chargers(), now.chargers()), same(before.env(), now.env()),
                same(before.loads(), now.loads()), same(before.position(), now.position()));
    }

    private static <T> T same(T before, T now) {
        return before.equals(now) ? before : now;
    }

    /** {@code now}'s chargers, each taken from {@code before} where the one at the same place equals it. */
    private static List<Telemetry.Charger> sameParts(List<Telemetry.Charger> before, List<Telemetry.Charger> now) {
        if (before.equals(now)) {
            return before;
        }
        Telemetry.Charger[] parts = now.toArray(new Telemetry.Charger[0]);
        for (int i = 0; i < parts.length && i < before.size(); i++) {
            parts[i] = same(before.get(i), parts[i]);
        }
        return List.of(parts);
    }

    /** The station's latest telemetry as its contract JSON (a new object each call). */
    public Optional<JsonObject> telemetry(String stationId) {
        Slot s = slots.get(stationId);
        Telemetry t = s == null ? null : s.telemetry;
        return t == null ? Optional.empty() : Optional.of(t.toJson());
    }

    public void seen(String stationId, long at) {
        slot(stationId).seen(at);
    }

    public Optional<Long> lastSeen(String stationId) {
        Slot s = slots.get(stationId);
        return s == null || s.lastSeen < 0 ? Optional.empty() : Optional.of(s.lastSeen);
    }

    /** The configuration version the station said it runs (in its birth message), and when. */
    public void reportedConfig(String stationId, int version, long at) {
        slot(stationId).reportedConfig = new long[] {version, at};
    }

    /** {@code [version, at]} of the station's last birth message since the hub started, if any. */
    public Optional<long[]> reportedConfig(String stationId) {
        Slot s = slots.get(stationId);
        return s == null ? Optional.empty() : Optional.ofNullable(s.reportedConfig).map(long[]::clone);
    }
}
