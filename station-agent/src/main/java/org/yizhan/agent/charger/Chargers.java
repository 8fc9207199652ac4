package org.yizhan.agent.charger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.event.EventSink;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.Telemetry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All charger ports: samples the meters once a second off the event loop, runs each port's state machine,
 * drives the relays, and cuts every port off at once on a smoke alarm.
 */
public final class Chargers {

    private static final Logger LOG = LoggerFactory.getLogger(Chargers.class);
    static final long SAMPLE_MS = 1_000;

    private final Vertx vertx;
    private final Gpio gpio;
    private final Map<Integer, ChargerPort> ports = new LinkedHashMap<>();
    private final Map<Integer, Relay> relays;
    private final Map<Integer, PowerMeter> meters;
    private final EventSink events;
    private final Runnable changed;
    private long timer = -1;
    private boolean sampling;
    private boolean smoke;

    public Chargers(Vertx vertx, Gpio gpio, Map<Integer, Relay> relays, Map<Integer, PowerMeter> meters,
                    EventSink events, Runnable changed) {
        this.vertx = vertx;
        this.gpio = gpio;
        this.relays = relays;
        this.meters = meters;
        this.events = events;
        this.changed = changed;
        relays.keySet().forEach(p -> ports.put(p, new ChargerPort(p)));
    }

    /** Opens every relay, then starts sampling. */
    public Future<Void> start() {
        return openAll().onSuccess(v -> timer = vertx.setPeriodic(SAMPLE_MS, t -> sample()));
    }

    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        return openAll();
    }

    public List<Telemetry.Charger> telemetry() {
        List<Telemetry.Charger> list = new ArrayList<>();
        ports.values().forEach(p -> list.add(p.telemetry()));
        return list;
    }

    public Optional<ChargerPort> port(int number) {
        return Optional.ofNullable(ports.get(number));
    }

    public boolean smokeAlarm() {
        return smoke;
    }

    /** Reads every meter now (also called by the timer). */
    public void sample() {
        if (sampling) {
            return;
        }
        sampling = true;
        gpio.call(() -> {
            Map<Integer, PowerReading> readings = new LinkedHashMap<>();
            meters.forEach((port, meter) -> {
                try {
                    readings.put(port, meter.read());
                } catch (RuntimeException e) {
                    LOG.warn("Reading the meter of port {} failed: {}", port, e.toString());
                }
            });
            return readings;
        }).onComplete(ar -> {
            sampling = false;
            if (ar.failed()) {
                return;
            }
            long now = System.currentTimeMillis();
            boolean anyChange = false;
            for (Map.Entry<Integer, PowerReading> e : ar.result().entrySet()) {
                ChargerPort p = ports.get(e.getKey());
                if (p == null) {
                    continue;
                }
                Telemetry.Charger before = p.telemetry();
                apply(p, p.update(e.getValue(), now, events::emit));
                anyChange |= significant(before, p.telemetry());
            }
            if (anyChange) {
                changed.run();
            }
        });
    }

    public Future<Void> stopPort(int number) {
        return act(number, p -> p.stop("stopped", System.currentTimeMillis(), events::emit));
    }

    public Future<Void> enable(int number, boolean on) {
        return act(number, p -> p.setEnabled(on, System.currentTimeMillis(), events::emit));
    }

    /** Smoke: opens every charger relay at once (one GPIO task), then updates the ports. */
    public Future<Void> smoke(boolean alarm) {
        if (alarm == smoke) {
            return Future.succeededFuture();
        }
        smoke = alarm;
        long now = System.currentTimeMillis();
        if (alarm) {
            Future<Void> cut = openAll();
            List<Integer> cutPorts = new ArrayList<>(ports.keySet());
            ports.values().forEach(p -> p.cutOff("smoke", now, events::emit));
            events.emit(EventType.SMOKE_ALARM, new JsonObject().put("active", true)
                    .put("portsCutOff", new io.vertx.core.json.JsonArray(cutPorts)));
            LOG.error("Smoke alarm: every charger port is cut off");
            changed.run();
            return cut;
        }
        LOG.warn("Smoke alarm cleared; ports stay off until their bikes are re-plugged");
        ports.values().forEach(p -> apply(p, p.clearFault(now, events::emit)));
        changed.run();
        return Future.succeededFuture();
    }

    private Future<Void> act(int number, java.util.function.Function<ChargerPort, ChargerPort.Decision> action) {
        ChargerPort p = ports.get(number);
        if (p == null) {
            return Future.failedFuture(new IllegalArgumentException("no charger port " + number));
        }
        Future<Void> f = apply(p, action.apply(p));
        changed.run();
        return f;
    }

    private Future<Void> apply(ChargerPort p, ChargerPort.Decision d) {
        Relay relay = relays.get(p.port());
        boolean want = d.relayClosed() && !smoke;
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
        return a.state() != b.state() || Math.abs(a.powerW() - b.powerW()) >= 10;
    }

    /** Count of ports in a state, for status pages. */
    public long count(ChargerState s) {
        return ports.values().stream().filter(p -> p.state() == s).count();
    }
}
