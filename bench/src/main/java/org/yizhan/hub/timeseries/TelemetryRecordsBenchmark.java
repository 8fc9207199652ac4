package org.yizhan.hub.timeseries;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * The hub's time-series records for one telemetry message as the fleet bench's stations send it (occupancy, door,
 * four charger ports, room climate): {@code line}, what the hub does now ({@link StationPoints} with {@link Line});
 * {@code point}, what it did before, through influxdb-client-java's {@code Point} and its {@code NumberFormat}
 * (kept here as the baseline). In this package (on the class path) to reach the hub's package-private classes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TelemetryRecordsBenchmark {

    private static final long T0 = 1_767_225_600_000L;
    private Telemetry telemetry;

    @Setup
    public void setUp() {
        List<Telemetry.Charger> chargers = new ArrayList<>();
        for (int port = 1; port <= 4; port++) {
            chargers.add(new Telemetry.Charger(port, port % 2 == 0 ? ChargerState.CHARGING : ChargerState.AVAILABLE,
                    port % 2 == 0 ? 187.25 : 0.0, 1234.5 + port, OptionalDouble.of(27.5 + port / 10.0)));
        }
        telemetry = new Telemetry(T0, Optional.of(new Telemetry.Occupancy(7, 20)),
                Optional.of(new Telemetry.Door(false, true)), chargers,
                Optional.of(new Telemetry.Env(OptionalDouble.of(23.4), OptionalDouble.of(61.0))));
        List<String> line = line();
        List<String> point = point();
        if (!line.equals(point)) {
            throw new IllegalStateException("the two paths disagree:\n" + line + "\n" + point);
        }
    }

    @Benchmark
    public List<String> line() {
        return StationPoints.telemetry("st-0001", telemetry, T0 + 50);
    }

    @Benchmark
    public List<String> point() {
        Telemetry t = telemetry;
        long ts = StationPoints.clamp(t.ts(), T0 + 50);
        List<Point> points = new ArrayList<>(3 + t.chargers().size());
        t.occupancy().ifPresent(o -> points.add(p("occupancy", ts).addField("count", (long) o.count())
                .addField("capacity", (long) o.capacity())));
        t.door().ifPresent(d -> points.add(p("door", ts).addField("open", d.open() ? 1L : 0L)
                .addField("locked", d.locked() ? 1L : 0L)));
        for (Telemetry.Charger c : t.chargers()) {
            Point p = p("charger", ts).addTag("port", Integer.toString(c.port()))
                    .addField("state", c.state().wireName()).addField("power_w", c.powerW())
                    .addField("energy_wh", c.energyWh());
            c.tempC().ifPresent(v -> p.addField("temp_c", v));
            points.add(p);
        }
        t.env().ifPresent(e -> {
            Point p = p("env", ts);
            e.tempC().ifPresent(v -> p.addField("temp_c", v));
            e.humidity().ifPresent(v -> p.addField("humidity", v));
            points.add(p);
        });
        List<String> lines = new ArrayList<>(points.size());
        for (Point p : points) {
            lines.add(p.toLineProtocol());
        }
        return lines;
    }

    private static Point p(String measurement, long ts) {
        return Point.measurement(measurement).addTag("station", "st-0001").time(ts, WritePrecision.MS);
    }
}
