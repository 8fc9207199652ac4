package org.yizhan.agent.hardware;

/**
 * Measures one charger port. Reading may block on I2C or a serial line: call from a worker thread.
 */
public interface PowerMeter {

    PowerReading read();
}
