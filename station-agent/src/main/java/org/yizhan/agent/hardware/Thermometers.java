package org.yizhan.agent.hardware;

import org.yizhan.agent.hardware.board.Ds18b20;
import org.yizhan.config.StationConfig;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    /** DS18B20 sensors under {@code devices} (normally {@link Ds18b20#SYSFS}) for the configured ids. */
    public static Thermometers ds18b20(Path devices, StationConfig.Charger charger) {
        Map<Integer, TemperatureSensor> ports = new LinkedHashMap<>();
        for (StationConfig.Port p : charger.ports()) {
            p.tempSensor().ifPresent(id -> ports.put(p.port(), new Ds18b20(devices, id)));
        }
        return new Thermometers(ports, charger.cabinetTempSensor().map(id -> new Ds18b20(devices, id)),
                charger.roomTempSensor().map(id -> new Ds18b20(devices, id)));
    }
}
