package org.yizhan.protocol;

import io.vertx.core.json.JsonObject;

/** {@code .../heartbeat}: sent every {@code heartbeatSeconds}; {@code outbox} is the number of unsent events. */
public record Heartbeat(long ts, long seq, long uptimeS, int outbox) implements Message {

    static Heartbeat parse(JsonObject o) throws ProtocolException {
        return new Heartbeat(Codec.ts(o),
                Fields.requireLong(o, "", "seq", 0, Long.MAX_VALUE),
                Fields.requireLong(o, "", "uptimeS", 0, Long.MAX_VALUE),
                Fields.intOr(o, "", "outbox", 0, Integer.MAX_VALUE, 0));
    }

    @Override
    public JsonObject toJson() {
        return new JsonObject().put("v", Codec.VERSION).put("ts", ts).put("seq", seq).put("uptimeS", uptimeS)
                .put("outbox", outbox);
    }
}
