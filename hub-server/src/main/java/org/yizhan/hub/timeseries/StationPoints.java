package org.yizhan.hub.timeseries;

import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

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
 * With {@link DeadBands} on, a telemetry series is written only when it moved or its keep time passed.
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

    /** Every reading of the telemetry, one record per measurement and charger port. */
    static List<String> telemetry(String stationId, Telemetry t, long receivedAt) {
        return telemetry(stationId, t, receivedAt, DeadBands.OFF, null);
    }

    /**
     * The records of the telemetry that {@code bands} asks to write, given what {@code last} says was written of the
     * station before (updated here); with {@link DeadBands#OFF} every reading, and {@code last} may be null.
     */
    static List<String> telemetry(String stationId, Telemetry t, long receivedAt, DeadBands bands, LastWritten last) {
        long ts = clamp(t.ts(), receivedAt);
        List<String> lines = new ArrayList<>(3 + t.chargers().size());
        LastWritten.Station station = bands.on() ? last.station(stationId) : null;
        double[] portBands = {0, bands.powerW(), bands.energyWh(), bands.tempC()};
        t.occupancy().ifPresent(o -> series(lines, last, station == null ? null : station.occupancy, bands, ts,
                new double[]{o.capacity(), o.count()}, EXACT2, v -> line("occupancy", stationId)
                        .field("capacity", (long) v[0])
                        .field("count", (long) v[1])));
        t.door().ifPresent(d -> series(lines, last, station == null ? null : station.door, bands, ts,
                new double[]{d.locked() ? 1 : 0, d.open() ? 1 : 0}, EXACT2, v -> line("door", stationId)
                        .field("locked", (long) v[0])
                        .field("open", (long) v[1])));
        for (Telemetry.Charger c : t.chargers()) {
            String port = Integer.toString(c.port());
            series(lines, last, station == null ? null : station.port(c.port()), bands, ts,
                    new double[]{c.state().ordinal(), c.powerW(), c.energyWh(), c.tempC().orElse(Double.NaN)},
                    portBands, v -> {
                        Line l = Line.of("charger").tag("port", port).tag("station", stationId)
                                .field("energy_wh", v[2])
                                .field("power_w", v[1])
                                .field("state", STATES[(int) v[0]].wireName());
                        if (!Double.isNaN(v[3])) {
                            l.field("temp_c", v[3]);
                        }
                        return l;
                    });
        }
        t.env().ifPresent(e -> {
            if (e.tempC().isPresent() || e.humidity().isPresent()) {
                series(lines, last, station == null ? null : station.env, bands, ts,
                        new double[]{e.humidity().orElse(Double.NaN), e.tempC().orElse(Double.NaN)},
                        new double[]{bands.humidity(), bands.tempC()}, v -> {
                            Line l = line("env", stationId);
                            if (!Double.isNaN(v[0])) {
                                l.field("humidity", v[0]);
                            }
                            if (!Double.isNaN(v[1])) {
                                l.field("temp_c", v[1]);
                            }
                            return l;
                        });
            }
        });
        return lines;
    }

    private static final double[] EXACT2 = {0, 0};
    private static final ChargerState[] STATES = ChargerState.values();

    /** Adds the series' record if the dead bands ask for it (see {@link DeadBands}); always when they are off. */
    private static void series(List<String> out, LastWritten last, LastWritten.Series s, DeadBands bands, long ts,
                               double[] values, double[] fieldBands, Function<double[], Line> record) {
        if (s == null) {
            out.add(record.apply(values).at(ts));
            return;
        }
        boolean changed = s.values == null || moved(s.values, values, fieldBands);
        boolean due = s.values == null || ts < s.writtenAt || ts - s.writtenAt >= bands.keepMillis();
        if (!changed && !due) {
            s.skippedAt = Math.max(s.skippedAt, ts);
            last.skipped();
            return;
        }
        if (changed && s.values != null && s.skippedAt > s.writtenAt && s.skippedAt < ts) {
            // the old values held until the last skipped reading: the chart steps there, not across the gap
            out.add(record.apply(s.values).at(s.skippedAt));
        }
        out.add(record.apply(values).at(ts));
        if (s.values == null) {
            s.values = values;
        } else {
            // into the series' own array: a new one each write lived until the next and was promoted to die old
            System.arraycopy(values, 0, s.values, 0, values.length);
        }
        s.writtenAt = ts;
        s.skippedAt = -1;
    }

    /** Whether any field moved; a series' values always have the same fields in the same order. */
    private static boolean moved(double[] before, double[] now, double[] fieldBands) {
        for (int i = 0; i < now.length; i++) {
            if (LastWritten.moved(before[i], now[i], fieldBands[i])) {
                return true;
            }
        }
        return false;
    }

    static List<String> presence(String stationId, boolean online, long at) {
        return List.of(line("presence", stationId).field("online", online ? 1L : 0L).at(at));
    }

    /** A record of a measurement whose only tag is the station (keys in order, as {@link Line} needs). */
    private static Line line(String measurement, String stationId) {
        return Line.of(measurement).tag("station", stationId);
    }
}
