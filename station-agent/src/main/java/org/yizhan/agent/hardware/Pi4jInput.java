package org.yizhan.agent.hardware;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;

import java.util.function.Consumer;

/** An input on a Pi4J digital input; HIGH is active. */
public final class Pi4jInput implements BinaryInput {

    private final DigitalInput in;

    public Pi4jInput(DigitalInput in) {
        this.in = in;
    }

    @Override
    public boolean isActive() {
        return in.isHigh();
    }

    @Override
    public void onChange(Consumer<Boolean> listener) {
        in.addListener(e -> listener.accept(e.state() == DigitalState.HIGH));
    }
}
