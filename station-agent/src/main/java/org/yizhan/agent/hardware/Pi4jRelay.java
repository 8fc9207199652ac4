package org.yizhan.agent.hardware;

import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A relay on a Pi4J digital output; HIGH energises the relay. */
public final class Pi4jRelay implements Relay {

    private static final Logger LOG = LoggerFactory.getLogger(Pi4jRelay.class);

    private final String id;
    private final DigitalOutput out;

    public Pi4jRelay(String id, DigitalOutput out) {
        this.id = id;
        this.out = out;
    }

    /** The underlying output (a {@code MockDigitalOutput} on the mock platform). */
    public DigitalOutput output() {
        return out;
    }

    @Override
    public void set(boolean closed) {
        out.state(closed ? DigitalState.HIGH : DigitalState.LOW);
        LOG.debug("{} -> {}", id, closed ? "closed" : "open");
    }

    @Override
    public boolean isClosed() {
        return out.isHigh();
    }
}
