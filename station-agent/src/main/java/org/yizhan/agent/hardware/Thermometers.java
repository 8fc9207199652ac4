package org.yizhan.agent.hardware;

import java.util.Map;
import java.util.Optional;

/**
 * The station's temperature sensors as the configuration wires them: one per charger port that has its own,
 * one for the charger cabinet, one in the room. Each is optional.
 */
public record Thermometers(Map<Integer, TemperatureSensor> ports, Optional<TemperatureSensor> cabinet,
                           Optional<TemperatureSensor> room) {

    public static final Thermometers NONE = new Thermometers(Map.of(), Optional.empty(), Optional.empty());

    public Thermometers {
        ports = Map.copyOf(ports);
    }

    public boolean isEmpty() {
        return ports.isEmpty() && cabinet.isEmpty() && room.isEmpty();
    }
}
