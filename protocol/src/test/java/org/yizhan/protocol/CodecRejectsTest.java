package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CodecRejectsTest {

    private static final String HB = "{\"v\":1,\"ts\":1767225600000,\"seq\":1,\"uptimeS\":10,\"outbox\":0}";

    private static ProtocolException rejected(Channel channel, byte[] payload) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> Codec.decode(channel, payload));
        assertThat(e).as("decoding must be refused with a ProtocolException").isNotNull();
        assertThat(e.getMessage()).as("the message starts with the field").startsWith(e.field() + ": ");
        return e;
    }

    private static ProtocolException rejected(Channel channel, String payload) {
        return rejected(channel, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A batch whose one event breaks the contract: that event is rejected alone, by field and reason. */
    private static void assertEventRejected(String payload, String field, String reason) {
        EventsMessage m;
        try {
            m = Codec.decode(Channel.EVENTS, payload.getBytes(StandardCharsets.UTF_8), EventsMessage.class);
        } catch (ProtocolException e) {
            throw new AssertionError("the batch must be read, its bad event rejected: " + e.getMessage(), e);
        }
        assertThat(m.rejected()).as("rejected in %s", payload).singleElement().satisfies(r -> {
            assertThat(r.error().field()).isEqualTo(field);
            assertThat(r.error().reason()).isEqualTo(reason);
        });
    }

    private static void assertRejected(Channel channel, String payload, String field, String reason) {
        ProtocolException e = rejected(channel, payload);
        assertThat(e.field()).as("field for %s", payload).isEqualTo(field);
        assertThat(e.reason()).as("reason for %s (%s)", payload, e.getMessage()).isEqualTo(reason);
    }

    /** The heartbeat sample with one field set to a raw JSON value ({@code null} removes it). */
    private static String heartbeatWith(String field, String rawValue) {
        JsonObject o = new JsonObject(HB);
        o.remove(field);
        String base = o.encode();
        if (rawValue == null) {
            return base;
        }
        return base.substring(0, base.length() - 1) + ",\"" + field + "\":" + rawValue + "}";
    }

    @Test
    void acceptsTheSampleHeartbeat() throws ProtocolException {
        assertThat(Codec.decode(Channel.HEARTBEAT, HB.getBytes())).isEqualTo(new Heartbeat(1767225600000L, 1, 10, 0));
    }

    @ParameterizedTest
    @EnumSource(Channel.class)
    void rejectsAnEmptyPayloadOnEveryChannel(Channel channel) {
        assertThat(rejected(channel, new byte[0])).extracting(ProtocolException::field, ProtocolException::reason)
                .containsExactly("$", "malformed");
        assertThat(rejected(channel, (byte[]) null).reason()).isEqualTo("malformed");
    }

    @Test
    void rejectsBytesThatAreNotUtf8() {
        byte[] bad = {'{', '"', 'v', '"', ':', '1', ',', '"', 'x', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        ProtocolException e = rejected(Channel.HEARTBEAT, bad);
        assertThat(e.field()).isEqualTo("$");
        assertThat(e.reason()).isEqualTo("malformed");
        assertThat(e.getMessage()).contains("UTF-8");
        assertThat(rejected(Channel.EVENTS, new byte[]{(byte) 0xFF, (byte) 0xFE, '{', '}'}).reason())
                .isEqualTo("malformed");
    }

    @Test
    void rejectsTextThatIsNotJson() {
        assertRejected(Channel.HEARTBEAT, "hello", "$", "malformed");
        assertRejected(Channel.HEARTBEAT, "{v:1}", "$", "malformed");
        assertRejected(Channel.HEARTBEAT, "{\"v\":1,}", "$", "malformed");
        assertRejected(Channel.HEARTBEAT, "   ", "$", "malformed");
    }

    @Test
    void rejectsJsonThatIsNotAnObject() {
        assertRejected(Channel.HEARTBEAT, "[" + HB + "]", "$", "malformed");
        assertRejected(Channel.HEARTBEAT, "1", "$", "malformed");
        assertRejected(Channel.HEARTBEAT, "\"{}\"", "$", "malformed");
        assertRejected(Channel.HEARTBEAT, "null", "$", "malformed");
    }

    @Test
    void rejectsTruncatedJson() {
        for (int cut = 1; cut < HB.length() - 1; cut++) {
            ProtocolException e = rejected(Channel.HEARTBEAT, HB.substring(0, cut));
            assertThat(e.reason()).as("cut at %d", cut).isEqualTo("malformed");
        }
    }

    @Test
    void rejectsTrailingGarbageAfterTheObject() {
        assertRejected(Channel.HEARTBEAT, HB + "}", "$", "malformed");
        assertRejected(Channel.HEARTBEAT, HB + HB, "$", "malformed");
        assertRejected(Channel.HEARTBEAT, HB + " x", "$", "malformed");
    }

    @Test
    void rejectsAMissingOrWrongVersion() {
        assertRejected(Channel.HEARTBEAT, heartbeatWith("v", null), "v", "missing");
        assertRejected(Channel.HEARTBEAT, heartbeatWith("v", "2"), "v", "version");
        assertRejected(Channel.HEARTBEAT, heartbeatWith("v", "\"1\""), "v", "version");
        assertRejected(Channel.HEARTBEAT, heartbeatWith("v", "0"), "v", "version");
        assertRejected(Channel.HEARTBEAT, heartbeatWith("v", "1.5"), "v", "version");
        assertThat(rejected(Channel.HEARTBEAT, heartbeatWith("v", "2")).getMessage()).isEqualTo("v: must be 1, was 2");
    }

    @ParameterizedTest(name = "ts = {0}")
    @CsvSource(delimiter = '|', value = {
            "                         | missing",
            "'\"1767225600000\"'      | type",
            "1767225600000.5          | type",
            "-1                       | range",
            "9223372036854775807      | range",
            "99999999999999999999999  | range",
            "1e300                    | type",
            "1e400                    | range",
            "true                     | type",
            "{}                       | type",
            "[]                       | type",
    })
    void rejectsABadTimestamp(String raw, String reason) {
        assertRejected(Channel.HEARTBEAT, heartbeatWith("ts", raw), "ts", reason);
    }

    @Test
    void acceptsATimestampWrittenAsAWholeDouble() throws ProtocolException {
        Heartbeat h = Codec.decode(Channel.HEARTBEAT, heartbeatWith("ts", "1.7672256E12").getBytes(), Heartbeat.class);
        assertThat(h.ts()).isEqualTo(1_767_225_600_000L);
    }

    @Test
    void rejectsBadHeartbeatCounters() {
        assertRejected(Channel.HEARTBEAT, heartbeatWith("seq", "-1"), "seq", "range");
        assertRejected(Channel.HEARTBEAT, heartbeatWith("uptimeS", "\"10\""), "uptimeS", "type");
        assertRejected(Channel.HEARTBEAT, heartbeatWith("outbox", "-3"), "outbox", "range");
        assertRejected(Channel.HEARTBEAT, heartbeatWith("outbox", "4294967296"), "outbox", "range");
    }

    /** Found by the long fuzzing run: 1e999 parsed as infinity and was written back as the string "Infinity". */
    @Test
    void rejectsANumberTooLargeForADoubleAnywhere() {
        assertRejected(Channel.CONFIG, "{\"v\":1,\"ts\":1767225600000,\"version\":7,\"config\":{\"v\":1,"
                + "\"stationId\":\"st-2001\",\"heartbeatSeconds\":10,\"telemetrySeconds\":1e999}}",
                "config.telemetrySeconds", "range");
        assertRejected(Channel.TELEMETRY, telemetryWithChargers("[{\"port\":1,\"state\":\"charging\","
                + "\"energyWh\":-1e400}]"), "chargers[0].energyWh", "range");
        assertRejected(Channel.HEARTBEAT, heartbeatWith("uptimeS", "1E309"), "uptimeS", "range");
        // and then with an empty key (the run's next find): the field is still named
        assertRejected(Channel.HEARTBEAT, "{\"v\":1,\"ts\":1,\"seq\":1,\"uptimeS\":1,\"outbox\":0,\"\":1e999}",
                "\"\"", "range");
    }

    @Test
    void rejectsBadStateMessages() {
        assertRejected(Channel.STATE, "{\"v\":1,\"ts\":1,\"online\":false,\"session\":1}", "reason", "missing");
        assertRejected(Channel.STATE, "{\"v\":1,\"ts\":1,\"online\":\"yes\",\"session\":1}", "online", "type");
        assertRejected(Channel.STATE, "{\"v\":1,\"ts\":1,\"online\":true}", "session", "missing");
        assertRejected(Channel.STATE, "{\"v\":1,\"ts\":1,\"online\":true,\"session\":1,\"configVersion\":-1}",
                "configVersion", "range");
        assertRejected(Channel.STATE, "{\"v\":1,\"ts\":1,\"online\":true,\"session\":1,\"configVersion\":3000000000}",
                "configVersion", "range");
    }

    private static String telemetryWithChargers(String chargers) {
        return "{\"v\":1,\"ts\":1,\"chargers\":" + chargers + "}";
    }

    @Test
    void namesTheNestedFieldOfAWrongType() {
        String chargers = "[{\"port\":1,\"state\":\"charging\",\"powerW\":100},"
                + "{\"port\":2,\"state\":\"charging\",\"powerW\":\"180\"}]";
        ProtocolException e = rejected(Channel.TELEMETRY, telemetryWithChargers(chargers));
        assertThat(e.field()).isEqualTo("chargers[1].powerW");
        assertThat(e.reason()).isEqualTo("type");
        assertThat(e.getMessage()).isEqualTo("chargers[1].powerW: must be a number, was a string");

        assertRejected(Channel.TELEMETRY, telemetryWithChargers("[{\"port\":\"1\",\"state\":\"charging\"}]"),
                "chargers[0].port", "type");
        assertRejected(Channel.TELEMETRY, telemetryWithChargers("[{\"port\":1,\"state\":\"charging\",\"tempC\":true}]"),
                "chargers[0].tempC", "type");
        assertRejected(Channel.TELEMETRY, telemetryWithChargers("[{\"port\":1,\"state\":\"charging\",\"energyWh\":-1}]"),
                "chargers[0].energyWh", "range");
        assertRejected(Channel.TELEMETRY, telemetryWithChargers("[{\"port\":1,\"state\":\"charging\",\"powerW\":1e6}]"),
                "chargers[0].powerW", "range");
        assertRejected(Channel.TELEMETRY, telemetryWithChargers("[{\"port\":65,\"state\":\"charging\"}]"),
                "chargers[0].port", "range");
        assertRejected(Channel.TELEMETRY, telemetryWithChargers("[1]"), "chargers[0]", "type");
        assertRejected(Channel.TELEMETRY, telemetryWithChargers("{}"), "chargers", "type");
        assertRejected(Channel.TELEMETRY, "{\"v\":1,\"ts\":1,\"occupancy\":{\"count\":\"3\",\"capacity\":20}}",
                "occupancy.count", "type");
        assertRejected(Channel.TELEMETRY, "{\"v\":1,\"ts\":1,\"occupancy\":{\"count\":3}}", "occupancy.capacity",
                "missing");
        assertRejected(Channel.TELEMETRY, "{\"v\":1,\"ts\":1,\"door\":{\"open\":1,\"locked\":true}}", "door.open",
                "type");
        assertRejected(Channel.TELEMETRY, "{\"v\":1,\"ts\":1,\"door\":[]}", "door", "type");
        assertRejected(Channel.TELEMETRY, "{\"v\":1,\"ts\":1,\"env\":{\"humidity\":\"wet\"}}", "env.humidity", "type");
    }

    @Test
    void rejectsADuplicateChargerPort() {
        ProtocolException e = rejected(Channel.TELEMETRY,
                telemetryWithChargers("[{\"port\":3,\"state\":\"charging\"},{\"port\":3,\"state\":\"available\"}]"));
        assertThat(e.field()).isEqualTo("chargers[1].port");
        assertThat(e.reason()).isEqualTo("range");
        assertThat(e.getMessage()).contains("port 3 is listed twice");
    }

    @Test
    void rejectsAnUnknownChargerState() {
        ProtocolException e = rejected(Channel.TELEMETRY,
                telemetryWithChargers("[{\"port\":1,\"state\":\"available\"},{\"port\":2,\"state\":\"exploding\"}]"));
        assertThat(e.field()).isEqualTo("chargers[1].state");
        assertThat(e.reason()).isEqualTo("range");
        assertThat(e.getMessage()).contains("'exploding'");
        assertRejected(Channel.TELEMETRY, telemetryWithChargers("[{\"port\":1,\"state\":\"CHARGING\"}]"),
                "chargers[0].state", "range");
    }

    @Test
    void rejectsTooManyChargers() {
        JsonArray a = new JsonArray();
        for (int i = 1; i <= Telemetry.MAX_PORTS + 1; i++) {
            a.add(new JsonObject().put("port", i).put("state", "available"));
        }
        assertRejected(Channel.TELEMETRY, telemetryWithChargers(a.encode()), "chargers", "range");
    }

    @Test
    void rejectsAnEventWithABadUlid() {
        String ok = Ulid.next(1);
        for (String bad : new String[]{"not-a-ulid", ok.toLowerCase(), ok.substring(1), ok + "0",
                "8" + ok.substring(1), ok.substring(0, 25) + "U"}) {
            assertRejected(Channel.EVENTS, "{\"v\":1,\"id\":\"" + bad + "\",\"ts\":1,\"type\":\"door.opened\"}", "id",
                    "range");
        }
        assertRejected(Channel.EVENTS, "{\"v\":1,\"id\":42,\"ts\":1,\"type\":\"door.opened\"}", "id", "type");
        assertEventRejected("{\"v\":1,\"events\":[{\"id\":\"" + ok + "\",\"ts\":1,\"type\":\"door.opened\"},"
                + "{\"id\":\"nope\",\"ts\":1,\"type\":\"door.opened\"}]}", "events[1].id", "range");
    }

    @Test
    void rejectsBadEventFields() {
        String id = Ulid.next(1);
        assertRejected(Channel.EVENTS, "{\"v\":1,\"id\":\"" + id + "\",\"ts\":1,\"type\":\"Door Opened\"}", "type",
                "range");
        assertRejected(Channel.EVENTS, "{\"v\":1,\"id\":\"" + id + "\",\"ts\":1}", "type", "missing");
        assertRejected(Channel.EVENTS, "{\"v\":1,\"id\":\"" + id + "\",\"ts\":1,\"type\":\"door.opened\",\"data\":[]}",
                "data", "type");
        assertEventRejected("{\"v\":1,\"events\":[{\"id\":\"" + id + "\",\"ts\":\"1\",\"type\":\"door.opened\"}]}",
                "events[0].ts", "type");
        assertRejected(Channel.EVENTS, "{\"v\":1,\"events\":[]}", "events", "range");
        assertRejected(Channel.EVENTS, "{\"v\":1,\"events\":{}}", "events", "type");
        assertEventRejected("{\"v\":1,\"events\":[\"x\"]}", "events[0]", "type");
    }

    @Test
    void acceptsAWellFormedEventTypeItDoesNotKnowYet() throws ProtocolException {
        String id = Ulid.next(1);
        EventsMessage m = Codec.decode(Channel.EVENTS,
                ("{\"v\":1,\"id\":\"" + id + "\",\"ts\":1,\"type\":\"washroom.occupied\"}").getBytes(), EventsMessage.class);
        assertThat(m.events()).singleElement().extracting(Event::type).isEqualTo("washroom.occupied");
    }

    @Test
    void rejectsAnUnknownCommandName() {
        ProtocolException e = rejected(Channel.COMMAND,
                "{\"v\":1,\"ts\":1,\"id\":\"c-1\",\"name\":\"door.explode\",\"expiresAt\":2}");
        assertThat(e.field()).isEqualTo("name");
        assertThat(e.reason()).isEqualTo("range");
        assertThat(e.getMessage()).contains("'door.explode'");
        assertRejected(Channel.COMMAND, "{\"v\":1,\"ts\":1,\"id\":\"c-1\",\"name\":\"door.unlock\"}", "expiresAt",
                "missing");
        assertRejected(Channel.COMMAND, "{\"v\":1,\"ts\":1,\"id\":\"c-1\",\"name\":\"door.unlock\",\"args\":5,"
                + "\"expiresAt\":2}", "args", "type");
    }

    @Test
    void rejectsAFailedCommandResultWithoutItsError() {
        assertRejected(Channel.COMMAND_RESULT, "{\"v\":1,\"ts\":1,\"id\":\"c-1\",\"ok\":false}", "error", "missing");
        assertRejected(Channel.COMMAND_RESULT, "{\"v\":1,\"ts\":1,\"id\":\"c-1\",\"ok\":false,\"error\":{}}",
                "error.code", "missing");
        assertRejected(Channel.COMMAND_RESULT, "{\"v\":1,\"ts\":1,\"id\":\"\",\"ok\":true}", "id", "range");
    }

    @Test
    void rejectsAConfigWithoutItsBody() {
        assertRejected(Channel.CONFIG, "{\"v\":1,\"ts\":1,\"version\":3}", "config", "missing");
        assertRejected(Channel.CONFIG, "{\"v\":1,\"ts\":1,\"version\":-3,\"config\":{}}", "version", "range");
    }

    @Test
    void rejectsAHeartbeatOneByteOverSixtyFourKibibytes() {
        byte[] big = new byte[64 * 1024 + 1];
        Arrays.fill(big, (byte) ' ');
        byte[] hb = HB.getBytes();
        System.arraycopy(hb, 0, big, 0, hb.length);
        ProtocolException e = rejected(Channel.HEARTBEAT, big);
        assertThat(e.field()).isEqualTo("$");
        assertThat(e.reason()).isEqualTo("too-large");
        assertThat(e.getMessage()).contains("65537").contains("65536");
    }

    @Test
    void acceptsAHeartbeatOfExactlySixtyFourKibibytes() throws ProtocolException {
        byte[] big = new byte[64 * 1024];
        Arrays.fill(big, (byte) ' ');
        byte[] hb = HB.getBytes();
        System.arraycopy(hb, 0, big, 0, hb.length);
        assertThat(Codec.decode(Channel.HEARTBEAT, big)).isInstanceOf(Heartbeat.class);
    }

    @Test
    void acceptsAnEventBatchOfTwoHundredKibibytesButNotOverTheBatchLimit() throws ProtocolException {
        EventsMessage batch = Samples.batch(400, 400);
        byte[] wire = Codec.encode(batch).getBytes();
        assertThat(wire.length).isBetween(200 * 1024, Limits.BATCH_BYTES);
        assertThat(Codec.decode(Channel.EVENTS, wire)).isEqualTo(batch);

        byte[] tooBig = Codec.encode(Samples.batch(400, 700)).getBytes();
        assertThat(tooBig.length).isGreaterThan(Limits.BATCH_BYTES);
        assertThat(rejected(Channel.EVENTS, tooBig).reason()).isEqualTo("too-large");
        assertThat(rejected(Channel.HEARTBEAT, wire).reason()).as("the batch limit is for events only")
                .isEqualTo("too-large");
    }

    @Test
    void ignoresUnknownFieldsAtEveryLevel() throws ProtocolException {
        Heartbeat h = Codec.decode(Channel.HEARTBEAT, heartbeatWith("firmware", "{\"x\":[1,2,{\"y\":null}]}").getBytes(),
                Heartbeat.class);
        assertThat(h).isEqualTo(new Heartbeat(1767225600000L, 1, 10, 0));
        Telemetry t = Codec.decode(Channel.TELEMETRY, ("{\"v\":1,\"ts\":1,\"future\":true,\"occupancy\":{\"count\":1,"
                + "\"capacity\":2,\"zone\":\"a\"},\"chargers\":[{\"port\":1,\"state\":\"charging\",\"voltage\":48}]}")
                .getBytes(), Telemetry.class);
        assertThat(t.occupancy()).contains(new Telemetry.Occupancy(1, 2));
        assertThat(t.chargers()).singleElement().extracting(Telemetry.Charger::state).isEqualTo(ChargerState.CHARGING);
    }

    @Test
    void acceptsLeadingAndTrailingWhitespace() throws ProtocolException {
        assertThat(Codec.decode(Channel.HEARTBEAT, ("\n  " + HB + " \r\n").getBytes())).isInstanceOf(Heartbeat.class);
    }

    @Test
    void rejectsDeeplyNestedJsonWithoutCrashing() {
        String deep = "[".repeat(100_000);
        String payload = "{\"v\":1,\"id\":\"" + Ulid.next(1) + "\",\"ts\":1,\"type\":\"door.opened\",\"data\":{\"x\":"
                + deep + "}}";
        assertThat(payload.length()).isLessThan(Limits.BATCH_BYTES);
        assertThat(rejected(Channel.EVENTS, payload).reason()).isEqualTo("malformed");
    }

    @Test
    void rejectsAnAbsurdlyLongNumberWithoutCrashing() {
        ProtocolException e = rejected(Channel.HEARTBEAT, heartbeatWith("ts", "1" + "0".repeat(5000)));
        assertThat(e.reason()).isIn("malformed", "range");
    }
}
