package org.yizhan.hub.timeseries;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.util.ArrayList;
import java.util.List;

/**
 * Line-protocol points for station messages. Measurements (QuestDB tables) and their columns:
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

    static List<Point> heartbeat(String stationId, Heartbeat h, long receivedAt) {
        return List.of(point("heartbeat", stationId, receivedAt)
                .addField("seq", h.seq())
                .addField("uptime_s", h.uptimeS())
                .addField("outbox", (long) h.outbox()));
    }

    static List<Point> telemetry(String stationId, Telemetry t, long receivedAt) {
        long ts = clamp(t.ts(), receivedAt);
        List<Point> points = new ArrayList<>(3 + t.chargers().size());
        t.occupancy().ifPresent(o -> points.add(point("occupancy", stationId, ts)
                .addField("count", (long) o.count())
                .addField("capacity", (long) o.capacity())));
        t.door().ifPresent(d -> points.add(point("door", stationId, ts)
                .addField("open", d.open() ? 1L : 0L)
                .addField("locked", d.locked() ? 1L : 0L)));
        for (Telemetry.Charger c : t.chargers()) {
            Point p = point("charger", stationId, ts)
                    .addTag("port", Integer.toString(c.port()))
                    .addField("state", c.state().wireName())
                    .addField("power_w", c.powerW())
                    .addField("energy_wh", c.energyWh());
            c.tempC().ifPresent(v -> p.addField("temp_c", v));
            points.add(p);
        }
        t.env().ifPresent(e -> {
            if (e.tempC().isPresent() || e.humidity().isPresent()) {
                Point p = point("env", stationId, ts);
                e.tempC().ifPresent(v -> p.addField("temp_c", v));
                e.humidity().ifPresent(v -> p.addField("humidity", v));
                points.add(p);
            }
        });
        return points;
    }

    static List<Point> presence(String stationId, boolean online, long at) {
        return List.of(point("presence", stationId, at).addField("online", online ? 1L : 0L));
    }

    private static Point point(String measurement, String stationId, long timeMillis) {
        return Point.measurement(measurement).addTag("station", stationId).time(timeMillis, WritePrecision.MS);
    }
}
