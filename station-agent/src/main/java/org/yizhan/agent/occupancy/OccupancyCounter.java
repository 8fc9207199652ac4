package org.yizhan.agent.occupancy;

import io.vertx.core.json.JsonObject;
import org.yizhan.agent.event.EventSink;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.protocol.EventType;

/**
 * Counts people in the room from a pair of IR beams at the door: the beam broken first tells the direction
 * (outer first = in, inner first = out); a passage counts when both beams have been broken and both are
 * clear again. The count never goes below zero; reaching capacity raises {@code occupancy.full}.
 */
public final class OccupancyCounter {

    private final EventSink events;
    private final Runnable changed;
    private volatile int capacity;
    private int count;
    private boolean outer;
    private boolean inner;
    private boolean sawOuter;
    private boolean sawInner;
    private Boolean firstOuter;
    private boolean presence;

    public OccupancyCounter(int capacity, EventSink events, Runnable changed) {
        this.capacity = capacity;
        this.events = events;
        this.changed = changed;
    }

    public void attach(Gpio gpio, BinaryInput beamOuter, BinaryInput beamInner, BinaryInput pir) {
        gpio.listen(beamOuter, this::onOuter);
        gpio.listen(beamInner, this::onInner);
        gpio.listen(pir, p -> {
            presence = p;
            changed.run();
        });
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

    public void setCapacity(int capacity) {
        this.capacity = capacity;
        changed.run();
    }

    void onOuter(boolean broken) {
        outer = broken;
        if (broken) {
            sawOuter = true;
            if (firstOuter == null) {
                firstOuter = true;
            }
        }
        settle();
    }

    void onInner(boolean broken) {
        inner = broken;
        if (broken) {
            sawInner = true;
            if (firstOuter == null) {
                firstOuter = false;
            }
        }
        settle();
    }

    private void settle() {
        if (outer || inner) {
            return;
        }
        if (sawOuter && sawInner && firstOuter != null) {
            if (firstOuter) {
                entered();
            } else {
                left();
            }
        }
        sawOuter = false;
        sawInner = false;
        firstOuter = null;
    }

    private void entered() {
        count++;
        if (count == capacity) {
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
