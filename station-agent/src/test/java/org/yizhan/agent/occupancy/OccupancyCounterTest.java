package org.yizhan.agent.occupancy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Beam sequences, capacity and drift correction, on a test clock. */
class OccupancyCounterTest {

    private final List<String> types = new ArrayList<>();
    private final List<JsonObject> data = new ArrayList<>();
    private long now = 1_700_000_000_000L;
    private final OccupancyCounter counter = new OccupancyCounter(2, 30, (t, d) -> {
        types.add(t);
        data.add(d);
    }, () -> { }, () -> now);

    private void walkIn() {
        counter.onOuter(true);
        counter.onInner(true);
        counter.onOuter(false);
        counter.onInner(false);
    }

    private void walkOut() {
        counter.onInner(true);
        counter.onOuter(true);
        counter.onInner(false);
        counter.onOuter(false);
    }

    @Test
    void directionComesFromTheBeamBrokenFirstAndTheCountNeverGoesBelowZero() {
        walkOut();
        assertThat(counter.count()).as("out of an empty room").isZero();
        walkIn();
        walkIn();
        assertThat(counter.count()).isEqualTo(2);
        walkOut();
        assertThat(counter.count()).isEqualTo(1);
    }

    @Test
    void oneBeamAloneOrSteppingInAndBackingOutIsNoCount() {
        counter.onOuter(true);
        counter.onOuter(false);
        counter.onInner(true);
        counter.onInner(false);
        assertThat(counter.count()).as("each beam broken and released alone").isZero();
        // steps in: outer, inner; backs out: inner released first, outer last
        counter.onOuter(true);
        counter.onInner(true);
        counter.onInner(false);
        counter.onOuter(false);
        assertThat(counter.count()).as("stepped in and backed out").isZero();
        // repeated "broken" reports from a bouncing sensor change nothing
        counter.onOuter(true);
        counter.onOuter(true);
        counter.onInner(true);
        counter.onOuter(false);
        counter.onInner(false);
        assertThat(counter.count()).isEqualTo(1);
        assertThat(counter.stats().getLong("ignored")).isEqualTo(3L);
        assertThat(counter.stats().getLong("passages")).isEqualTo(1L);
    }

    @Test
    void raisesOccupancyFullOncePerCrossingOfCapacity() {
        walkIn();
        walkIn();
        walkIn();
        assertThat(types).containsExactly("occupancy.full");
        assertThat(data.get(0).getMap()).containsEntry("count", 2).containsEntry("capacity", 2);
        walkOut();
        walkOut();
        walkIn();
        assertThat(types).as("back to capacity from below").containsExactly("occupancy.full", "occupancy.full");
    }

    @Test
    void resetsADriftedCountAfterThirtyQuietMinutes() {
        walkIn();
        walkIn();
        now += 29 * 60_000;
        counter.checkDrift();
        assertThat(counter.count()).isEqualTo(2);
        counter.onPresence(true);
        now += 60 * 60_000;
        counter.checkDrift();
        assertThat(counter.count()).as("someone is there by the PIR").isEqualTo(2);
        counter.onPresence(false);
        now += 29 * 60_000;
        counter.checkDrift();
        assertThat(counter.count()).isEqualTo(2);
        now += 60_000;
        counter.checkDrift();
        assertThat(counter.count()).isZero();
        assertThat(types).containsExactly("occupancy.full", "occupancy.drift_corrected");
        assertThat(data.get(1).getMap()).containsEntry("countBefore", 2).containsEntry("idleMinutes", 30L);
    }
}
