package org.yizhan.agent.hardware.modbus;

/**
 * A serial line, 8 data bits, as the Modbus master uses it. Every call blocks: call from a worker or metering thread,
 * never from an event loop. Failures are {@link ModbusException}s of kind {@link ModbusException.Kind#LINE}.
 */
public interface SerialLine extends AutoCloseable {

    /** Opens the line if it is not open (again, after {@link #close}); a line that is open stays as it is. */
    void open();

    /** Writes every byte of {@code frame}. */
    void write(byte[] frame);

    /**
     * Reads up to {@code length} bytes into {@code buffer} at {@code offset}: returns as soon as at least one byte
     * came, or with 0 when none came within {@code timeoutMs}.
     */
    int read(byte[] buffer, int offset, int length, int timeoutMs);

    /** Throws away whatever was received and not read yet. */
    void discardInput();

    /** The device's name, for messages. */
    String name();

    @Override
    void close();
}
