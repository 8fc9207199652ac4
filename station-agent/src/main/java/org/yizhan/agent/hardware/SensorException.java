package org.yizhan.agent.hardware;

/** A sensor that is missing, did not answer, or answered something that cannot be trusted. */
public final class SensorException extends RuntimeException {

    public SensorException(String message) {
        super(message);
    }

    public SensorException(String message, Throwable cause) {
        super(message, cause);
    }
}
