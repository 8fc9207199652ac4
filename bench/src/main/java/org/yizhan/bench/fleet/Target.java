package org.yizhan.bench.fleet;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A server the fleet is pointed at: started per run, asked for its figures, stopped at the end. */
public interface Target extends AutoCloseable {

    /**
     * The server's figures at one moment; two of them bracket the measured window. {@code process} is the whole
     * server's; a server made of several processes also gives each of them as a {@link Part} ({@code process} is
     * then their sum), a one-process server none.
     */
    record Snapshot(long atNanos, double messages, BucketHistogram latencySeconds, ProcStats process,
                    List<Part> parts) {

        public Snapshot {
            parts = List.copyOf(parts);
        }

        /** A one-process server's figures. */
        public Snapshot(long atNanos, double messages, BucketHistogram latencySeconds, ProcStats process) {
            this(atNanos, messages, latencySeconds, process, List.of());
        }
    }

    /**
     * One part of a server made of several processes (the broker, a hub replica, a database), at one moment: its
     * process figures (for a process tree, summed over it) and how many sockets it holds.
     */
    record Part(String name, ProcStats process, long sockets) {
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

    /** How many files (sockets included) the server holds open now; -1 when not known for this target. */
    default long openFiles() {
        return -1;
    }

    /** The entries of {@code /proc/<pid>/fd}: the process's open files; -1 when they cannot be read. */
    static long openFilesOf(long pid) {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (java.io.IOException | SecurityException e) {
            return -1;
        }
    }

    /** Throws, with the server's log tail, if the server process has exited. Cheap: no request to the server. */
    void requireAlive();

    /** Stops the server and everything started for it; safe to call more than once. */
    @Override
    void close();
}
