package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code .../events/ack} (contract 1.1, hub to station): the ids of events the hub has committed, or already had,
 * or dead-lettered; the station may delete them from its outbox. At most {@link Limits#ACK_IDS} ids (a larger batch
 * is acknowledged in several), each a ULID, no id twice.
 */
public record EventsAck(long ts, List<String> ids) implements Message {

    public EventsAck {
        ids = List.copyOf(ids);
    }

    static EventsAck parse(JsonObject o) throws ProtocolException {
        long ts = Codec.ts(o);
        JsonArray a = Fields.optionalArray(o, "", "ids")
                .orElseThrow(() -> new ProtocolException("ids", "missing", "is required"));
        if (a.isEmpty()) {
            throw new ProtocolException("ids", "range", "must hold at least one id");
        }
        if (a.size() > Limits.ACK_IDS) {
            throw new ProtocolException("ids", "range", "must hold at most " + Limits.ACK_IDS + " ids");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < a.size(); i++) {
            String path = "ids[" + i + "]";
            if (!(a.getValue(i) instanceof String id)) {
                throw new ProtocolException(path, "type", "must be a string, was " + Fields.describe(a.getValue(i)));
            }
            if (!Ulid.isValid(id)) {
                throw new ProtocolException(path, "range", "must be a ULID (26 Crockford base32 characters)");
            }
            if (!ids.add(id)) {
                throw new ProtocolException(path, "range", "repeats " + id);
            }
        }
        return new EventsAck(ts, new ArrayList<>(ids));
    }

    @Override
    public JsonObject toJson() {
        return new JsonObject().put("v", Codec.VERSION).put("ts", ts).put("ids", new JsonArray(ids));
    }
}
