package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract's limits, as the codec keeps them. */
class LimitsTest {

    private static final long TS = Samples.TS;

    private static byte[] wire(JsonObject o) {
        return o.encode().getBytes(StandardCharsets.UTF_8);
    }

    /** An event of exactly {@code bytes} bytes when published alone. */
    private static Event eventOf(int bytes) {
        Event empty = new Event(Ulid.next(TS), TS, "selftest.result", new JsonObject().put("log", ""));
        Event e = new Event(empty.id(), TS, empty.type(), new JsonObject().put("log", "x".repeat(bytes - empty.encodedBytes())));
        assertThat(e.encodedBytes()).isEqualTo(bytes);
        return e;
    }

    @Test
    void aThousandEventReplayBatchOfAbout122KibibytesIsAcceptedWhole() throws ProtocolException {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            events.add(new Event(Ulid.next(TS), TS + i, EventType.ACCESS_GRANTED,
                    new JsonObject().put("n", i).put("method", "qr").put("member", String.format("m-%08d", i))));
        }
        EventsMessage batch = EventsMessage.batch(events);
        byte[] wire = Codec.encode(batch).getBytes();
        assertThat(wire.length).isBetween(115 * 1024, 130 * 1024);
        EventsMessage read = Codec.decode(Channel.EVENTS, wire, EventsMessage.class);
        assertThat(read.events()).hasSize(1000);
        assertThat(read.rejected()).isEmpty();
    }

    @Test
    void aBatchOfAsManyOfTheSmallestEventsAsFitIsAcceptedSoTheByteLimitIsTheOnlyCap() throws ProtocolException {
        JsonArray a = new JsonArray();
        for (int i = 0; i < Limits.BATCH_EVENTS; i++) {
            a.add(new JsonObject().put("id", Ulid.next(TS)).put("ts", 0).put("type", "a.b"));
        }
        JsonObject full = new JsonObject().put("v", 1).put("events", a);
        assertThat(wire(full).length).as("the smallest events fill the batch limit")
                .isLessThanOrEqualTo(Limits.BATCH_BYTES)
                .isGreaterThan(Limits.BATCH_BYTES - Limits.SMALLEST_BATCH_EVENT_BYTES);
        assertThat(Codec.decode(Channel.EVENTS, wire(full), EventsMessage.class).events()).hasSize(Limits.BATCH_EVENTS);

        a.add(new JsonObject().put("id", Ulid.next(TS)).put("ts", 0).put("type", "a.b"));
        assertThat(wire(full).length).as("one more does not fit").isGreaterThan(Limits.BATCH_BYTES);
        assertThatThrownBy(() -> Codec.decode(Channel.EVENTS, wire(full)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo("too-large"));
    }

    @Test
    void anEventMayBeAsLargeAsTheEventLimitAloneOrInABatchButNotOneByteMore() throws ProtocolException {
        Event largest = eventOf(Limits.EVENT_BYTES);
        assertThat(Codec.decode(Channel.EVENTS, wire(largest.toJson()), EventsMessage.class).events())
                .containsExactly(largest);
        Event small = new Event(Ulid.next(TS), TS, EventType.DOOR_OPENED, new JsonObject());
        EventsMessage batch = Codec.decode(Channel.EVENTS, wire(EventsMessage.batch(List.of(largest, small)).toJson()),
                EventsMessage.class);
        assertThat(batch.events()).containsExactly(largest, small);

        Event over = eventOf(Limits.EVENT_BYTES + 1);
        assertThatThrownBy(() -> Codec.decode(Channel.EVENTS, wire(over.toJson())))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.reason()).isEqualTo("too-large");
                    assertThat(e.getMessage()).contains(String.valueOf(Limits.EVENT_BYTES + 1));
                });
        EventsMessage withOver = Codec.decode(Channel.EVENTS,
                wire(EventsMessage.batch(List.of(small, over)).toJson()), EventsMessage.class);
        assertThat(withOver.events()).as("the rest of the batch is read").containsExactly(small);
        assertThat(withOver.rejected()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("events[1]");
            assertThat(r.id()).contains(over.id());
            assertThat(r.error().reason()).isEqualTo("too-large");
            assertThat(new String(r.payload(), StandardCharsets.UTF_8)).contains(over.id());
        });
    }

    @Test
    void measuresTheEventAsTheCodecWritesItNotAsItCame() {
        // "1e6" is three bytes on the wire and "1000000.0" once read: what is stored is what is measured
        String id = Ulid.next(TS);
        StringBuilder text = new StringBuilder("{\"v\":1,\"id\":\"" + id + "\",\"ts\":1,\"type\":\"selftest.result\",\"data\":{\"x\":[");
        while (text.length() < 30 * 1024) {
            text.append("1e6,");
        }
        text.append("0]}}");
        byte[] payload = text.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(payload.length).isLessThan(Limits.EVENT_BYTES);
        assertThatThrownBy(() -> Codec.decode(Channel.EVENTS, payload))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo("too-large"));
    }

    @Test
    void aBrokenEventInABatchIsRejectedAloneWithItsIdWhenItHasOne() throws ProtocolException {
        Event good = new Event(Ulid.next(TS), TS, EventType.DOOR_OPENED, new JsonObject());
        String badId = Ulid.next(TS);
        JsonObject payload = new JsonObject().put("v", 1).put("events", new JsonArray()
                .add(good.toJsonInBatch())
                .add(new JsonObject().put("id", badId).put("ts", 1).put("type", "NOT A TYPE"))
                .add(42)
                .add(new JsonObject().put("id", "not-a-ulid").put("ts", 1).put("type", "door.closed")));
        EventsMessage m = Codec.decode(Channel.EVENTS, wire(payload), EventsMessage.class);
        assertThat(m.events()).containsExactly(good);
        assertThat(m.rejected()).extracting(EventsMessage.Rejected::path)
                .containsExactly("events[1]", "events[2]", "events[3]");
        assertThat(m.rejected()).extracting(r -> r.id().orElse("none")).containsExactly(badId, "none", "none");
        assertThat(m.rejected().get(0).error().field()).isEqualTo("events[1].type");
    }

    @Test
    void fieldLimitsMatchTheRegistryAndTheTopics() {
        assertThat(Ulid.next(TS)).hasSize(Limits.EVENT_ID_CHARS);
        assertThat(Topics.isValidStationId("a".repeat(Limits.STATION_ID_CHARS))).isTrue();
        assertThat(Topics.isValidStationId("a".repeat(Limits.STATION_ID_CHARS + 1))).isFalse();
        String longType = "a".repeat(31) + "." + "b".repeat(31) + "." + "c".repeat(31) + "." + "d".repeat(5);
        assertThat(longType).hasSize(Limits.EVENT_TYPE_CHARS + 1);
        assertThat(EventType.isWellFormed(longType)).as("well formed, yet longer than a type may be").isTrue();
        JsonObject e = new JsonObject().put("v", 1).put("id", Ulid.next(TS)).put("ts", 1).put("type", longType);
        assertThatThrownBy(() -> Codec.decode(Channel.EVENTS, wire(e)))
                .isInstanceOfSatisfying(ProtocolException.class, x -> assertThat(x.field()).isEqualTo("type"));
    }

    @Test
    void countsUtf8BytesWithoutEncoding() {
        String s = "a驿站é😀";
        assertThat(Limits.utf8Length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
}
