package org.yizhan.hub.timeseries;

import io.micrometer.core.instrument.FunctionCounter;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What was last written of each station's telemetry series, for {@link DeadBands}: per series the values, their
 * time, and the time of the latest reading skipped since. About 60 bytes per series, 7 series for a station with
 * four charger ports. Called from the ingest loop, one station's messages in order.
 */
final class LastWritten {

    /** One series: the values last written (NaN for an absent optional field), when, and the last skipped time. */
    static final class Series {
        double[] values;
        long writtenAt;
        long skippedAt = -1;
    }

    /** One station's series. Ports are indexed by number; they are few and small. */
    static final class Station {
        final Series occupancy = new Series();
        final Series door = new Series();
        final Series env = new Series();
        Series[] ports = new Series[0];

        Series port(int port) {
            if (port >= ports.length) {
                ports = Arrays.copyOf(ports, port + 1);
            }
            Series s = ports[port];
            if (s == null) {
                s = new Series();
                ports[port] = s;
            }
            return s;
        }
    }

    private final Map<String, Station> stations = new ConcurrentHashMap<>();
    private final LongAdder skipped = new LongAdder();

    /** Counts readings the dead bands skipped as {@code yizhan_timeseries_readings_skipped}. */
    LastWritten(HubMetrics metrics) {
        FunctionCounter.builder("yizhan_timeseries_readings_skipped", skipped, LongAdder::sum)
                .description("Telemetry series readings not written: within their dead bands and keep time")
                .register(metrics.registry());
    }

    /** A reading was not written. */
    void skipped() {
        skipped.increment();
    }

    Station station(String stationId) {
        Station s = stations.get(stationId);
        return s != null ? s : stations.computeIfAbsent(stationId, id -> new Station());
    }

    /** Whether a band-checked field moved: by at least the band, or at all when the band is 0. NaN equals NaN. */
    static boolean moved(double before, double now, double band) {
        if (Double.isNaN(before) || Double.isNaN(now)) {
            return Double.isNaN(before) != Double.isNaN(now);
        }
        double d = Math.abs(now - before);
        // decimal readings such as 25.3 - 25.1 come out a hair under 0.2 in binary
        return band == 0 ? d != 0 : d >= band * (1 - 1e-9);
    }
}
