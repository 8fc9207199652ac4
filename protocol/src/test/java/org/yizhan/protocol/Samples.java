package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Valid messages of every type, shared by the codec tests. */
final class Samples {

    static final long TS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private Samples() {
    }

    static Telemetry telemetry() {
        return new Telemetry(TS, Optional.of(new Telemetry.Occupancy(3, 20)), Optional.of(new Telemetry.Door(false, true)),
                List.of(new Telemetry.Charger(1, ChargerState.CHARGING, 182.5, 1234.5, OptionalDouble.of(31.0)),
                        new Telemetry.Charger(2, ChargerState.AVAILABLE, 0.0, 0.0, OptionalDouble.empty()),
                        new Telemetry.Charger(3, ChargerState.FAULTED, 0.0, 17.25, OptionalDouble.of(-4.5))),
                Optional.of(new Telemetry.Env(OptionalDouble.of(24.5), OptionalDouble.of(61.0))));
    }

    static Event event(String type) {
        return new Event(Ulid.next(TS), TS, type, new JsonObject().put("method", "qr").put("member", "m-7f3a")
                .put("nested", new JsonObject().put("list", new JsonArray().add(1).add("two").add(true))));
    }

    /** One valid message of each channel. */
    static Map<Channel, Message> onePerChannel() {
        return Map.of(
                Channel.STATE, StateMessage.birth(TS, 4, "0.3.1", 7),
                Channel.HEARTBEAT, new Heartbeat(TS, 42, 3600, 5),
                Channel.TELEMETRY, telemetry(),
                Channel.EVENTS, EventsMessage.batch(List.of(event(EventType.ACCESS_GRANTED), event(EventType.DOOR_OPENED))),
                Channel.COMMAND_RESULT, CommandResult.failed(TS, Ulid.next(TS), "door.jammed", "门锁卡住 / lock jammed"),
                Channel.COMMAND, new Command(Ulid.next(TS), TS, Command.DOOR_UNLOCK, new JsonObject().put("seconds", 5),
                        TS + 30_000),
                Channel.CONFIG, new ConfigMessage(TS, 7, new JsonObject().put("version", 7).put("stationId", "st-001")),
                Channel.EVENTS_ACK, new EventsAck(TS, List.of(Ulid.next(TS), Ulid.next(TS + 1))));
    }

    /** A batch of {@code n} events, each padded with {@code padding} characters of data. */
    static EventsMessage batch(int n, int padding) {
        List<Event> events = new ArrayList<>();
        String pad = "x".repeat(padding);
        for (int i = 0; i < n; i++) {
            events.add(new Event(Ulid.next(TS), TS + i, EventType.CHARGER_SESSION_ENDED,
                    new JsonObject().put("port", 1 + i % 8).put("energyWh", 120.5).put("note", pad)));
        }
        return EventsMessage.batch(events);
    }
}
