package org.yizhan.agent.hardware;

/**
 * Measures one charger port. Reading may block on I2C or a serial line: call it from the metering thread,
 * never from an event loop. A meter that does not answer or answers nonsense throws {@link MeterException}
 * (or any runtime exception): the port is then cut off, never left on.
 */
public interface PowerMeter {

    PowerReading read();
}
