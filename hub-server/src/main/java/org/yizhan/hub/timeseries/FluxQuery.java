package org.yizhan.hub.timeseries;

import java.time.Instant;

/**
 * The Flux behind {@link TimeSeries#history} on InfluxDB 2.x, with the same answer as {@link HistoryQuery}'s SQL on
 * QuestDB: the range is inclusive at both ends; buckets start on multiples of the step since the epoch (UTC) and
 * are averaged; empty buckets are left out; for chargers without a port each port is averaged per bucket first,
 * then the ports are summed (power, energy) or the hottest taken (temperature).
 * <p>
 * Flux windows are cut at the range's start, so the range starts at the bucket boundary at or before
 * {@code from} and a filter drops the rows before {@code from}; bucket times are the windows' starts.
 * Measurements, fields and tags are those {@link StationPoints} writes.
 */
final class FluxQuery {

    private FluxQuery() {
    }

    /**
     * @throws IllegalArgumentException naming the bad argument (the same checks as {@link HistoryQuery#sql})
     */
    static String flux(String bucket, String stationId, String metric, int port, long from, long to, long stepMillis) {
        HistoryQuery.sql(stationId, metric, port, from, to, stepMillis); // the same argument checks and messages
        String[] tc = HistoryQuery.COLUMNS.get(metric);
        long start = Math.floorDiv(from, stepMillis) * stepMillis;
        StringBuilder f = new StringBuilder();
        f.append("from(bucket: ").append(string(bucket)).append(")\n")
                .append("  |> range(start: ").append(time(start)).append(", stop: ").append(time(to + 1)).append(")\n")
                .append("  |> filter(fn: (r) => r._measurement == ").append(string(tc[0]))
                .append(" and r._field == ").append(string(tc[1]))
                .append(" and r.station == ").append(string(stationId));
        if (port > 0) {
            f.append(" and r.port == ").append(string(Integer.toString(port)));
        }
        f.append(")\n");
        if (start != from) {
            f.append("  |> filter(fn: (r) => r._time >= ").append(time(from)).append(")\n");
        }
        String window = "  |> aggregateWindow(every: " + stepMillis + "ms, fn: mean, createEmpty: false, "
                + "timeSrc: \"_start\")\n";
        if (tc[0].equals("charger") && port == 0) {
            f.append("  |> group(columns: [\"port\"])\n")
                    .append(window)
                    .append("  |> group(columns: [\"_time\"])\n")
                    .append(tc[1].equals("temp_c") ? "  |> max()\n" : "  |> sum()\n")
                    .append("  |> group()\n");
        } else {
            f.append("  |> group()\n").append(window);
        }
        return f.append("  |> sort(columns: [\"_time\"])\n")
                .append("  |> keep(columns: [\"_time\", \"_value\"])\n").toString();
    }

    /** A Flux string literal: backslash, quote, newline and the start of an interpolation escaped. */
    static String string(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '$' -> b.append(i + 1 < s.length() && s.charAt(i + 1) == '{' ? "\\$" : "$");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** An RFC 3339 time literal (UTC). */
    static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
