package org.yizhan.agent.hardware;

/** A power meter that did not answer, answered short, or answered something that cannot be true. */
public final class MeterException extends RuntimeException {

    public MeterException(String message) {
        super(message);
    }

    public MeterException(String message, Throwable cause) {
        super(message, cause);
    }
}
