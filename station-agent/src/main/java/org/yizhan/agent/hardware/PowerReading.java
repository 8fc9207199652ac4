package org.yizhan.agent.hardware;

import java.util.OptionalDouble;

/**
 * One reading of a charger port: whether a bike is plugged in, the power it draws and the socket
 * temperature if the meter has a sensor.
 */
public record PowerReading(boolean plugged, double powerW, OptionalDouble tempC) {

    public static final PowerReading NOTHING = new PowerReading(false, 0, OptionalDouble.empty());

    public PowerReading {
        if (Double.isNaN(powerW) || powerW < 0) {
            powerW = 0;
        }
    }
}
