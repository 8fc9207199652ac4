package org.yizhan.hub;

import java.util.Optional;

/**
 * How much Java heap a hub needs for the stations in its registry, so that a hub started with too small a
 * {@code -Xmx} says so in its log at start instead of collecting garbage all the time once the fleet connects.
 *
 * <p>The figures are the live heap measured with the fleet bench (bench/RESULTS.md, "Hub memory"): an idle hub
 * holds about 40 MB; every station connected to the hub's own MQTT endpoint about 6 KB (about 3 KB of it Netty's,
 * Vert.x's and vertx-mqtt's connection objects, the rest the hub's state of the station; 10 KB before the endpoint
 * gave each connection a compact write queue); a station behind a broker (mqtt-mode=broker) only the hub's state,
 * about 3 KB; the QuestDB engine inside the hub about 55 MB more at 15,000 stations (189 MB live in all). The heap
 * should be about 1.6 times the live heap: with less, the collector runs nearly all the time (measured: a 321 MB
 * heap holding 189 MB live still copes, with a full collection every 11-43 s).
 */
final class HeapAdvice {

    static final long MIB = 1024L * 1024;
    static final long IDLE_BYTES = 48 * MIB;
    static final long PER_CONNECTED_STATION_BYTES = 6 * 1024;
    static final long PER_BROKERED_STATION_BYTES = 3 * 1024;
    static final long EMBEDDED_TIME_SERIES_BYTES = 64 * MIB;
    static final double HEADROOM = 1.6;

    private HeapAdvice() {
    }

    /** The heap a hub with {@code stations} should be given, in bytes. */
    static long neededBytes(long stations, boolean stationsConnectHere, boolean embeddedTimeSeries) {
        if (stations < 0) {
            throw new IllegalArgumentException("stations must not be negative: " + stations);
        }
        long live = IDLE_BYTES
                + stations * (stationsConnectHere ? PER_CONNECTED_STATION_BYTES : PER_BROKERED_STATION_BYTES)
                + (embeddedTimeSeries ? EMBEDDED_TIME_SERIES_BYTES : 0);
        return (long) Math.ceil(live * HEADROOM);
    }

    /**
     * A warning for the log when {@code maxHeapBytes} (the JVM's {@code -Xmx}, {@link Runtime#maxMemory()}) is
     * below what {@code stations} need, naming the heap to set; empty when it is enough.
     */
    static Optional<String> warning(long stations, boolean stationsConnectHere, boolean embeddedTimeSeries,
                                    long maxHeapBytes) {
        long needed = neededBytes(stations, stationsConnectHere, embeddedTimeSeries);
        if (maxHeapBytes >= needed) {
            return Optional.empty();
        }
        long suggestMib = (needed + 32 * MIB - 1) / (32 * MIB) * 32;
        return Optional.of(String.format(
                "The registry holds %d stations; with their connections%s this hub needs about %d MiB of heap, "
                        + "but its maximum heap is %d MiB: give it -Xmx%dm (JAVA_OPTS in /etc/yizhan/hub.env)%s",
                stations, embeddedTimeSeries ? " and the embedded QuestDB" : "", needed / MIB,
                maxHeapBytes / MIB, suggestMib,
                embeddedTimeSeries ? " or move the time series to a QuestDB server (ts-engine=questdb)" : ""));
    }
}
