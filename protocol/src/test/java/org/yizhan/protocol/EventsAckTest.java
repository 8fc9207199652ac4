package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Contract 1.1's {@code .../events/ack}, and reading the ids of a broken events payload. */
class EventsAckTest {

    private static final String A = "01JH0000000000000000000000";
    private static final String B = "01JH0000000000000000000001";

    private static JsonObject ack(Object ids) {
        return new JsonObject().put("v", 1).put("ts", Samples.TS).put("ids", ids);
    }

    private static ProtocolException rejected(JsonObject o) {
        return rejected(o.encode().getBytes(StandardCharsets.UTF_8));
    }

    private static ProtocolException rejected(byte[] payload) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> Codec.decode(Channel.EVENTS_ACK, payload));
        assertThat(e).as("decoding must be refused").isNotNull();
        return e;
    }

    @Test
    void theTopicIsUnderTheStationsRootAndGoesDown() {
        assertThat(Topics.of("st-001", Channel.EVENTS_ACK)).isEqualTo("yizhan/v1/stations/st-001/events/ack");
        assertThat(Topics.parse("yizhan/v1/stations/st-001/events/ack"))
                .contains(new Topics.Address("st-001", Channel.EVENTS_ACK));
        assertThat(Channel.EVENTS_ACK.direction()).isEqualTo(Channel.Direction.DOWN);
        assertThat(Channel.EVENTS_ACK.qos()).isEqualTo(1);
        assertThat(Channel.EVENTS_ACK.retain()).isFalse();
    }

    @Test
    void roundTripsTheLargestAck() throws ProtocolException {
        List<String> ids = IntStream.range(0, Limits.ACK_IDS).mapToObj(i -> Ulid.next(Samples.TS))
                .toList();
        EventsAck m = new EventsAck(Samples.TS, ids);
        byte[] wire = Codec.encode(m).getBytes();
        assertThat(wire.length).as("fits the payload limit").isLessThan(Channel.EVENTS_ACK.maxBytes());
        assertThat(Codec.decode(Channel.EVENTS_ACK, wire, EventsAck.class)).isEqualTo(m);
    }

    @Test
    void decodesTheContractsExample() throws ProtocolException {
        String text = "{\"v\":1,\"ts\":1767225600000,\"ids\":[\"" + A + "\",\"" + B + "\"],\"extra\":true}";
        assertThat(Codec.decode(Channel.EVENTS_ACK, text.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new EventsAck(Samples.TS, List.of(A, B)));
    }

    @Test
    void refusesMissingEmptyOversizedOrMistypedIds() {
        assertThat(rejected(new JsonObject().put("v", 1).put("ts", Samples.TS)))
                .extracting(ProtocolException::field, ProtocolException::reason).containsExactly("ids", "missing");
        assertThat(rejected(ack("x"))).extracting(ProtocolException::field, ProtocolException::reason)
                .containsExactly("ids", "type");
        assertThat(rejected(ack(new JsonArray()))).extracting(ProtocolException::field, ProtocolException::reason)
                .containsExactly("ids", "range");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= Limits.ACK_IDS; i++) {
            tooMany.add(Ulid.next(Samples.TS));
        }
        assertThat(rejected(ack(new JsonArray(tooMany)))).extracting(ProtocolException::field,
                ProtocolException::reason).containsExactly("ids", "range");
        assertThat(rejected(ack(new JsonArray().add(A).add(7))))
                .extracting(ProtocolException::field, ProtocolException::reason).containsExactly("ids[1]", "type");
        assertThat(rejected(ack(new JsonArray().add("not-a-ulid"))))
                .extracting(ProtocolException::field, ProtocolException::reason).containsExactly("ids[0]", "range");
        assertThat(rejected(ack(new JsonArray().add(A).add(A))))
                .extracting(ProtocolException::field, ProtocolException::reason).containsExactly("ids[1]", "range");
    }

    @Test
    void refusesAWrongVersionMissingTimestampOrOversizedPayload() {
        assertThat(rejected(ack(new JsonArray().add(A)).put("v", 2)).reason()).isEqualTo("version");
        JsonObject noTs = ack(new JsonArray().add(A));
        noTs.remove("ts");
        assertThat(rejected(noTs).field()).isEqualTo("ts");
        byte[] big = new byte[Limits.PAYLOAD_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        assertThat(rejected(big).reason()).isEqualTo("too-large");
    }

    @Test
    void readsTheIdsOfABrokenEventsPayload() {
        String badType = "{\"v\":1,\"events\":[{\"id\":\"" + A + "\",\"ts\":1,\"type\":\"NOT A TYPE\"},"
                + "{\"id\":\"" + B + "\",\"ts\":-5,\"type\":\"door.opened\"},{\"id\":\"nope\"},7,{\"id\":\"" + A + "\"}]}";
        assertThat(EventsMessage.idsIn(badType.getBytes(StandardCharsets.UTF_8))).containsExactly(A, B);
        String single = "{\"v\":9,\"id\":\"" + A + "\"}";
        assertThat(EventsMessage.idsIn(single.getBytes(StandardCharsets.UTF_8))).containsExactly(A);
        assertThat(EventsMessage.idsIn("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(EventsMessage.idsIn("[1,2]".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(EventsMessage.idsIn(new byte[0])).isEmpty();
        assertThat(EventsMessage.idsIn(null)).isEmpty();
        byte[] oversized = new byte[Limits.BATCH_BYTES + 1];
        assertThat(EventsMessage.idsIn(oversized)).isEmpty();
    }
}
