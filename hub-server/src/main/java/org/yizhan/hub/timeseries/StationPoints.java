package org.yizhan.hub.timeseries;

import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.util.ArrayList;
import java.util.List;

/**
 * Line-protocol records for station messages, built by {@link Line}. Measurements (QuestDB tables) and their columns:
 * <pre>
 * heartbeat  tag station; seq, uptime_s, outbox (long)                    time = when the hub received it
 * occupancy  tag station; count, capacity (long)                         time = telemetry ts
 * door       tag station; open, locked (long 0/1)                        time = telemetry ts
 * charger    tags station, port; state (string), power_w, energy_wh, temp_c (double)
 * env        tag station; temp_c, humidity (double)
 * presence   tag station; online (long 0/1)                              time = when it changed
 * </pre>
 * Telemetry keeps the station's own clock unless it is absurd (before 2020 or more than a day ahead of the hub).
 */
final class StationPoints {

    /** The measurements (QuestDB tables) written here. */
    static final List<String> TABLES = List.of("heartbeat", "occupancy", "door", "charger", "env", "presence");

    /** 2020-01-01T00:00:00Z: no station reading is older. */
    static final long EARLIEST = 1_577_836_800_000L;
    static final long MAX_AHEAD_MILLIS = 86_400_000L;

    private StationPoints() {
    }

    /** The station's timestamp, or {@code receivedAt} when the station clock is clearly wrong. */
    static long clamp(long stationTs, long receivedAt) {
        return stationTs < EARLIEST || stationTs > receivedAt + MAX_AHEAD_MILLIS ? receivedAt : stationTs;
    }

    static List<String> heartbeat(String stationId, Heartbeat h, long receivedAt) {
        return List.of(line("heartbeat", stationId)
                .field("outbox", (long) h.outbox())
                .field("seq", h.seq())
                .field("uptime_s", h.uptimeS())
                .at(receivedAt));
    }

    static List<String> telemetry(String stationId, Telemetry t, long receivedAt) {
        long ts = clamp(t.ts(), receivedAt);
        List<String> lines = new ArrayList<>(3 + t.chargers().size());
        t.occupancy().ifPresent(o -> lines.add(line("occupancy", stationId)
                .field("capacity", (long) o.capacity())
                .field("count", (long) o.count())
                .at(ts)));
        t.door().ifPresent(d -> lines.add(line("door", stationId)
                .field("locked", d.locked() ? 1L : 0L)
                .field("open", d.open() ? 1L : 0L)
                .at(ts)));
        for (Telemetry.Charger c : t.chargers()) {
            Line l = Line.of("charger").tag("port", Integer.toString(c.port())).tag("station", stationId)
                    .field("energy_wh", c.energyWh())
                    .field("power_w", c.powerW())
                    .field("state", c.state().wireName());
            c.tempC().ifPresent(v -> l.field("temp_c", v));
            lines.add(l.at(ts));
        }
        t.env().ifPresent(e -> {
            if (e.tempC().isPresent() || e.humidity().isPresent()) {
                Line l = line("env", stationId);
                e.humidity().ifPresent(v -> l.field("humidity", v));
                e.tempC().ifPresent(v -> l.field("temp_c", v));
                lines.add(l.at(ts));
            }
        });
        return lines;
    }

    static List<String> presence(String stationId, boolean online, long at) {
        return List.of(line("presence", stationId).field("online", online ? 1L : 0L).at(at));
    }

    /** A record of a measurement whose only tag is the station (keys in order, as {@link Line} needs). */
    private static Line line(String measurement, String stationId) {
        return Line.of(measurement).tag("station", stationId);
    }
}
