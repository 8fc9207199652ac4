package org.yizhan.agent.hardware;

import java.util.Map;

/**
 * Every part of a station the agent drives or reads, wired as the hardware profile says. Charger
 * relays and meters are keyed by the port number riders see. Two implementations: {@code board.BoardHardware}
 * on the Pi's GPIO and {@code simulated.SimulatedHardware} on Pi4J's mock platform; station logic sees only
 * this interface.
 */
public interface StationHardware extends AutoCloseable {

    Relay doorRelay();

    BinaryInput doorContact();

    BinaryInput exitButton();

    BinaryInput beamOuter();

    BinaryInput beamInner();

    BinaryInput pir();

    BinaryInput smoke();

    Map<Integer, Relay> chargerRelays();

    Map<Integer, PowerMeter> powerMeters();

    /**
     * The relays of the room's switched loads (lights, water heater, ...) by name, in the configuration's order; none
     * unless the configuration lists {@code roomLoads}. A relay at rest (open) leaves a load on its normally-closed
     * contact powered.
     */
    default Map<String, Relay> loadRelays() {
        return Map.of();
    }

    /** The temperature sensors the configuration wires (none by default). */
    default Thermometers thermometers() {
        return Thermometers.NONE;
    }

    /**
     * Opens every relay (their safe state) before the station stops. Blocking. The Pi4J context the lines
     * live on belongs to whoever built it and passed it in; they shut it down afterwards.
     */
    @Override
    void close();
}
