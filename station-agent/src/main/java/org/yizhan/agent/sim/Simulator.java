package org.yizhan.agent.sim;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import io.vertx.core.Future;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.Pi4jStationHardware;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Drives the mock hardware the way the world would: people walking through the beams, the door opening,
 * the exit button, bikes plugged into chargers, smoke. Inputs are set with Pi4J's {@code MockDigitalInput}
 * on the GPIO worker, so the station logic sees exactly what it would see on the board.
 */
public final class Simulator {

    private final Gpio gpio;
    private final Pi4jStationHardware hw;
    private final Map<Integer, SimulatedPowerMeter> meters;

    public Simulator(Gpio gpio, Pi4jStationHardware hw, Map<Integer, SimulatedPowerMeter> meters) {
        this.gpio = gpio;
        this.hw = hw;
        this.meters = meters;
    }

    /** One person passing the beam pair: in = outer beam first, out = inner beam first. */
    public Future<Void> beam(boolean in) {
        BinaryInput first = in ? hw.beamOuter() : hw.beamInner();
        BinaryInput second = in ? hw.beamInner() : hw.beamOuter();
        return drive(() -> {
            set(first, true);
            set(second, true);
            set(first, false);
            set(second, false);
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

    /** Plugs or unplugs a bike, fixes its power draw and socket temperature; empty values stay as they are. */
    public Future<Void> charger(int port, Optional<Boolean> plugged, OptionalDouble powerW, OptionalDouble tempC) {
        SimulatedPowerMeter m = meters.get(port);
        if (m == null) {
            return Future.failedFuture(new IllegalArgumentException("no charger port " + port));
        }
        return gpio.call(() -> {
            plugged.ifPresent(m::plug);
            powerW.ifPresent(m::fixPower);
            tempC.ifPresent(m::setTemperature);
            return null;
        });
    }

    private Future<Void> drive(Runnable r) {
        return gpio.call(() -> {
            r.run();
            return null;
        });
    }

    private static void set(BinaryInput input, boolean active) {
        DigitalInput in = ((Pi4jStationHardware.Pi4jInput) input).input();
        ((MockDigitalInput) in).mockState(active ? DigitalState.HIGH : DigitalState.LOW);
    }
}
