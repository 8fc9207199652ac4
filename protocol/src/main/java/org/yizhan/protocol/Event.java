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

    static Event parse(JsonObject o, String path) throws ProtocolException {
        String id = Fields.requireString(o, path, "id", 64);
        if (!Ulid.isValid(id)) {
            throw new ProtocolException(Fields.path(path, "id"), "range", "must be a ULID (26 Crockford base32 characters)");
        }
        long ts = Fields.requireLong(o, path, "ts", 0, Codec.MAX_TS);
        String type = Fields.requireString(o, path, "type", 100);
        if (!EventType.isWellFormed(type)) {
            throw new ProtocolException(Fields.path(path, "type"), "range", "'" + type + "' is not an event type");
        }
        JsonObject data = Fields.optionalObject(o, path, "data").orElseGet(JsonObject::new);
        return new Event(id, ts, type, data);
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
