package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code .../events}: one event, or a replay batch of events from the outbox. A batch is limited by its size
 * ({@link Limits#BATCH_BYTES}), not by a count. Its events are independent: one that breaks the contract is
 * {@link #rejected()} on its own, and the others are read as usual.
 */
public record EventsMessage(List<Event> events, boolean batch, List<Rejected> rejected) implements Message {

    /** An event of a batch that breaks the contract: where it was, its id when one can be read, and why. */
    public record Rejected(String path, Optional<String> id, ProtocolException error, Object event) {

        /** The event as it came, for the dead-letter store. */
        public byte[] payload() {
            String text = event instanceof JsonObject o ? o.encode() : String.valueOf(event);
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    public EventsMessage {
        events = List.copyOf(events);
        rejected = List.copyOf(rejected);
    }

    public EventsMessage(List<Event> events, boolean batch) {
        this(events, batch, List.of());
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
        List<Event> list = new ArrayList<>(a.size());
        List<Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String path = "events[" + i + "]";
            Object item = a.getValue(i);
            try {
                if (!(item instanceof JsonObject e)) {
                    throw new ProtocolException(path, "type", "must be an object");
                }
                list.add(Event.parse(e, path));
            } catch (ProtocolException e) {
                rejected.add(new Rejected(path, idOf(item), e, item));
            }
        }
        return new EventsMessage(list, true, rejected);
    }

    /**
     * The event ids in an events payload that may be broken (for acknowledging what is dead-lettered): every
     * well-formed ULID under {@code "id"} or {@code "events[i].id"}, once each; empty when the payload is no JSON
     * object or over the size limit.
     */
    public static List<String> idsIn(byte[] payload) {
        if (payload == null || payload.length > Limits.BATCH_BYTES) {
            return List.of();
        }
        JsonObject o;
        try {
            o = new JsonObject(new String(payload, StandardCharsets.UTF_8).strip());
        } catch (RuntimeException e) {
            return List.of();
        }
        Set<String> ids = new LinkedHashSet<>();
        idOf(o).ifPresent(ids::add);
        if (o.getValue("events") instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                idOf(a.getValue(i)).ifPresent(ids::add);
            }
        }
        return List.copyOf(ids);
    }

    private static Optional<String> idOf(Object event) {
        if (event instanceof JsonObject o && o.getValue("id") instanceof String id && Ulid.isValid(id)) {
            return Optional.of(id);
        }
        return Optional.empty();
    }

    /** The encoded payload; {@link #rejected()} events are what a received payload held, never sent again. */
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
