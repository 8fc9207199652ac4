package org.yizhan.protocol;

/**
 * A payload or topic that breaks wire contract v1. The {@link #field()} names the offending field as a
 * JSON path ({@code chargers[2].powerW}), or {@code "$"} for the payload as a whole; {@link #reason()}
 * is a short stable code used for counting ({@code missing}, {@code type}, {@code range},
 * {@code malformed}, {@code too-large}, {@code topic}, {@code version}).
 */
public final class ProtocolException extends Exception {

    private final String field;
    private final String reason;

    public ProtocolException(String field, String reason, String message) {
        super(field + ": " + message);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
