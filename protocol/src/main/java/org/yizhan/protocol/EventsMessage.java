package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

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
