package org.yizhan.agent.charger;

import org.junit.jupiter.api.Test;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.config.StationConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/** Cut-offs on the reading's own thread, latched until cleared; relays here are plain in-memory outputs. */
class SafetyGuardTest {

    static final class Output implements Relay {
        volatile boolean closed;

        @Override
        public void set(boolean c) {
            closed = c;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }
    }

    private final Map<Integer, Output> outputs = new LinkedHashMap<>();
    private final Map<Integer, GuardedRelay> relays = new LinkedHashMap<>();
    private final SafetyGuard guard;

    SafetyGuardTest() {
        for (int p = 1; p <= 3; p++) {
            outputs.put(p, new Output());
            relays.put(p, new GuardedRelay(p, outputs.get(p)));
        }
        guard = new SafetyGuard(relays, new StationConfig.Rules(30, 600, 3600, 240, 1000, 5, 60, 500, 150, 3, 0));
    }

    private static PowerReading reading(double w, double amps, double temp) {
        return new PowerReading(true, w, OptionalDouble.of(amps), OptionalDouble.of(temp));
    }

    @Test
    void overTemperatureOpensTheRelayBeforeReturningAndLatches() {
        relays.get(1).set(true);
        assertThat(guard.check(1, reading(180, 0.8, 40), System.nanoTime())).isEmpty();
        var trip = guard.check(1, reading(180, 0.8, 72), System.nanoTime()).orElseThrow();
        assertThat(outputs.get(1).closed).as("relay open when check returns").isFalse();
        assertThat(trip.cause()).isEqualTo("over-temperature");
        assertThat(trip.reading().getDouble("tempC")).isEqualTo(72.0);
        assertThat(trip.relayWasClosed()).isTrue();
        assertThat(trip.latencyNanos()).isPositive();
        relays.get(1).set(true);
        assertThat(outputs.get(1).closed).as("a late close cannot undo the cut-off").isFalse();
        assertThat(guard.check(1, reading(0, 0, 72), System.nanoTime())).as("reported once").isEmpty();
        assertThat(guard.whyNotClear(1)).isPresent();
        guard.check(1, reading(0, 0, 50), System.nanoTime());
        assertThat(guard.whyNotClear(1)).isEmpty();
        guard.clear(1);
        relays.get(1).set(true);
        assertThat(outputs.get(1).closed).isTrue();
    }

    @Test
    void overcurrentByPowerOrByCurrentAndImplausibleTemperature() {
        assertThat(guard.check(1, reading(1200, 5, 30), System.nanoTime()).orElseThrow().cause())
                .isEqualTo("overcurrent");
        assertThat(guard.check(2, reading(400, 6.5, 30), System.nanoTime()).orElseThrow().cause())
                .isEqualTo("overcurrent");
        assertThat(guard.check(3, reading(100, 0.5, 400), System.nanoTime()).orElseThrow().cause())
                .isEqualTo("meter-failed");
    }

    @Test
    void meterFailureCutsOffUntilTheMeterAnswersAgain() {
        relays.get(2).set(true);
        var trip = guard.meterFailed(2, "no answer", System.nanoTime()).orElseThrow();
        assertThat(trip.cause()).isEqualTo("meter-failed");
        assertThat(outputs.get(2).closed).isFalse();
        assertThat(guard.whyNotClear(2)).hasValueSatisfying(w -> assertThat(w).contains("no reading"));
        guard.check(2, reading(0, 0, 30), System.nanoTime());
        assertThat(guard.whyNotClear(2)).isEmpty();
    }

    @Test
    void cabinetOverLimitShedsTheNewestSessionsFirst() {
        relays.get(1).set(true);
        Thread.onSpinWait();
        relays.get(3).set(true);
        long t = System.nanoTime();
        guard.check(1, reading(300, 1.3, 30), t);
        guard.check(3, reading(280, 1.2, 30), t);
        List<SafetyGuard.Trip> trips = guard.checkCabinet(System.nanoTime());
        assertThat(trips).extracting(SafetyGuard.Trip::port).containsExactly(3);
        assertThat(trips.get(0).cause()).isEqualTo("cabinet-overload");
        assertThat(outputs.get(1).closed).as("the older session keeps running").isTrue();
        assertThat(outputs.get(3).closed).isFalse();
    }

    @Test
    void smokeOpensEveryRelayAndBlocksClearingWhileItLasts() {
        relays.values().forEach(r -> r.set(true));
        List<SafetyGuard.Trip> trips = guard.smoke(true, System.nanoTime());
        assertThat(trips).extracting(SafetyGuard.Trip::port).containsExactly(1, 2, 3);
        assertThat(outputs.values()).allMatch(o -> !o.closed);
        guard.check(1, reading(0, 0, 25), System.nanoTime());
        assertThat(guard.whyNotClear(1)).hasValue("the smoke alarm is still on");
        guard.smoke(false, System.nanoTime());
        guard.check(1, reading(0, 0, 25), System.nanoTime());
        assertThat(guard.whyNotClear(1)).isEmpty();
        assertThat(guard.stats().getLong("cutoffs")).isEqualTo(3L);
    }
}
