package org.yizhan.agent.charger;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.agent.hardware.TemperatureSensor;
import org.yizhan.agent.hardware.Thermometers;
import org.yizhan.agent.uplink.EventSink;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.Telemetry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * All charger ports of a station. A metering thread of its own reads every meter about once a second and hands
 * each reading to the {@link SafetyGuard} on that same thread, so a dangerous reading opens its relay without
 * waiting for the event loop, the uplink or anything else; a watchdog thread cuts off a port whose meter
 * stops answering. The readings then go to each port's state machine on the station's context, which drives
 * the relays through the GPIO worker (behind the guard's latch), raises events and counts the daily quota.
 * Sessions start only through {@link #startSession}, which refuses one when the cabinet is near its limit.
 * <p>
 * Temperature sensors (per port, cabinet, room; see {@link Thermometers}) are read on a thread of their own,
 * because a DS18B20 conversion blocks for up to 750 ms per sensor and would hold up the meters' over-current
 * checks; each reading goes to the {@link SafetyGuard} on that thread, so an over-temperature opens the relays
 * at once. A sensor that fails, or whose read hangs past {@link #SENSOR_TIMEOUT_MS}, cuts off the ports it
 * watches, as a silent meter does.
 */
public final class Chargers {

    private static final Logger LOG = LoggerFactory.getLogger(Chargers.class);
    static final long SAMPLE_MS = 1_000;
    static final long WATCHDOG_MS = 500;
    /** A meter silent this long (a read that hangs) is cut off by the watchdog. */
    static final long METER_TIMEOUT_MS = 5_000;
    static final long TEMP_SAMPLE_MS = 2_000;
    /** A temperature sensor silent this long (a read that hangs) is cut off by the watchdog. */
    static final long SENSOR_TIMEOUT_MS = 15_000;

    private final Gpio gpio;
    private final Context context;
    private final Map<Integer, ChargerPort> ports = new LinkedHashMap<>();
    private final Map<Integer, GuardedRelay> relays = new LinkedHashMap<>();
    private final Map<Integer, PowerMeter> meters;
    private final Map<Integer, Long> lastAnswer = new ConcurrentHashMap<>();
    private final SafetyGuard guard;
    private final DailyQuota quota;
    private final EventSink events;
    private final Runnable changed;
    private final LongSupplier clock;
    private final ScheduledExecutorService metering;
    private final ScheduledExecutorService watchdog;
    private final ChargerPort.Events portEvents;
    private final Thermometers thermometers;
    private final Optional<ScheduledExecutorService> thermo;
    private final Map<Integer, Double> portTempC = new ConcurrentHashMap<>();
    private final Map<Integer, Long> lastTempAnswer = new ConcurrentHashMap<>();
    private volatile long cabinetTempAnswer;
    private volatile double cabinetTempC = Double.NaN;
    private volatile double roomTempC = Double.NaN;
    private volatile StationConfig.Rules rules;
    private volatile boolean running;

    public Chargers(Gpio gpio, String name, Map<Integer, Relay> relays, Map<Integer, PowerMeter> meters,
                    StationConfig.Rules rules, DailyQuota quota, EventSink events, Runnable changed,
                    LongSupplier clock) {
        this(gpio, name, relays, meters, Thermometers.NONE, rules, quota, events, changed, clock);
    }

    public Chargers(Gpio gpio, String name, Map<Integer, Relay> relays, Map<Integer, PowerMeter> meters,
                    Thermometers thermometers, StationConfig.Rules rules, DailyQuota quota, EventSink events,
                    Runnable changed, LongSupplier clock) {
        this.thermometers = thermometers;
        this.thermo = thermometers.isEmpty() ? Optional.empty()
                : Optional.of(Executors.newSingleThreadScheduledExecutor(daemon("yizhan-thermo-" + name)));
        this.gpio = gpio;
        this.context = gpio.context();
        this.meters = meters;
        this.quota = quota;
        this.events = events;
        this.changed = changed;
        this.clock = clock;
        this.rules = rules;
        relays.forEach((p, r) -> {
            this.relays.put(p, new GuardedRelay(p, r));
            this.ports.put(p, new ChargerPort(p, rules));
        });
        this.guard = new SafetyGuard(this.relays, rules);
        this.metering = Executors.newSingleThreadScheduledExecutor(daemon("yizhan-metering-" + name));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("yizhan-meter-watchdog-" + name));
        this.portEvents = new ChargerPort.Events() {
            @Override
            public void emit(String type, JsonObject data) {
                events.emit(type, data);
            }

            @Override
            public void ended(Session.Ended s) {
                quota.ended(s.session().member(), s.energyWh(), s.endedAt());
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        };
    }

    /** Opens every relay, then starts metering and the watchdog. */
    public Future<Void> start() {
        return openAll().onSuccess(v -> {
            running = true;
            long now = System.nanoTime();
            meters.keySet().forEach(p -> lastAnswer.put(p, now));
            thermometers.ports().keySet().forEach(p -> lastTempAnswer.put(p, now));
            cabinetTempAnswer = now;
            metering.scheduleWithFixedDelay(() -> sampleOnce(Optional.empty()), 0, SAMPLE_MS, TimeUnit.MILLISECONDS);
            thermo.ifPresent(t -> t.scheduleWithFixedDelay(this::readTemperatures, 0, TEMP_SAMPLE_MS,
                    TimeUnit.MILLISECONDS));
            watchdog.scheduleWithFixedDelay(this::watch, WATCHDOG_MS, WATCHDOG_MS, TimeUnit.MILLISECONDS);
        });
    }

    public Future<Void> stop() {
        running = false;
        metering.shutdownNow();
        watchdog.shutdownNow();
        thermo.ifPresent(ScheduledExecutorService::shutdownNow);
        return openAll();
    }

    public void setRules(StationConfig.Rules next) {
        rules = next;
        guard.setRules(next);
        ports.values().forEach(p -> p.setRules(next));
    }

    public StationConfig.Rules rules() {
        return rules;
    }

    public SafetyGuard guard() {
        return guard;
    }

    public List<Telemetry.Charger> telemetry() {
        List<Telemetry.Charger> list = new ArrayList<>();
        ports.values().forEach(p -> list.add(p.telemetry()));
        return list;
    }

    public Optional<ChargerPort> port(int number) {
        return Optional.ofNullable(ports.get(number));
    }

    /** The room's temperature, when a room sensor is configured and answers (telemetry {@code env.tempC}). */
    public OptionalDouble roomTempC() {
        double c = roomTempC;
        return Double.isNaN(c) ? OptionalDouble.empty() : OptionalDouble.of(c);
    }

    /** The cabinet's temperature, when a cabinet sensor is configured and answers. */
    public OptionalDouble cabinetTempC() {
        double c = cabinetTempC;
        return Double.isNaN(c) ? OptionalDouble.empty() : OptionalDouble.of(c);
    }

    public boolean smokeAlarm() {
        return guard.smokeAlarm();
    }

    /** Ports with state, readings and sessions, the cabinet's load and the cut-off figures, for /status. */
    public JsonObject status() {
        JsonArray a = new JsonArray();
        ports.values().forEach(p -> a.add(p.toJson()));
        JsonObject o = new JsonObject().put("ports", a).put("cabinetW", Math.round(guard.totalPowerW() * 10) / 10.0)
                .put("cabinetMaxW", rules.cabinetMaxW()).put("safety", guard.stats());
        cabinetTempC().ifPresent(c -> o.put("cabinetTempC", c));
        roomTempC().ifPresent(c -> o.put("roomTempC", c));
        return o;
    }

    /** Count of ports in a state, for status pages. */
    public long count(ChargerState s) {
        return ports.values().stream().filter(p -> p.state() == s).count();
    }

    /** Reads every meter now on the metering thread (the simulator pushes its readings this way). */
    public Future<Void> sampleNow() {
        Promise<Void> done = Promise.promise();
        try {
            metering.execute(() -> sampleOnce(Optional.of(done)));
        } catch (RejectedExecutionException e) {
            done.fail(new IllegalStateException("the chargers are stopped"));
        }
        return done.future();
    }

    /** The smoke detector changed: on alarm every relay opens here, on the input's thread, then the ports fault. */
    public void smokeInput(boolean alarm) {
        boolean was = guard.smokeAlarm();
        List<SafetyGuard.Trip> trips = guard.smoke(alarm, System.nanoTime());
        if (was == alarm) {
            return;
        }
        context.runOnContext(v -> {
            long now = clock.getAsLong();
            List<Integer> cut = new ArrayList<>();
            for (SafetyGuard.Trip t : trips) {
                cut.add(t.port());
                ChargerPort p = ports.get(t.port());
                if (p != null) {
                    apply(p, p.fault(t.cause(), now, portEvents));
                }
            }
            JsonObject data = new JsonObject().put("active", alarm).put("portsCutOff", new JsonArray(cut));
            trips.stream().mapToLong(SafetyGuard.Trip::latencyNanos).max()
                    .ifPresent(n -> data.put("cutoffMicros", n / 1000));
            events.emit(EventType.SMOKE_ALARM, data);
            if (alarm) {
                LOG.error("Smoke alarm: every charger port is cut off");
            } else {
                LOG.warn("Smoke alarm cleared; the ports stay faulted until an operator enables them");
            }
            changed.run();
        });
    }

    /**
     * Starts a session on {@code number} for {@code member}; fails with {@link ChargerException}:
     * {@code faulted}, {@code disabled}, {@code busy}, {@code quota-exceeded} or {@code cabinet-limit}.
     */
    public Future<Session> startSession(int number, String member, int minutes) {
        ChargerPort p = ports.get(number);
        if (p == null) {
            return Future.failedFuture(new ChargerException("invalid", "no charger port " + number));
        }
        long now = clock.getAsLong();
        StationConfig.Rules r = rules;
        if (p.fault().isEmpty() && p.enabled() && p.session().isEmpty()) {
            Optional<String> over = quota.refusal(member, r, now);
            if (over.isPresent()) {
                return Future.failedFuture(new ChargerException("quota-exceeded", over.get()));
            }
            double committed = committedW(r);
            if (committed + r.cabinetReserveW() > r.cabinetMaxW()) {
                return Future.failedFuture(new ChargerException("cabinet-limit", String.format(
                        "the cabinet has %.0f W committed of its %.0f W limit; a session needs %.0f W free",
                        committed, r.cabinetMaxW(), r.cabinetReserveW())));
            }
        }
        Session s;
        try {
            s = p.start(member, minutes, now, portEvents);
        } catch (ChargerException e) {
            return Future.failedFuture(e);
        }
        quota.started(member, now);
        changed.run();
        return apply(p, new ChargerPort.Decision(true)).map(v -> s);
    }

    /** Power the cabinet must be ready for: what runs now, and the reserve for sessions not yet drawing much. */
    private double committedW(StationConfig.Rules r) {
        double sessions = 0;
        double others = 0;
        for (ChargerPort p : ports.values()) {
            if (p.session().isPresent()) {
                sessions += Math.max(p.powerW(), r.cabinetReserveW());
            } else {
                others += p.powerW();
            }
        }
        return Math.max(sessions + others, guard.totalPowerW());
    }

    /** Ends the session on {@code number} for {@code reason}. */
    public Future<Void> stopPort(int number, String reason) {
        return act(number, p -> p.stop(reason, clock.getAsLong(), portEvents));
    }

    /**
     * Enables or disables a port. Enabling a faulted port is how an operator clears the fault: refused with
     * {@code fault-persists} while its cause is still there.
     */
    public Future<Void> enable(int number, boolean on) {
        ChargerPort p = ports.get(number);
        if (p == null) {
            return Future.failedFuture(new ChargerException("invalid", "no charger port " + number));
        }
        if (on && p.fault().isPresent()) {
            Optional<String> why = guard.whyNotClear(number);
            if (why.isPresent()) {
                return Future.failedFuture(new ChargerException("fault-persists",
                        "port " + number + " stays faulted (" + p.fault().get() + "): " + why.get()));
            }
            guard.clear(number);
            LOG.info("Operator cleared the fault of port {} ({})", number, p.fault().get());
            p.clearFault(clock.getAsLong(), portEvents);
        }
        return act(number, x -> x.setEnabled(on, clock.getAsLong(), portEvents));
    }

    private void sampleOnce(Optional<Promise<Void>> done) {
        if (!running) {
            done.ifPresent(d -> d.fail(new IllegalStateException("the chargers are stopped")));
            return;
        }
        Map<Integer, PowerReading> readings = new LinkedHashMap<>();
        List<SafetyGuard.Trip> trips = new ArrayList<>();
        for (Map.Entry<Integer, PowerMeter> e : meters.entrySet()) {
            int port = e.getKey();
            PowerReading r;
            try {
                r = readWithRetry(e.getValue());
            } catch (RuntimeException err) {
                String msg = err.getMessage() == null ? err.toString() : err.getMessage();
                guard.meterFailed(port, msg, System.nanoTime()).ifPresent(trips::add);
                continue;
            }
            long at = System.nanoTime();
            lastAnswer.put(port, at);
            guard.check(port, r, at).ifPresent(trips::add);
            readings.put(port, r);
        }
        trips.addAll(guard.checkCabinet(System.nanoTime()));
        context.runOnContext(v -> {
            applyTrips(trips);
            applyReadings(readings);
            done.ifPresent(Promise::complete);
        });
    }

    private static PowerReading readWithRetry(PowerMeter meter) {
        try {
            return meter.read();
        } catch (RuntimeException first) {
            LOG.warn("Meter read failed, retrying once: {}", first.toString());
            return meter.read();
        }
    }

    /** One round over the temperature sensors, on the thermo thread; a cut-off happens here, then the ports fault. */
    private void readTemperatures() {
        if (!running) {
            return;
        }
        List<SafetyGuard.Trip> trips = new ArrayList<>();
        thermometers.ports().forEach((port, sensor) -> {
            try {
                double c = sensor.readCelsius();
                long at = System.nanoTime();
                lastTempAnswer.put(port, at);
                portTempC.put(port, c);
                guard.portTemperature(port, sensor.id(), c, at).ifPresent(trips::add);
            } catch (RuntimeException err) {
                lastTempAnswer.put(port, System.nanoTime());
                portTempC.remove(port);
                guard.portSensorFailed(port, sensor.id(), message(err), System.nanoTime()).ifPresent(trips::add);
            }
        });
        thermometers.cabinet().ifPresent(sensor -> {
            try {
                double c = sensor.readCelsius();
                long at = System.nanoTime();
                cabinetTempAnswer = at;
                cabinetTempC = c;
                trips.addAll(guard.cabinetTemperature(sensor.id(), c, at));
            } catch (RuntimeException err) {
                cabinetTempAnswer = System.nanoTime();
                cabinetTempC = Double.NaN;
                trips.addAll(guard.cabinetSensorFailed(sensor.id(), message(err), System.nanoTime()));
            }
        });
        thermometers.room().ifPresent(this::readRoom);
        if (!trips.isEmpty()) {
            context.runOnContext(v -> applyTrips(trips));
        }
    }

    /** The room sensor only informs (telemetry env.tempC); a failed one is logged once and reported as absent. */
    private void readRoom(TemperatureSensor sensor) {
        try {
            roomTempC = sensor.readCelsius();
        } catch (RuntimeException err) {
            if (!Double.isNaN(roomTempC)) {
                LOG.warn("Room temperature sensor {} failed: {}", sensor.id(), message(err));
            }
            roomTempC = Double.NaN;
        }
    }

    private static String message(RuntimeException err) {
        return err.getMessage() == null ? err.toString() : err.getMessage();
    }

    private void watch() {
        long now = System.nanoTime();
        List<SafetyGuard.Trip> trips = new ArrayList<>();
        long sensorTimeout = TimeUnit.MILLISECONDS.toNanos(SENSOR_TIMEOUT_MS);
        lastTempAnswer.forEach((port, at) -> {
            if (now - at > sensorTimeout) {
                guard.portSensorFailed(port, thermometers.ports().get(port).id(),
                        "no answer for " + TimeUnit.NANOSECONDS.toMillis(now - at) + " ms", now).ifPresent(trips::add);
            }
        });
        if (thermometers.cabinet().isPresent() && now - cabinetTempAnswer > sensorTimeout) {
            trips.addAll(guard.cabinetSensorFailed(thermometers.cabinet().get().id(),
                    "no answer for " + TimeUnit.NANOSECONDS.toMillis(now - cabinetTempAnswer) + " ms", now));
        }
        lastAnswer.forEach((port, at) -> {
            if (now - at > TimeUnit.MILLISECONDS.toNanos(METER_TIMEOUT_MS)) {
                guard.meterFailed(port, "no answer for " + TimeUnit.NANOSECONDS.toMillis(now - at) + " ms", now)
                        .ifPresent(trips::add);
            }
        });
        if (!trips.isEmpty()) {
            context.runOnContext(v -> applyTrips(trips));
        }
    }

    private void applyTrips(List<SafetyGuard.Trip> trips) {
        if (trips.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        for (SafetyGuard.Trip t : trips) {
            ChargerPort p = ports.get(t.port());
            if (p == null) {
                continue;
            }
            events.emit(EventType.CHARGER_SAFETY_CUTOFF, t.toJson());
            apply(p, p.fault(t.cause(), now, portEvents));
        }
        changed.run();
    }

    private void applyReadings(Map<Integer, PowerReading> readings) {
        long now = clock.getAsLong();
        boolean anyChange = false;
        for (Map.Entry<Integer, PowerReading> e : readings.entrySet()) {
            ChargerPort p = ports.get(e.getKey());
            if (p == null) {
                continue;
            }
            Telemetry.Charger before = p.telemetry();
            apply(p, p.update(withSensorTemp(e.getKey(), e.getValue()), now, portEvents));
            anyChange |= significant(before, p.telemetry());
        }
        if (anyChange) {
            changed.run();
        }
    }

    /** The port's temperature as shown: its own sensor, else the meter's, else the cabinet's. */
    private PowerReading withSensorTemp(int port, PowerReading r) {
        Double own = portTempC.get(port);
        if (own != null) {
            return new PowerReading(r.plugged(), r.powerW(), r.currentA(), OptionalDouble.of(own));
        }
        if (r.tempC().isEmpty() && !Double.isNaN(cabinetTempC)) {
            return new PowerReading(r.plugged(), r.powerW(), r.currentA(), OptionalDouble.of(cabinetTempC));
        }
        return r;
    }

    private Future<Void> act(int number, Function<ChargerPort, ChargerPort.Decision> action) {
        ChargerPort p = ports.get(number);
        if (p == null) {
            return Future.failedFuture(new ChargerException("invalid", "no charger port " + number));
        }
        Future<Void> f = apply(p, action.apply(p));
        changed.run();
        return f;
    }

    private Future<Void> apply(ChargerPort p, ChargerPort.Decision d) {
        GuardedRelay relay = relays.get(p.port());
        boolean want = d.relayClosed();
        return gpio.call(() -> {
            if (relay.isClosed() != want) {
                relay.set(want);
            }
            return null;
        });
    }

    private Future<Void> openAll() {
        return gpio.call(() -> {
            relays.values().forEach(r -> r.set(false));
            return null;
        });
    }

    private static boolean significant(Telemetry.Charger a, Telemetry.Charger b) {
        return a.state() != b.state() || Math.abs(a.powerW() - b.powerW()) >= 10
                || a.tempC().isPresent() != b.tempC().isPresent()
                || (a.tempC().isPresent() && Math.abs(a.tempC().getAsDouble() - b.tempC().getAsDouble()) >= 1);
    }
}
