package org.yizhan.bench.fleet;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A server the fleet is pointed at: started per run, asked for its figures, stopped at the end. */
public interface Target extends AutoCloseable {

    /** The server's figures at one moment; two of them bracket the measured window. */
    record Snapshot(long atNanos, double messages, BucketHistogram latencySeconds, ProcStats process) {
    }

    String name();

    /** What this target's latency figure measures. */
    String latencyMeaning();

    /** Starts the server and returns credentials for {@code stations} stations. */
    List<StationCredentials> prepare(int stations, Consumer<String> progress) throws Exception;

    String mqttHost();

    /** The TLS the stations speak to this target (trusting its CA, checking the host name); empty: plain TCP. */
    default Optional<BenchTls> tls() {
        return Optional.empty();
    }

    int mqttPort();

    Snapshot snapshot() throws Exception;

    /** Throws, with the server's log tail, if the server process has exited. Cheap: no request to the server. */
    void requireAlive();

    /** Stops the server and everything started for it; safe to call more than once. */
    @Override
    void close();
}
