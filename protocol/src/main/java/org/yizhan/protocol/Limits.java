package org.yizhan.protocol;

/**
 * Every size limit of contract v1, in one place (the table in docs/contract.md). The {@link Codec} applies them to
 * what either side receives, the hub's registry columns hold whatever they let through, and the agent builds
 * nothing beyond them.
 */
public final class Limits {

    /** Any payload but an events payload: state, heartbeat, telemetry, command results, commands, config, acks. */
    public static final int PAYLOAD_BYTES = 64 * 1024;
    /** An events payload: one event, or a replay batch of them. */
    public static final int BATCH_BYTES = 256 * 1024;
    /**
     * One event, measured as the codec encodes it alone ({@code {"v":1,"id":..,"ts":..,"type":..,"data":{..}}}),
     * whether it travels alone or in a batch: an event that may not be published alone may not hide in a batch
     * either. Its {@code data} as the registry keeps it (JSON text) is shorter, so it fits {@link #EVENT_DATA_CHARS}.
     */
    public static final int EVENT_BYTES = PAYLOAD_BYTES;
    /** The longest {@code data} text of a stored event: what the registry's {@code events.data} column holds. */
    public static final int EVENT_DATA_CHARS = EVENT_BYTES;
    /** An event id, a ULID. */
    public static final int EVENT_ID_CHARS = 26;
    /** An event type such as {@code charger.session_ended}. */
    public static final int EVENT_TYPE_CHARS = 100;
    /** A station id, {@code [a-z0-9-]{3,40}}. */
    public static final int STATION_ID_CHARS = 40;
    /**
     * The {@code args} of one command as JSON text: what the hub's registry keeps of it ({@code commands.args}).
     * Lists longer than this travel in several commands (the revocation list: a delta, or the whole list in pages).
     */
    public static final int COMMAND_ARGS_CHARS = 8192;
    /** Ids in one {@code .../events/ack}; the hub acknowledges a larger batch in several. */
    public static final int ACK_IDS = 500;
    /** Characters of a station claim QR's text ({@link ClaimQr}): a QR of version 10 or so, still read at arm's length. */
    public static final int CLAIM_QR_CHARS = 400;
    /** Characters of the hub address in a claim QR. */
    public static final int CLAIM_QR_HUB_CHARS = 256;
    /**
     * The smallest event a batch can hold, with the comma that separates it:
     * {@code {"id":"<26>","ts":0,"type":"a.b"},}.
     */
    static final int SMALLEST_BATCH_EVENT_BYTES = 56;
    /** The envelope of a batch: {@code {"v":1,"events":[]}}. */
    static final int BATCH_ENVELOPE_BYTES = 19;
    /**
     * Events in one batch. Not a cap of its own: the most of the smallest events that {@link #BATCH_BYTES} can
     * carry, so every batch within the byte limit is accepted however many events it holds.
     */
    public static final int BATCH_EVENTS = (BATCH_BYTES - BATCH_ENVELOPE_BYTES + 1) / SMALLEST_BATCH_EVENT_BYTES;

    private Limits() {
    }

    /** The UTF-8 length of a string, without encoding it. */
    public static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
