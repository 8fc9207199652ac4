package org.yizhan.protocol;

import io.vertx.core.json.JsonObject;

/** One station event. The {@code id} is a ULID chosen by the station; the hub stores each id once. */
public record Event(String id, long ts, String type, JsonObject data) {

    public Event {
        data = data == null ? new JsonObject() : data;
    }

    public static Event of(String type, long ts, JsonObject data) {
        return new Event(Ulid.next(), ts, type, data);
    }

    /**
     * Reads an event at {@code path} ({@code ""} for a single-event payload, {@code "events[i]"} in a batch) and
     * checks it against {@link Limits}: id, type and the event as a whole ({@link Limits#EVENT_BYTES}, measured as
     * the codec encodes it, which is also what the registry keeps of it).
     */
    static Event parse(JsonObject o, String path) throws ProtocolException {
        String id = Fields.requireString(o, path, "id", Limits.EVENT_ID_CHARS);
        if (!Ulid.isValid(id)) {
            throw new ProtocolException(Fields.path(path, "id"), "range", "must be a ULID (26 Crockford base32 characters)");
        }
        long ts = Fields.requireLong(o, path, "ts", 0, Codec.MAX_TS);
        String type = Fields.requireString(o, path, "type", Limits.EVENT_TYPE_CHARS);
        if (!EventType.isWellFormed(type)) {
            throw new ProtocolException(Fields.path(path, "type"), "range", "'" + type + "' is not an event type");
        }
        JsonObject data = Fields.optionalObject(o, path, "data").orElseGet(JsonObject::new);
        Event e = new Event(id, ts, type, data);
        int bytes = e.encodedBytes();
        if (bytes > Limits.EVENT_BYTES) {
            throw new ProtocolException(path.isEmpty() ? "$" : path, "too-large",
                    "the event is " + bytes + " bytes, the limit for one event is " + Limits.EVENT_BYTES);
        }
        return e;
    }

    /** The size of the event published alone, in bytes: what {@link Limits#EVENT_BYTES} limits. */
    public int encodedBytes() {
        return Limits.utf8Length(toJson().encode());
    }

    /** The event's JSON form inside a batch (no {@code "v"}). */
    public JsonObject toJsonInBatch() {
        return new JsonObject().put("id", id).put("ts", ts).put("type", type).put("data", data);
    }

    /** The event's JSON form as a single-event payload. */
    public JsonObject toJson() {
        return new JsonObject().put("v", Codec.VERSION).put("id", id).put("ts", ts).put("type", type)
                .put("data", data);
    }
}
