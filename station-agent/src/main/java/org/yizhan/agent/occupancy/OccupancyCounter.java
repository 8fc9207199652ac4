package org.yizhan.agent.occupancy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.uplink.EventSink;
import org.yizhan.protocol.EventType;

import java.util.function.LongSupplier;

/**
 * Counts people in the room from a pair of IR beams at the door. A passage is everything between both beams
 * being clear and both being clear again; it counts only if both beams were broken, and its direction is the
 * beam broken first, confirmed by the beam released last: outer first and inner last is one in, inner first
 * and outer last is one out. A beam broken and released alone (a bag swung through, a hand) or a person who
 * steps in and backs out (first broken = last released) is not a count.
 * <p>
 * The count never goes below zero; reaching capacity from below raises {@code occupancy.full} once per
 * crossing. Drift correction: when the room has shown no PIR presence and no beam activity for
 * {@code driftMinutes}, a non-zero count is reset to zero with an {@code occupancy.drift_corrected} event.
 * Runs on the station's context; {@code clock} is epoch ms.
 */
public final class OccupancyCounter {

    private static final Logger LOG = LoggerFactory.getLogger(OccupancyCounter.class);
    static final long DRIFT_CHECK_MS = 30_000;

    private enum Beam { NONE, OUTER, INNER }

    private final EventSink events;
    private final Runnable changed;
    private final LongSupplier clock;
    private volatile int capacity;
    private volatile int driftMinutes;
    private int count;
    private boolean outer;
    private boolean inner;
    private boolean sawOuter;
    private boolean sawInner;
    private Beam first = Beam.NONE;
    private boolean presence;
    private long lastActivity;
    private long passages;
    private long ignored;
    private long driftTimer = -1;

    public OccupancyCounter(int capacity, int driftMinutes, EventSink events, Runnable changed, LongSupplier clock) {
        this.capacity = capacity;
        this.driftMinutes = driftMinutes;
        this.events = events;
        this.changed = changed;
        this.clock = clock;
        this.lastActivity = clock.getAsLong();
    }

    public void attach(Gpio gpio, BinaryInput beamOuter, BinaryInput beamInner, BinaryInput pir) {
        gpio.listen(beamOuter, this::onOuter);
        gpio.listen(beamInner, this::onInner);
        gpio.listen(pir, this::onPresence);
    }

    /** Checks for drift every 30 s on {@code vertx}'s timer. */
    public void startDriftCheck(Vertx vertx) {
        driftTimer = vertx.setPeriodic(DRIFT_CHECK_MS, t -> checkDrift());
    }

    public void stop(Vertx vertx) {
        if (driftTimer >= 0) {
            vertx.cancelTimer(driftTimer);
            driftTimer = -1;
        }
    }

    public int count() {
        return count;
    }

    public int capacity() {
        return capacity;
    }

    public boolean presence() {
        return presence;
    }

    /** Passages counted and beam sequences ignored as no passage, for the status page. */
    public JsonObject stats() {
        return new JsonObject().put("passages", passages).put("ignored", ignored);
    }

    public void setCapacity(int capacity) {
        this.capacity = capacity;
        changed.run();
    }

    public void setDriftMinutes(int minutes) {
        this.driftMinutes = minutes;
    }

    void onPresence(boolean present) {
        presence = present;
        lastActivity = clock.getAsLong();
        changed.run();
    }

    void onOuter(boolean broken) {
        if (broken == outer) {
            return;
        }
        outer = broken;
        if (broken) {
            sawOuter = true;
            if (first == Beam.NONE) {
                first = Beam.OUTER;
            }
        }
        settle(Beam.OUTER);
    }

    void onInner(boolean broken) {
        if (broken == inner) {
            return;
        }
        inner = broken;
        if (broken) {
            sawInner = true;
            if (first == Beam.NONE) {
                first = Beam.INNER;
            }
        }
        settle(Beam.INNER);
    }

    private void settle(Beam changedBeam) {
        lastActivity = clock.getAsLong();
        if (outer || inner) {
            return;
        }
        Beam lastReleased = changedBeam;
        if (sawOuter && sawInner && first == Beam.OUTER && lastReleased == Beam.INNER) {
            passages++;
            entered();
        } else if (sawOuter && sawInner && first == Beam.INNER && lastReleased == Beam.OUTER) {
            passages++;
            left();
        } else {
            ignored++;
            LOG.debug("Beam sequence (first {}, last released {}) is no passage", first, lastReleased);
        }
        sawOuter = false;
        sawInner = false;
        first = Beam.NONE;
    }

    /** Resets a count that has drifted: nobody seen or passing for {@code driftMinutes}. */
    void checkDrift() {
        long now = clock.getAsLong();
        if (presence) {
            lastActivity = now;
            return;
        }
        long idleMs = now - lastActivity;
        if (count > 0 && idleMs >= driftMinutes * 60_000L) {
            int before = count;
            count = 0;
            LOG.warn("Occupancy count {} reset to 0: no presence and no beam activity for {} min", before,
                    idleMs / 60_000);
            events.emit("occupancy.drift_corrected", new JsonObject().put("countBefore", before)
                    .put("idleMinutes", idleMs / 60_000));
            changed.run();
        }
    }

    private void entered() {
        int before = count;
        count++;
        if (before < capacity && count >= capacity) {
            events.emit(EventType.OCCUPANCY_FULL, new JsonObject().put("count", count).put("capacity", capacity));
        }
        changed.run();
    }

    private void left() {
        if (count > 0) {
            count--;
            changed.run();
        }
    }
}
