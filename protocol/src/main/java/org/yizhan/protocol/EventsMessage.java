package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code .../events}: one event, or a replay batch of events from the outbox. */
public record EventsMessage(List<Event> events, boolean batch) implements Message {

    /** Largest number of events in one replay batch. */
    public static final int MAX_BATCH_EVENTS = 500;

    public EventsMessage {
        events = List.copyOf(events);
    }

    public static EventsMessage single(Event e) {
        return new EventsMessage(List.of(e), false);
    }

    public static EventsMessage batch(List<Event> events) {
        return new EventsMessage(events, true);
    }

    static EventsMessage parse(JsonObject o) throws ProtocolException {
        Object raw = o.getValue("events");
        if (raw == null) {
            return single(Event.parse(o, ""));
        }
        if (!(raw instanceof JsonArray a)) {
            throw new ProtocolException("events", "type", "must be an array");
        }
        if (a.isEmpty()) {
            throw new ProtocolException("events", "range", "must hold at least one event");
        }
        if (a.size() > MAX_BATCH_EVENTS) {
            throw new ProtocolException("events", "range", "must hold at most " + MAX_BATCH_EVENTS + " events");
        }
        List<Event> list = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            if (!(a.getValue(i) instanceof JsonObject e)) {
                throw new ProtocolException("events[" + i + "]", "type", "must be an object");
            }
            list.add(Event.parse(e, "events[" + i + "]"));
        }
        return batch(list);
    }

    /**
     * The event ids in an events payload that may be broken (for acknowledging what is dead-lettered): every
     * well-formed ULID under {@code "id"} or {@code "events[i].id"}, once each, at most {@link #MAX_BATCH_EVENTS};
     * empty when the payload is no JSON object or over the size limit.
     */
    public static List<String> idsIn(byte[] payload) {
        if (payload == null || payload.length > Codec.MAX_BATCH_BYTES) {
            return List.of();
        }
        JsonObject o;
        try {
            o = new JsonObject(new String(payload, StandardCharsets.UTF_8).strip());
        } catch (RuntimeException e) {
            return List.of();
        }
        Set<String> ids = new LinkedHashSet<>();
        addId(ids, o);
        if (o.getValue("events") instanceof JsonArray a) {
            for (int i = 0; i < a.size() && ids.size() < MAX_BATCH_EVENTS; i++) {
                if (a.getValue(i) instanceof JsonObject e) {
                    addId(ids, e);
                }
            }
        }
        return List.copyOf(ids);
    }

    private static void addId(Set<String> ids, JsonObject o) {
        if (o.getValue("id") instanceof String id && Ulid.isValid(id)) {
            ids.add(id);
        }
    }

    @Override
    public JsonObject toJson() {
        if (!batch && events.size() == 1) {
            return events.get(0).toJson();
        }
        JsonArray a = new JsonArray();
        events.forEach(e -> a.add(e.toJsonInBatch()));
        return new JsonObject().put("v", Codec.VERSION).put("events", a);
    }
}
