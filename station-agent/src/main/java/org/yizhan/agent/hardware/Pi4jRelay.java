package org.yizhan.agent.hardware;

import com.pi4j.io.gpio.digital.DigitalOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay on a Pi4J digital output made by {@link Pi4jPins#output}: its "on" state energises the relay, HIGH on
 * most HATs, LOW on an active-low board.
 */
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
        if (closed) {
            out.on();
        } else {
            out.off();
        }
        LOG.debug("{} -> {}", id, closed ? "closed" : "open");
    }

    @Override
    public boolean isClosed() {
        return out.isOn();
    }
}
