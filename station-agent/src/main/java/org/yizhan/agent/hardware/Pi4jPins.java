package org.yizhan.agent.hardware;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;

import java.util.Optional;

/**
 * How the station opens its GPIO lines on a Pi4J context, the same on the board and in simulation: relays
 * start and shut down open (de-energised: LOW, or HIGH for an active-low relay board), inputs are pulled down and
 * debounced. {@code provider} names the Pi4J provider when the context has several (the mock platform's); empty
 * lets the context choose.
 */
public final class Pi4jPins {

    private Pi4jPins() {
    }

    /** A relay's output: "on" is the pin state that energises the relay, HIGH unless {@code activeLow}. */
    public static DigitalOutput output(Context pi4j, String id, int pin, boolean activeLow, Optional<String> provider) {
        DigitalState off = activeLow ? DigitalState.HIGH : DigitalState.LOW;
        DigitalOutputConfigBuilder b = DigitalOutput.newConfigBuilder(pi4j).id(id).name(id).address(pin)
                .onState(activeLow ? DigitalState.LOW : DigitalState.HIGH).initial(off).shutdown(off);
        provider.ifPresent(b::provider);
        return pi4j.create(b);
    }

    public static DigitalInput input(Context pi4j, String id, int pin, Optional<String> provider) {
        DigitalInputConfigBuilder b = DigitalInput.newConfigBuilder(pi4j).id(id).name(id).address(pin)
                .pull(PullResistance.PULL_DOWN).debounce(3000L);
        provider.ifPresent(b::provider);
        return pi4j.create(b);
    }
}
