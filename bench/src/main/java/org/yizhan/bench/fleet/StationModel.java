package org.yizhan.bench.fleet;

import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * The readings of one simulated station, moving like a real room does: riders come and go, the door opens now
 * and then, four charger ports start and finish sessions and the room warms up by day. Not thread-safe: one
 * station's messages are built on its own event loop.
 */
final class StationModel {

    static final String AGENT = "bench-0.1";
    static final int PORTS = 4;
    static final int CAPACITY = 20;

    private final SplittableRandom random;
    private final long startedAtMillis;
    private long heartbeatSeq;
    private int occupancy;
    private boolean doorOpen;
    private double roomTempC;
    private double humidity;
    private final ChargerState[] state = new ChargerState[PORTS];
    private final double[] powerW = new double[PORTS];
    private final double[] energyWh = new double[PORTS];
    private final double[] tempC = new double[PORTS];

    StationModel(long seed, long nowMillis) {
        this.random = new SplittableRandom(seed);
        this.startedAtMillis = nowMillis;
        this.occupancy = random.nextInt(CAPACITY / 2);
        this.roomTempC = 18 + random.nextDouble() * 10;
        this.humidity = 40 + random.nextDouble() * 30;
        for (int p = 0; p < PORTS; p++) {
            state[p] = random.nextInt(3) == 0 ? ChargerState.CHARGING : ChargerState.AVAILABLE;
            powerW[p] = state[p] == ChargerState.CHARGING ? 150 + random.nextDouble() * 100 : 0;
            energyWh[p] = random.nextDouble() * 5000;
            tempC[p] = 25 + random.nextDouble() * 5;
        }
    }

    StateMessage birth(long nowMillis, long session) {
        return StateMessage.birth(nowMillis, session, AGENT, 1);
    }

    StateMessage will(long nowMillis, long session) {
        return StateMessage.will(nowMillis, session, AGENT, 1);
    }

    StateMessage shutdown(long nowMillis, long session) {
        return StateMessage.shutdown(nowMillis, session, AGENT, 1);
    }

    Heartbeat heartbeat(long nowMillis) {
        return new Heartbeat(nowMillis, heartbeatSeq++, Math.max(0, (nowMillis - startedAtMillis) / 1000), 0);
    }

    /** Moves the readings on by one step and reports them. */
    Telemetry telemetry(long nowMillis, double secondsSinceLast) {
        occupancy = Math.max(0, Math.min(CAPACITY, occupancy + random.nextInt(5) - 2));
        doorOpen = random.nextInt(10) == 0;
        roomTempC = clamp(roomTempC + (random.nextDouble() - 0.5) * 0.4, 5, 40);
        humidity = clamp(humidity + (random.nextDouble() - 0.5) * 2, 10, 95);
        List<Telemetry.Charger> chargers = new ArrayList<>(PORTS);
        for (int p = 0; p < PORTS; p++) {
            stepCharger(p, secondsSinceLast);
            chargers.add(new Telemetry.Charger(p + 1, state[p], round1(powerW[p]), round1(energyWh[p]),
                    OptionalDouble.of(round1(tempC[p]))));
        }
        return new Telemetry(nowMillis,
                Optional.of(new Telemetry.Occupancy(occupancy, CAPACITY)),
                Optional.of(new Telemetry.Door(doorOpen, !doorOpen)),
                chargers,
                Optional.of(new Telemetry.Env(OptionalDouble.of(round1(roomTempC)), OptionalDouble.of(Math.round(humidity)))));
    }

    private void stepCharger(int p, double seconds) {
        switch (state[p]) {
            case AVAILABLE -> {
                if (random.nextInt(20) == 0) {
                    state[p] = ChargerState.CHARGING;
                    powerW[p] = 150 + random.nextDouble() * 100;
                }
            }
            case CHARGING -> {
                energyWh[p] += powerW[p] * seconds / 3600.0;
                powerW[p] = clamp(powerW[p] + (random.nextDouble() - 0.6) * 10, 0, 400);
                tempC[p] = clamp(tempC[p] + (random.nextDouble() - 0.4), 20, 60);
                if (powerW[p] < 20 || random.nextInt(30) == 0) {
                    state[p] = ChargerState.FINISHING;
                    powerW[p] = 5;
                }
            }
            case FINISHING -> {
                state[p] = ChargerState.AVAILABLE;
                powerW[p] = 0;
                tempC[p] = clamp(tempC[p] - 2, 20, 60);
            }
            default -> {
                // occupied, faulted and disabled ports stay as they are
            }
        }
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
