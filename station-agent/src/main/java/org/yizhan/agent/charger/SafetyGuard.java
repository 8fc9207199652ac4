package org.yizhan.agent.charger;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.config.StationConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The charger cut-offs, on the thread that has the reading in hand (the metering thread, or the smoke input's
 * thread), never behind the event loop or the network: a port over its power, current or temperature limit,
 * a meter that fails or answers nonsense, the cabinet over its total, and smoke open the affected relays
 * before anything else happens. Each cut-off latches (see {@link GuardedRelay}) until an operator clears it
 * with {@link #clear}, which is refused while the cause is still there. The owner learns of every
 * {@link Trip} to fault the port and raise the event. All methods are thread-safe.
 */
public final class SafetyGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SafetyGuard.class);

    public static final String OVERCURRENT = "overcurrent";
    public static final String OVER_TEMPERATURE = "over-temperature";
    public static final String METER_FAILED = "meter-failed";
    public static final String CABINET_OVERLOAD = "cabinet-overload";
    public static final String SMOKE = "smoke";
    /**
     * A temperature sensor that is missing, fails its checksum or stops answering. Treated like a silent
     * meter: the ports it watches are cut off, because a port whose temperature nobody knows might be
     * overheating, and leaving power on is the unsafe way to be wrong.
     */
    public static final String TEMP_SENSOR_FAILED = "temp-sensor-failed";

    /** Temperatures outside this range are a broken sensor, not a reading. */
    static final double MIN_PLAUSIBLE_C = -40;
    static final double MAX_PLAUSIBLE_C = 150;
    /** A cleared over-temperature must be this far under the limit. */
    static final double TEMP_HYSTERESIS_C = 5;

    /**
     * One cut-off: the port, its cause, the reading that caused it, and the time from the reading (in hand)
     * to the relay command having returned, in nanoseconds.
     */
    public record Trip(int port, String cause, JsonObject reading, boolean relayWasClosed, long latencyNanos) {
        /** Event data of {@code charger.safety_cutoff}. */
        public JsonObject toJson() {
            return new JsonObject().put("port", port).put("cause", cause).put("reading", reading.copy())
                    .put("relayWasClosed", relayWasClosed).put("cutoffMicros", latencyNanos / 1000);
        }
    }

    private final Map<Integer, GuardedRelay> relays;
    private final Map<Integer, PowerReading> last = new HashMap<>();
    private final Map<Integer, Long> lastGood = new HashMap<>();
    private final Map<Integer, Long> trippedAt = new HashMap<>();
    private final Map<Integer, Double> portSensorC = new HashMap<>();
    private final java.util.Set<Integer> portSensorDown = new java.util.HashSet<>();
    private double cabinetC = Double.NaN;
    private boolean cabinetSensorDown;
    private volatile StationConfig.Rules rules;
    private boolean smoke;
    private long trips;
    private long maxLatencyNanos;
    private long lastLatencyNanos = -1;

    public SafetyGuard(Map<Integer, GuardedRelay> relays, StationConfig.Rules rules) {
        this.relays = new LinkedHashMap<>(relays);
        this.rules = rules;
    }

    public void setRules(StationConfig.Rules rules) {
        this.rules = rules;
    }

    /**
     * Checks one port's reading taken at {@code readNanos} (System.nanoTime when the meter answered); if it is
     * dangerous, the port's relay is open when this returns.
     */
    public synchronized Optional<Trip> check(int port, PowerReading r, long readNanos) {
        GuardedRelay relay = relays.get(port);
        if (relay == null) {
            return Optional.empty();
        }
        last.put(port, r);
        StationConfig.Rules lim = rules;
        String cause = null;
        if (r.powerW() > lim.portMaxW()
                || (r.currentA().isPresent() && r.currentA().getAsDouble() > lim.portMaxCurrentA())) {
            cause = OVERCURRENT;
        } else if (r.tempC().isPresent() && (r.tempC().getAsDouble() < MIN_PLAUSIBLE_C
                || r.tempC().getAsDouble() > MAX_PLAUSIBLE_C)) {
            cause = METER_FAILED;
        } else if (r.tempC().isPresent() && r.tempC().getAsDouble() > lim.portMaxTempC()) {
            cause = OVER_TEMPERATURE;
        }
        if (cause == null) {
            lastGood.put(port, readNanos);
            return Optional.empty();
        }
        return trip(relay, cause, r.toJson(), readNanos);
    }

    /** The meter of {@code port} failed (no answer, short answer, nonsense) at {@code failedNanos}. */
    public synchronized Optional<Trip> meterFailed(int port, String message, long failedNanos) {
        GuardedRelay relay = relays.get(port);
        if (relay == null) {
            return Optional.empty();
        }
        last.remove(port);
        return trip(relay, METER_FAILED, new JsonObject().put("error", message), failedNanos);
    }

    /**
     * After a round of readings: if the cabinet draws more than {@code cabinetMaxW}, sheds the most recently
     * started ports until it is under the limit again.
     */
    public synchronized List<Trip> checkCabinet(long readNanos) {
        double total = totalPowerW();
        double max = rules.cabinetMaxW();
        List<Trip> out = new ArrayList<>();
        if (total <= max) {
            return out;
        }
        List<GuardedRelay> closed = new ArrayList<>(relays.values().stream()
                .filter(r -> r.isClosed() && !r.tripped()).toList());
        closed.sort(Comparator.comparingLong(GuardedRelay::closedAtNanos).reversed());
        for (GuardedRelay r : closed) {
            if (total <= max) {
                break;
            }
            PowerReading pr = last.get(r.port());
            double w = pr == null ? 0 : pr.powerW();
            JsonObject reading = new JsonObject().put("cabinetW", Math.round(total)).put("limitW", max)
                    .put("portW", Math.round(w * 10) / 10.0);
            trip(r, CABINET_OVERLOAD, reading, readNanos).ifPresent(out::add);
            total -= w;
        }
        return out;
    }

    /**
     * A reading of the temperature sensor of {@code port} taken at {@code readNanos}; over {@code portMaxTempC}
     * the port's relay is open when this returns, and a reading no sensor can give counts as a failed sensor.
     */
    public synchronized Optional<Trip> portTemperature(int port, String sensor, double celsius, long readNanos) {
        GuardedRelay relay = relays.get(port);
        if (relay == null) {
            return Optional.empty();
        }
        JsonObject reading = new JsonObject().put("sensor", sensor).put("tempC", celsius);
        if (!plausible(celsius)) {
            portSensorDown.add(port);
            portSensorC.remove(port);
            return trip(relay, TEMP_SENSOR_FAILED, reading, readNanos);
        }
        portSensorDown.remove(port);
        portSensorC.put(port, celsius);
        return celsius > rules.portMaxTempC() ? trip(relay, OVER_TEMPERATURE, reading, readNanos) : Optional.empty();
    }

    /** The temperature sensor of {@code port} failed; the port is cut off (see {@link #TEMP_SENSOR_FAILED}). */
    public synchronized Optional<Trip> portSensorFailed(int port, String sensor, String message, long failedNanos) {
        GuardedRelay relay = relays.get(port);
        if (relay == null) {
            return Optional.empty();
        }
        portSensorDown.add(port);
        portSensorC.remove(port);
        return trip(relay, TEMP_SENSOR_FAILED, new JsonObject().put("sensor", sensor).put("error", message),
                failedNanos);
    }

    /**
     * A reading of the cabinet's temperature sensor; over {@code portMaxTempC} every port's relay is open when
     * this returns.
     */
    public synchronized List<Trip> cabinetTemperature(String sensor, double celsius, long readNanos) {
        JsonObject reading = new JsonObject().put("place", "cabinet").put("sensor", sensor).put("tempC", celsius);
        if (!plausible(celsius)) {
            cabinetSensorDown = true;
            cabinetC = Double.NaN;
            return tripAll(TEMP_SENSOR_FAILED, reading, readNanos);
        }
        cabinetSensorDown = false;
        cabinetC = celsius;
        return celsius > rules.portMaxTempC() ? tripAll(OVER_TEMPERATURE, reading, readNanos) : List.of();
    }

    /** The cabinet's temperature sensor failed: every port is cut off (see {@link #TEMP_SENSOR_FAILED}). */
    public synchronized List<Trip> cabinetSensorFailed(String sensor, String message, long failedNanos) {
        cabinetSensorDown = true;
        cabinetC = Double.NaN;
        return tripAll(TEMP_SENSOR_FAILED, new JsonObject().put("place", "cabinet").put("sensor", sensor)
                .put("error", message), failedNanos);
    }

    private List<Trip> tripAll(String cause, JsonObject reading, long fromNanos) {
        List<Trip> out = new ArrayList<>();
        for (GuardedRelay r : relays.values()) {
            trip(r, cause, reading, fromNanos).ifPresent(out::add);
        }
        return out;
    }

    private static boolean plausible(double celsius) {
        return Double.isFinite(celsius) && celsius >= MIN_PLAUSIBLE_C && celsius <= MAX_PLAUSIBLE_C;
    }

    /** The smoke detector changed at {@code changedNanos}; on alarm every relay is open when this returns. */
    public synchronized List<Trip> smoke(boolean alarm, long changedNanos) {
        boolean before = smoke;
        smoke = alarm;
        List<Trip> out = new ArrayList<>();
        if (alarm && !before) {
            for (GuardedRelay r : relays.values()) {
                trip(r, SMOKE, new JsonObject().put("smoke", true), changedNanos).ifPresent(out::add);
            }
        }
        return out;
    }

    public synchronized boolean smokeAlarm() {
        return smoke;
    }

    /** Why the cut-off of {@code port} cannot be cleared yet, or empty when it can. */
    public synchronized Optional<String> whyNotClear(int port) {
        if (smoke) {
            return Optional.of("the smoke alarm is still on");
        }
        if (portSensorDown.contains(port)) {
            return Optional.of("the port's temperature sensor does not answer");
        }
        if (cabinetSensorDown) {
            return Optional.of("the cabinet's temperature sensor does not answer");
        }
        double limit = rules.portMaxTempC() - TEMP_HYSTERESIS_C;
        Double portC = portSensorC.get(port);
        if (portC != null && portC > limit) {
            return Optional.of("the port is still at " + portC + " °C");
        }
        if (cabinetC > limit) {
            return Optional.of("the cabinet is still at " + cabinetC + " °C");
        }
        PowerReading r = last.get(port);
        if (r != null && r.tempC().isPresent()
                && r.tempC().getAsDouble() > rules.portMaxTempC() - TEMP_HYSTERESIS_C) {
            return Optional.of("the port is still at " + r.tempC().getAsDouble() + " °C");
        }
        Long good = lastGood.get(port);
        Long at = trippedAt.get(port);
        if (good == null || (at != null && good < at)) {
            return Optional.of("no reading within limits from the port's meter since the cut-off");
        }
        return Optional.empty();
    }

    /** Clears the latch of {@code port} (the caller checked {@link #whyNotClear}). */
    public synchronized void clear(int port) {
        GuardedRelay r = relays.get(port);
        if (r != null) {
            r.reset();
            trippedAt.remove(port);
        }
    }

    public synchronized boolean tripped(int port) {
        GuardedRelay r = relays.get(port);
        return r != null && r.tripped();
    }

    /** The power all ports draw by their last readings. */
    public synchronized double totalPowerW() {
        double sum = 0;
        for (Map.Entry<Integer, PowerReading> e : last.entrySet()) {
            sum += e.getValue().plugged() ? e.getValue().powerW() : 0;
        }
        return sum;
    }

    /** Cut-offs so far, the slowest and the last reading-to-relay time, for the status page. */
    public synchronized JsonObject stats() {
        return new JsonObject().put("cutoffs", trips).put("maxCutoffMicros", maxLatencyNanos / 1000)
                .put("lastCutoffMicros", lastLatencyNanos < 0 ? null : lastLatencyNanos / 1000);
    }

    private Optional<Trip> trip(GuardedRelay relay, String cause, JsonObject reading, long fromNanos) {
        if (relay.tripped()) {
            return Optional.empty();
        }
        boolean wasClosed = relay.trip();
        long latency = System.nanoTime() - fromNanos;
        trippedAt.put(relay.port(), System.nanoTime());
        trips++;
        lastLatencyNanos = latency;
        maxLatencyNanos = Math.max(maxLatencyNanos, latency);
        LOG.error("Safety cut-off on port {}: {} {} (relay open {} µs after the reading)", relay.port(), cause,
                reading.encode(), latency / 1000);
        return Optional.of(new Trip(relay.port(), cause, reading, wasClosed, latency));
    }
}
