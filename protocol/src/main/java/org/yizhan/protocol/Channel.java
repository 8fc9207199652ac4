package org.yizhan.protocol;

import java.util.Optional;

/**
 * The sub-topics of a station's root, with the QoS, retain flag, direction and size limit ({@link Limits}) of
 * contract v1.
 * {@link #EVENTS_ACK} came with revision 1.1 (see {@link Codec#REVISION}); everything else is 1.0.
 */
public enum Channel {
    STATE("state", 1, true, Direction.UP, Limits.PAYLOAD_BYTES),
    HEARTBEAT("heartbeat", 0, false, Direction.UP, Limits.PAYLOAD_BYTES),
    TELEMETRY("telemetry", 0, false, Direction.UP, Limits.PAYLOAD_BYTES),
    EVENTS("events", 1, false, Direction.UP, Limits.BATCH_BYTES),
    COMMAND_RESULT("cmd/res", 1, false, Direction.UP, Limits.PAYLOAD_BYTES),
    COMMAND("cmd", 1, false, Direction.DOWN, Limits.PAYLOAD_BYTES),
    CONFIG("config", 1, true, Direction.DOWN, Limits.PAYLOAD_BYTES),
    /** Since 1.1: the hub's application acknowledgement of committed events ({@link EventsAck}). */
    EVENTS_ACK("events/ack", 1, false, Direction.DOWN, Limits.PAYLOAD_BYTES);

    /** Who publishes on a channel. */
    public enum Direction { UP, DOWN }

    private final String suffix;
    private final int qos;
    private final boolean retain;
    private final Direction direction;
    private final int maxBytes;

    Channel(String suffix, int qos, boolean retain, Direction direction, int maxBytes) {
        this.suffix = suffix;
        this.qos = qos;
        this.retain = retain;
        this.direction = direction;
        this.maxBytes = maxBytes;
    }

    public String suffix() {
        return suffix;
    }

    public int qos() {
        return qos;
    }

    public boolean retain() {
        return retain;
    }

    public Direction direction() {
        return direction;
    }

    /** Largest payload accepted on this channel, in bytes. */
    public int maxBytes() {
        return maxBytes;
    }

    public static Optional<Channel> ofSuffix(String suffix) {
        for (Channel c : values()) {
            if (c.suffix.equals(suffix)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
