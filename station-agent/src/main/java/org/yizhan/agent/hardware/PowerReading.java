package org.yizhan.agent.hardware;

import io.vertx.core.json.JsonObject;

import java.util.OptionalDouble;

/**
 * One reading of a charger port: whether a bike is plugged in, the power it draws, the current if the meter
 * measures it, and the socket temperature if the port has a sensor. A power that is not a number is refused
 * (a meter that says so is broken, not idle); small negative powers from meter offset read as zero.
 */
public record PowerReading(boolean plugged, double powerW, OptionalDouble currentA, OptionalDouble tempC) {

    public static final PowerReading NOTHING = new PowerReading(false, 0, OptionalDouble.empty(), OptionalDouble.empty());

    public PowerReading {
        if (!Double.isFinite(powerW)) {
            throw new IllegalArgumentException("powerW: not a number (" + powerW + ")");
        }
        if (powerW < 0) {
            powerW = 0;
        }
    }

    public PowerReading(boolean plugged, double powerW, OptionalDouble tempC) {
        this(plugged, powerW, OptionalDouble.empty(), tempC);
    }

    /** The reading as event data: {@code {"powerW":..,"currentA":..,"tempC":..}}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject().put("plugged", plugged).put("powerW", Math.round(powerW * 10) / 10.0);
        currentA.ifPresent(a -> o.put("currentA", Math.round(a * 1000) / 1000.0));
        tempC.ifPresent(t -> o.put("tempC", t));
        return o;
    }
}
