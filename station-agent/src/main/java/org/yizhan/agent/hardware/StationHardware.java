package org.yizhan.agent.hardware;

import java.util.Map;

/**
 * Every part of a station the agent drives or reads, wired as the hardware profile says. Charger
 * relays and meters are keyed by the port number riders see.
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

    /** The temperature sensors the configuration wires (none by default). */
    default Thermometers thermometers() {
        return Thermometers.NONE;
    }

    /** Releases the GPIO lines (relays go to their safe, open state). Blocking. */
    @Override
    void close();
}
