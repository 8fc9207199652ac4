package org.yizhan.hub.timeseries;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL behind {@link TimeSeries#history}, and the reading of QuestDB's {@code /exec} answer.
 * Buckets come from {@code SAMPLE BY <step>T ALIGN TO CALENDAR}, so they start on multiples of the step
 * (UTC) and empty buckets are left out. For chargers without a port, each port is averaged per bucket first,
 * then the ports are summed (power, energy) or the hottest taken (temperature).
 */
final class HistoryQuery {

    /** Table and column of each metric of {@link TimeSeries#METRICS}. */
    static final Map<String, String[]> COLUMNS = Map.ofEntries(
            Map.entry("occupancy.count", new String[]{"occupancy", "count"}),
            Map.entry("occupancy.capacity", new String[]{"occupancy", "capacity"}),
            Map.entry("door.open", new String[]{"door", "open"}),
            Map.entry("door.locked", new String[]{"door", "locked"}),
            Map.entry("chargers.powerW", new String[]{"charger", "power_w"}),
            Map.entry("chargers.energyWh", new String[]{"charger", "energy_wh"}),
            Map.entry("chargers.tempC", new String[]{"charger", "temp_c"}),
            Map.entry("env.tempC", new String[]{"env", "temp_c"}),
            Map.entry("env.humidity", new String[]{"env", "humidity"}),
            Map.entry("heartbeat.uptimeS", new String[]{"heartbeat", "uptime_s"}),
            Map.entry("heartbeat.outbox", new String[]{"heartbeat", "outbox"}),
            Map.entry("presence.online", new String[]{"presence", "online"}));

    private HistoryQuery() {
    }

    /**
     * @throws IllegalArgumentException naming the bad argument
     */
    static String sql(String stationId, String metric, int port, long from, long to, long stepMillis) {
        String[] tc = COLUMNS.get(metric);
        if (tc == null) {
            throw new IllegalArgumentException("metric: unknown '" + metric + "'; known are " + TimeSeries.METRICS);
        }
        if (port < 0) {
            throw new IllegalArgumentException("port: must be 0 (all ports) or a port number, not " + port);
        }
        if (port > 0 && !tc[0].equals("charger")) {
            throw new IllegalArgumentException("port: only chargers.* metrics have ports");
        }
        if (stepMillis < 1) {
            throw new IllegalArgumentException("step: must be at least 1 ms");
        }
        if (to < from) {
            throw new IllegalArgumentException("to: must not be before from");
        }
        String where = " WHERE station = " + literal(stationId)
                + (port > 0 ? " AND port = " + literal(Integer.toString(port)) : "")
                + " AND timestamp BETWEEN " + literal(Instant.ofEpochMilli(from).toString())
                + " AND " + literal(Instant.ofEpochMilli(to).toString());
        String sample = " SAMPLE BY " + stepMillis + "T ALIGN TO CALENDAR";
        String column = "\"" + tc[1] + "\"";
        if (tc[0].equals("charger") && port == 0) {
            String combine = tc[1].equals("temp_c") ? "max" : "sum";
            return "SELECT timestamp, " + combine + "(v) v FROM (SELECT timestamp, port, avg(" + column + ") v FROM "
                    + tc[0] + where + sample + ") ORDER BY timestamp";
        }
        return "SELECT timestamp, avg(" + column + ") v FROM " + tc[0] + where + sample + " ORDER BY timestamp";
    }

    /** Drops the partitions of {@code table} whose rows are all older than {@code days} days before now. */
    static String dropOlderThan(String table, int days) {
        if (!StationPoints.TABLES.contains(table) || days < 1) {
            throw new IllegalArgumentException("retention: no table '" + table + "' or days " + days + " < 1");
        }
        return "ALTER TABLE " + table + " DROP PARTITION WHERE timestamp < dateadd('d', -" + days + ", now())";
    }

    /** A single-quoted SQL string; quotes inside are doubled. */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** {@code [tsMillis, value]} rows of an {@code /exec} answer whose first column is the bucket time. */
    static List<double[]> points(JsonObject answer) {
        JsonArray dataset = answer.getJsonArray("dataset", new JsonArray());
        List<double[]> points = new ArrayList<>(dataset.size());
        for (int i = 0; i < dataset.size(); i++) {
            JsonArray row = dataset.getJsonArray(i);
            Object ts = row.getValue(0);
            Object v = row.getValue(1);
            if (ts instanceof String s && v instanceof Number n) {
                points.add(new double[]{Instant.parse(s).toEpochMilli(), n.doubleValue()});
            }
        }
        return points;
    }

    /** True for the errors that mean "nothing written there yet": a table or column not created so far. */
    static boolean isNothingYet(String error) {
        return error.contains("table does not exist") || error.contains("Invalid column");
    }

    /** The first cell of an {@code /exec} answer as a long (for {@code count()} queries). */
    static long firstLong(JsonObject answer) {
        JsonArray dataset = answer.getJsonArray("dataset", new JsonArray());
        if (dataset.isEmpty() || !(dataset.getJsonArray(0).getValue(0) instanceof Number n)) {
            return 0;
        }
        return n.longValue();
    }
}
