package org.yizhan.agent.sim;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.charger.ChargerException;
import org.yizhan.agent.charger.Chargers;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.simulated.SimulatedHardware;
import org.yizhan.agent.hardware.simulated.SimulatedPowerMeter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The world around a simulated station ({@code --simulate}): drives the simulated hardware the way the world would: people walking through the beams, the door opening,
 * the exit button, bikes plugged into chargers, smoke. Inputs are set through {@link SimulatedHardware#drive}
 * on the GPIO worker, so the station logic sees exactly what it would see on the board. A change at a charger
 * is pushed to the metering thread at once (no waiting for the next poll), and a bike plugged in starts a
 * session as the rider showing a pass at the charger would, unless told not to.
 */
public final class Simulator {

    /** What a {@code POST /sim/charger/{port}} asks for; empty values stay as they are. */
    public record ChargerInput(Optional<Boolean> plugged, OptionalDouble powerW, OptionalDouble tempC,
                               OptionalDouble currentA, Optional<Boolean> meterSilent, boolean startSession,
                               Optional<String> member) {
    }

    private final Gpio gpio;
    private final SimulatedHardware hw;
    private final Map<Integer, SimulatedPowerMeter> meters;
    private final Chargers chargers;

    public Simulator(Gpio gpio, SimulatedHardware hw, Chargers chargers) {
        this.gpio = gpio;
        this.hw = hw;
        this.meters = hw.simulatedMeters();
        this.chargers = chargers;
    }

    /** One person passing the beam pair: in = outer beam first, out = inner beam first. */
    public Future<Void> beam(boolean in) {
        return beamSequence(in ? List.of("outer", "inner") : List.of("inner", "outer"));
    }

    /**
     * Raw beam changes: "outer"/"inner" breaks that beam, "outer-off"/"inner-off" releases it; beams still
     * broken at the end are released in the order they were broken.
     *
     * @throws IllegalArgumentException for an unknown step, naming it
     */
    public Future<Void> beamSequence(List<String> steps) {
        for (String s : steps) {
            if (!List.of("outer", "inner", "outer-off", "inner-off").contains(s)) {
                throw new IllegalArgumentException("sequence: unknown step '" + s
                        + "', use outer, inner, outer-off or inner-off");
            }
        }
        return drive(() -> {
            List<String> broken = new ArrayList<>();
            for (String s : steps) {
                boolean off = s.endsWith("-off");
                String beam = off ? s.substring(0, s.length() - 4) : s;
                set("outer".equals(beam) ? hw.beamOuter() : hw.beamInner(), !off);
                if (off) {
                    broken.remove(beam);
                } else if (!broken.contains(beam)) {
                    broken.add(beam);
                }
            }
            for (String beam : broken) {
                set("outer".equals(beam) ? hw.beamOuter() : hw.beamInner(), false);
            }
        });
    }

    public Future<Void> door(boolean open) {
        return drive(() -> set(hw.doorContact(), open));
    }

    public Future<Void> exitButton() {
        return drive(() -> {
            set(hw.exitButton(), true);
            set(hw.exitButton(), false);
        });
    }

    public Future<Void> smoke(boolean alarm) {
        return drive(() -> set(hw.smoke(), alarm));
    }

    public Future<Void> presence(boolean present) {
        return drive(() -> set(hw.pir(), present));
    }

    public boolean hasPort(int port) {
        return meters.containsKey(port);
    }

    /**
     * Changes what a port's meter reads, pushes the reading, and when a bike was plugged in with
     * {@code startSession}, starts a session (for {@code member}, or a made-up walk-up rider). Answers
     * {@code {"ok":true}}, with {@code "session"} when one started or {@code "refused":{"code","message"}}.
     */
    public Future<JsonObject> charger(int port, ChargerInput in) {
        SimulatedPowerMeter m = meters.get(port);
        if (m == null) {
            return Future.failedFuture(new IllegalArgumentException("no charger port " + port));
        }
        return gpio.call(() -> {
            in.plugged().ifPresent(m::plug);
            in.powerW().ifPresent(m::fixPower);
            in.tempC().ifPresent(m::setTemperature);
            in.currentA().ifPresent(m::fixCurrent);
            in.meterSilent().ifPresent(m::setSilent);
            return null;
        }).compose(v -> chargers.sampleNow()).compose(v -> {
            JsonObject ok = new JsonObject().put("ok", true);
            boolean plugIn = in.plugged().orElse(false) && in.startSession();
            boolean idle = chargers.port(port).map(p -> p.session().isEmpty()).orElse(false);
            if (!plugIn || !idle) {
                return Future.succeededFuture(ok);
            }
            String member = in.member().orElseGet(() ->
                    "sim-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36));
            return chargers.startSession(port, member, chargers.rules().sessionLimitMinutes())
                    .map(s -> ok.put("session", s.toJson()))
                    .recover(err -> err instanceof ChargerException ce
                            ? Future.succeededFuture(ok.put("refused", new JsonObject().put("code", ce.code())
                                    .put("message", ce.getMessage())))
                            : Future.failedFuture(err));
        });
    }

    private Future<Void> drive(Runnable r) {
        return gpio.call(() -> {
            r.run();
            return null;
        });
    }

    private void set(BinaryInput input, boolean active) {
        hw.drive(input, active);
    }
}
