package org.yizhan.agent.hardware;

/**
 * One temperature sensor. Reading may block (a DS18B20 conversion takes up to 750 ms): call it from a
 * metering thread, never from an event loop. A sensor that is missing, answers with a bad checksum or answers
 * something that cannot be trusted throws {@link SensorException}: what it guards is then cut off.
 */
public interface TemperatureSensor {

    /** The sensor's id (for a DS18B20 its 1-Wire id, {@code 28-...}). */
    String id();

    /** Degrees Celsius now. */
    double readCelsius();
}
