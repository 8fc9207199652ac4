package org.yizhan.hub.live;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * Delivers a JsonObject to local consumers as it is, without the deep copy per consumer that the event bus makes
 * of a JsonObject by default. Only for messages nobody changes once published: the live feed's (every consumer
 * reads them, encodes them for a page or looks at their kind). At 15,000 stations the copies were the largest
 * single source of garbage in the hub (bench/RESULTS.md, "Hub memory").
 */
final class ReadOnlyJsonCodec implements MessageCodec<JsonObject, JsonObject> {

    static final String NAME = "yizhan-read-only-json";

    @Override
    public void encodeToWire(Buffer buffer, JsonObject o) {
        Buffer encoded = o.toBuffer();
        buffer.appendInt(encoded.length()).appendBuffer(encoded);
    }

    @Override
    public JsonObject decodeFromWire(int pos, Buffer buffer) {
        int length = buffer.getInt(pos);
        return new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length));
    }

    @Override
    public JsonObject transform(JsonObject o) {
        return o;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
