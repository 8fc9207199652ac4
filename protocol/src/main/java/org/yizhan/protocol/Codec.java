package org.yizhan.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The strict JSON codec of contract v1. {@link #decode} checks size, UTF-8, JSON syntax, {@code "v":1}
 * and every required field, and names the first bad field in its {@link ProtocolException}. The sizes it keeps are
 * those of {@link Limits}.
 */
public final class Codec {

    public static final int VERSION = 1;
    /**
     * The contract's revision. 1.1 added {@code .../events/ack}; a revision only adds what an older peer can
     * ignore, so payloads keep {@code "v":1}. See docs/contract.md.
     */
    public static final String REVISION = "1.1";
    /** Timestamps beyond the year 2200 are treated as garbage. */
    static final long MAX_TS = 7_258_118_400_000L;

    private Codec() {
    }

    /** Decodes a payload received on the given channel. */
    public static Message decode(Channel channel, byte[] payload) throws ProtocolException {
        JsonObject o = parseObject(payload, channel.maxBytes());
        return switch (channel) {
            case STATE -> StateMessage.parse(o);
            case HEARTBEAT -> Heartbeat.parse(o);
            case TELEMETRY -> Telemetry.parse(o);
            case EVENTS -> EventsMessage.parse(o);
            case COMMAND_RESULT -> CommandResult.parse(o);
            case COMMAND -> Command.parse(o);
            case CONFIG -> ConfigMessage.parse(o);
            case EVENTS_ACK -> EventsAck.parse(o);
        };
    }

    public static Message decode(Channel channel, Buffer payload) throws ProtocolException {
        return decode(channel, payload.getBytes());
    }

    /** Decodes and checks that the message is of the expected type. */
    public static <T extends Message> T decode(Channel channel, byte[] payload, Class<T> type)
            throws ProtocolException {
        Message m = decode(channel, payload);
        if (!type.isInstance(m)) {
            throw new ProtocolException("$", "type", "expected " + type.getSimpleName());
        }
        return type.cast(m);
    }

    public static Buffer encode(Message m) {
        return m.toJson().toBuffer();
    }

    /** Parses UTF-8 JSON into an object and checks {@code "v":1}; the size limit is checked first. */
    public static JsonObject parseObject(byte[] payload, int maxBytes) throws ProtocolException {
        if (payload == null || payload.length == 0) {
            throw new ProtocolException("$", "malformed", "payload is empty");
        }
        if (payload.length > maxBytes) {
            throw new ProtocolException("$", "too-large",
                    "payload is " + payload.length + " bytes, the limit is " + maxBytes);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("$", "malformed", "payload is not valid UTF-8");
        }
        String trimmed = text.strip();
        if (!trimmed.startsWith("{")) {
            throw new ProtocolException("$", "malformed", "payload must be a JSON object");
        }
        JsonObject o;
        try {
            o = new JsonObject(trimmed);
        } catch (DecodeException | ClassCastException e) {
            throw new ProtocolException("$", "malformed", "payload is not valid JSON");
        }
        if (!allFinite(o)) {
            requireFinite(o, "");
        }
        Object v = o.getValue("v");
        if (v == null) {
            throw new ProtocolException("v", "missing", "is required");
        }
        if (!(v instanceof Number n) || n.doubleValue() != VERSION) {
            throw new ProtocolException("v", "version", "must be 1, was " + Fields.describe(v));
        }
        return o;
    }

    /**
     * Refuses a number JSON cannot carry back: a literal too large for a double ({@code 1e999}) parses as infinity,
     * which would be written out again as the string {@code "Infinity"}. Found by the codec's long fuzzing run in a
     * configuration's {@code telemetrySeconds}; checked everywhere, as the codec does not know every field of a
     * configuration. Called only when {@link #allFinite} found such a number, to name where it is.
     */
    private static void requireFinite(Object node, String path) throws ProtocolException {
        if (node instanceof JsonObject obj) {
            for (Map.Entry<String, Object> e : obj) {
                // an empty or blank key is named in quotes, so the path is never blank
                String key = e.getKey().isBlank() ? "\"" + e.getKey() + "\"" : e.getKey();
                requireFinite(e.getValue(), path.isEmpty() ? key : path + "." + key);
            }
        } else if (node instanceof JsonArray arr) {
            for (int i = 0; i < arr.size(); i++) {
                requireFinite(arr.getValue(i), path + "[" + i + "]");
            }
        } else if (node instanceof Double d && !Double.isFinite(d)
                || node instanceof Float f && !Float.isFinite(f)) {
            // a key may be anything up to the payload's size: the path named is cut short
            throw new ProtocolException(path.length() <= 80 ? path : path.substring(0, 80) + "...", "range",
                    "is a number too large for this contract");
        }
    }

    /** Whether every number in the tree is finite: the common case, checked without building a path per key. */
    private static boolean allFinite(Object node) {
        if (node instanceof JsonObject obj) {
            for (Map.Entry<String, Object> e : obj) {
                if (!allFinite(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (node instanceof JsonArray arr) {
            for (int i = 0; i < arr.size(); i++) {
                if (!allFinite(arr.getValue(i))) {
                    return false;
                }
            }
            return true;
        }
        return !(node instanceof Double d && !Double.isFinite(d) || node instanceof Float f && !Float.isFinite(f));
    }

    static long ts(JsonObject o) throws ProtocolException {
        return Fields.requireLong(o, "", "ts", 0, MAX_TS);
    }
}
