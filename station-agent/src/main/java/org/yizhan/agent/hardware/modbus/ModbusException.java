package org.yizhan.agent.hardware.modbus;

/** A Modbus transaction that failed; {@link #kind} says how, the message says it for a technician. */
public final class ModbusException extends RuntimeException {

    /** How a transaction failed. */
    public enum Kind {
        /** The serial line could not be opened, written or read. */
        LINE,
        /** No answer, or an answer cut short, within the timeout. */
        TIMEOUT,
        /** An answer whose CRC does not match its bytes. */
        CRC,
        /** The slave answered with a Modbus exception code. */
        EXCEPTION,
        /** An answer from another slave, with another function, or of the wrong length. */
        UNEXPECTED
    }

    private final Kind kind;

    public ModbusException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ModbusException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
