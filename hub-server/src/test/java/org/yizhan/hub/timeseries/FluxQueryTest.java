package org.yizhan.hub.timeseries;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Flux that reads history from InfluxDB 2.x (no InfluxDB server runs here; the compose file
 * {@code deploy/compose/hub-influxdb.yml} is where it runs against one).
 */
class FluxQueryTest {

    /** 2025-06-15T15:07:00Z, a minute boundary. */
    private static final long T0 = 1_750_000_020_000L;
    private static final long MINUTE = 60_000;

    @Test
    void averagesOneSeriesPerStepFromAnAlignedStart() {
        String flux = FluxQuery.flux("stations", "st-a", "occupancy.count", 0, T0, T0 + 2 * MINUTE - 1, MINUTE);
        assertThat(flux).isEqualTo("""
                from(bucket: "stations")
                  |> range(start: 2025-06-15T15:07:00Z, stop: 2025-06-15T15:09:00Z)
                  |> filter(fn: (r) => r._measurement == "occupancy" and r._field == "count" and r.station == "st-a")
                  |> group()
                  |> aggregateWindow(every: 60000ms, fn: mean, createEmpty: false, timeSrc: "_start")
                  |> sort(columns: ["_time"])
                  |> keep(columns: ["_time", "_value"])
                """);
    }

    @Test
    void startsTheRangeOnTheStepBoundaryAndFiltersRowsBeforeFrom() {
        String flux = FluxQuery.flux("b", "st-a", "env.tempC", 0, T0 + 15_000, T0 + MINUTE, MINUTE);
        assertThat(flux).contains("range(start: 2025-06-15T15:07:00Z, stop: 2025-06-15T15:08:00.001Z)",
                "filter(fn: (r) => r._time >= 2025-06-15T15:07:15Z)",
                "r._measurement == \"env\" and r._field == \"temp_c\"");
    }

    @Test
    void sumsChargerPortsAfterAveragingEachOrTakesTheHottest() {
        String power = FluxQuery.flux("b", "st-a", "chargers.powerW", 0, T0, T0 + MINUTE, MINUTE);
        assertThat(power).contains("""
                  |> group(columns: ["port"])
                  |> aggregateWindow(every: 60000ms, fn: mean, createEmpty: false, timeSrc: "_start")
                  |> group(columns: ["_time"])
                  |> sum()
                  |> group()
                """).doesNotContain("max()");
        assertThat(FluxQuery.flux("b", "st-a", "chargers.tempC", 0, T0, T0 + MINUTE, MINUTE))
                .contains("|> max()").doesNotContain("sum()");
        String onePort = FluxQuery.flux("b", "st-a", "chargers.powerW", 2, T0, T0 + MINUTE, MINUTE);
        assertThat(onePort).contains("and r.port == \"2\")").doesNotContain("group(columns");
    }

    @Test
    void keepsQuotesBackslashesAndInterpolationInsideTheStrings() {
        assertThat(FluxQuery.string("x\" or true or \"")).isEqualTo("\"x\\\" or true or \\\"\"");
        assertThat(FluxQuery.string("a\\b")).isEqualTo("\"a\\\\b\"");
        assertThat(FluxQuery.string("${secret}")).isEqualTo("\"\\${secret}\"");
        assertThat(FluxQuery.string("5$ and\nmore")).isEqualTo("\"5$ and\\nmore\"");
        String flux = FluxQuery.flux("my \"bucket\"", "st\") |> drop(", "door.open", 0, T0, T0 + MINUTE, MINUTE);
        assertThat(flux).contains("from(bucket: \"my \\\"bucket\\\"\")", "r.station == \"st\\\") |> drop(\")");
    }

    @Test
    void refusesBadArgumentsLikeTheSqlDoes() {
        assertThatThrownBy(() -> FluxQuery.flux("b", "st", "occupancy.bogus", 0, T0, T0 + 1, MINUTE))
                .hasMessageContaining("metric");
        assertThatThrownBy(() -> FluxQuery.flux("b", "st", "occupancy.count", 3, T0, T0 + 1, MINUTE))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> FluxQuery.flux("b", "st", "occupancy.count", 0, T0, T0 + 1, 0))
                .hasMessageContaining("step");
        assertThatThrownBy(() -> FluxQuery.flux("b", "st", "occupancy.count", 0, T0 + 1, T0, MINUTE))
                .hasMessageContaining("to");
    }

    @Test
    void everyMetricMapsToAMeasurementAndFieldThatStationPointsWrites() {
        for (String metric : TimeSeries.METRICS) {
            String[] tc = HistoryQuery.COLUMNS.get(metric);
            assertThat(StationPoints.TABLES).as(metric).contains(tc[0]);
            assertThat(FluxQuery.flux("b", "st", metric, 0, T0, T0 + MINUTE, MINUTE))
                    .contains("r._measurement == \"" + tc[0] + "\" and r._field == \"" + tc[1] + "\"");
        }
    }
}
