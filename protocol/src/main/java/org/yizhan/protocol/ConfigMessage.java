package org.yizhan.protocol;

import io.vertx.core.json.JsonObject;

/**
 * {@code .../config} (retained): the desired station configuration with its {@code version}. The body is
 * the firmware-config station configuration; this record checks only the envelope.
 */
public record ConfigMessage(long ts, int version, JsonObject config) implements Message {

    static ConfigMessage parse(JsonObject o) throws ProtocolException {
        long ts = Codec.ts(o);
        int version = Fields.requireInt(o, "", "version", 0, Integer.MAX_VALUE);
        JsonObject config = Fields.requireObject(o, "", "config");
        return new ConfigMessage(ts, version, config);
    }

    @Override
    public JsonObject toJson() {
        return new JsonObject().put("v", Codec.VERSION).put("ts", ts).put("version", version).put("config", config);
    }
}
