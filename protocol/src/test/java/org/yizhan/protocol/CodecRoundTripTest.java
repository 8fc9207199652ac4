package org.yizhan.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecRoundTripTest {

    private static Message roundTrip(Channel channel, Message m) throws ProtocolException {
        Buffer wire = Codec.encode(m);
        assertThat(wire.toJsonObject().getInteger("v")).as("every payload carries v:1").isEqualTo(1);
        return Codec.decode(channel, wire);
    }

    @ParameterizedTest
    @EnumSource(Channel.class)
    void decodesWhatItEncodesOnEveryChannel(Channel channel) throws ProtocolException {
        Message m = Samples.onePerChannel().get(channel);
        assertThat(roundTrip(channel, m)).isEqualTo(m);
    }

    @Test
    void roundTripsBirthWillAndShutdown() throws ProtocolException {
        for (StateMessage m : List.of(StateMessage.birth(Samples.TS, 1, "0.3.1", 0),
                StateMessage.will(Samples.TS, 2, "0.3.1", 3), StateMessage.shutdown(Samples.TS, 3, "0.3.1", 3))) {
            assertThat(roundTrip(Channel.STATE, m)).isEqualTo(m);
        }
        StateMessage will = (StateMessage) roundTrip(Channel.STATE, StateMessage.will(Samples.TS, 9, "a", 1));
        assertThat(will.online()).isFalse();
        assertThat(will.reason()).contains(StateMessage.REASON_LOST);
        assertThat(will.session()).isEqualTo(9);
    }

    @Test
    void roundTripsTelemetryWithoutAnyBlock() throws ProtocolException {
        Telemetry bare = new Telemetry(Samples.TS, Optional.empty(), Optional.empty(), List.of(), Optional.empty());
        assertThat(roundTrip(Channel.TELEMETRY, bare)).isEqualTo(bare);
        assertThat(Codec.encode(bare).toJsonObject().fieldNames()).containsExactlyInAnyOrder("v", "ts");
    }

    @Test
    void roundTripsTelemetryWithEnvHalfFilled() throws ProtocolException {
        Telemetry t = new Telemetry(Samples.TS, Optional.empty(), Optional.empty(), List.of(),
                Optional.of(new Telemetry.Env(OptionalDouble.empty(), OptionalDouble.of(55.5))));
        assertThat(roundTrip(Channel.TELEMETRY, t)).isEqualTo(t);
    }

    @Test
    void roundTripsASingleEventAsASingleEvent() throws ProtocolException {
        EventsMessage single = EventsMessage.single(Samples.event(EventType.SMOKE_ALARM));
        JsonObject wire = Codec.encode(single).toJsonObject();
        assertThat(wire.containsKey("events")).as("a single event is not wrapped in a batch").isFalse();
        EventsMessage back = (EventsMessage) roundTrip(Channel.EVENTS, single);
        assertThat(back).isEqualTo(single);
        assertThat(back.batch()).isFalse();
    }

    @Test
    void roundTripsABatchOfOneAsABatch() throws ProtocolException {
        EventsMessage batch = Samples.batch(1, 10);
        assertThat(Codec.encode(batch).toJsonObject().getJsonArray("events")).hasSize(1);
        assertThat(roundTrip(Channel.EVENTS, batch)).isEqualTo(batch);
    }

    @Test
    void roundTripsEveryKnownEventType() throws ProtocolException {
        for (String type : EventType.KNOWN) {
            EventsMessage m = EventsMessage.single(Samples.event(type));
            assertThat(roundTrip(Channel.EVENTS, m)).as(type).isEqualTo(m);
        }
    }

    @Test
    void roundTripsEveryCommandName() throws ProtocolException {
        for (String name : Command.NAMES) {
            Command c = new Command(Ulid.next(), Samples.TS, name, new JsonObject().put("port", 2), Samples.TS + 1);
            assertThat(roundTrip(Channel.COMMAND, c)).as(name).isEqualTo(c);
        }
    }

    @Test
    void roundTripsCommandResults() throws ProtocolException {
        for (CommandResult r : List.of(CommandResult.ok(Samples.TS, "c-1"),
                CommandResult.ok(Samples.TS, "c-2", new JsonObject().put("passed", 7)),
                CommandResult.failed(Samples.TS, "c-3", "expired", "too late"))) {
            assertThat(roundTrip(Channel.COMMAND_RESULT, r)).isEqualTo(r);
        }
    }

    @Test
    void decodesTheContractsExamplePayloads() throws ProtocolException {
        Telemetry t = Codec.decode(Channel.TELEMETRY, ("{\"v\":1,\"ts\":1767225600000,\"occupancy\":{\"count\":3,"
                + "\"capacity\":20},\"door\":{\"open\":false,\"locked\":true},\"chargers\":[{\"port\":1,"
                + "\"state\":\"charging\",\"powerW\":182.5,\"energyWh\":1234.5,\"tempC\":31.0}],"
                + "\"env\":{\"tempC\":24.5,\"humidity\":61}}").getBytes(), Telemetry.class);
        assertThat(t).isEqualTo(new Telemetry(Samples.TS,
                Optional.of(new Telemetry.Occupancy(3, 20)), Optional.of(new Telemetry.Door(false, true)),
                List.of(new Telemetry.Charger(1, ChargerState.CHARGING, 182.5, 1234.5, OptionalDouble.of(31.0))),
                Optional.of(new Telemetry.Env(OptionalDouble.of(24.5), OptionalDouble.of(61)))));

        StateMessage s = Codec.decode(Channel.STATE,
                "{\"v\":1,\"ts\":1,\"online\":true,\"session\":12,\"agent\":\"0.3.1\",\"configVersion\":7}".getBytes(),
                StateMessage.class);
        assertThat(s).isEqualTo(StateMessage.birth(1, 12, "0.3.1", 7));

        Heartbeat h = Codec.decode(Channel.HEARTBEAT,
                "{\"v\":1,\"ts\":5,\"seq\":3,\"uptimeS\":30,\"outbox\":2}".getBytes(), Heartbeat.class);
        assertThat(h).isEqualTo(new Heartbeat(5, 3, 30, 2));
    }

    @Test
    void decodingAsTheWrongTypeNamesTheExpectedType() {
        byte[] heartbeat = Codec.encode(new Heartbeat(1, 1, 1, 0)).getBytes();
        assertThatThrownBy(() -> Codec.decode(Channel.HEARTBEAT, heartbeat, Telemetry.class))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.reason()).isEqualTo("type");
                    assertThat(e.getMessage()).contains("Telemetry");
                });
    }

    @Test
    void commandExpiresOnlyAfterItsExpiry() {
        Command c = new Command("c-1", 0, Command.DOOR_UNLOCK, new JsonObject(), 1000);
        assertThat(c.isExpired(1000)).isFalse();
        assertThat(c.isExpired(1001)).isTrue();
    }
}
