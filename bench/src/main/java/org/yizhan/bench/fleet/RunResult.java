package org.yizhan.bench.fleet;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What one run (one target, one fleet size) measured: over its window, and over two connect phases: the first,
 * to the freshly started server ({@code connect}; for the hub a cold JVM, as after a restart), and the second,
 * after the window every station disconnected and connected again ({@code reconnect}, the server warm).
 * {@code link} says how the stations talked to the server (plain TCP, or the TLS version and cipher suite).
 * {@code parts}: for a server made of several processes, each one's share of the window (empty for one process;
 * {@code serverCpuSeconds}, {@code vmRssKb} and {@code vmHwmKb} are then the parts' sums).
 */
public record RunResult(String target, int stations, long connected, long failed, long lost, double windowSeconds,
                        long sentInWindow, double processedInWindow, BucketHistogram latencySeconds,
                        double serverCpuSeconds, long vmRssKb, long vmHwmKb, double idleCpuPercent,
                        String latencyMeaning, String link, ConnectPhase connect, ConnectPhase reconnect,
                        List<PartResult> parts) {

    /**
     * One part of the server over the window: its CPU time (user + system, for a process tree summed over it),
     * and at the window's end its resident memory and the sockets it holds.
     */
    public record PartResult(String name, double cpuSeconds, long vmRssKb, long sockets) {
    }

    /**
     * Below this much server CPU time (ten ticks of the kernel's 10 ms clock) a CPU figure is mostly rounding:
     * ratios of such figures are not shown.
     */
    public static final double MIN_RESOLVED_CPU_SECONDS = 0.1;

    public RunResult {
        parts = List.copyOf(parts);
    }

    /** A one-process server's result. */
    public RunResult(String target, int stations, long connected, long failed, long lost, double windowSeconds,
                     long sentInWindow, double processedInWindow, BucketHistogram latencySeconds,
                     double serverCpuSeconds, long vmRssKb, long vmHwmKb, double idleCpuPercent,
                     String latencyMeaning, String link, ConnectPhase connect, ConnectPhase reconnect) {
        this(target, stations, connected, failed, lost, windowSeconds, sentInWindow, processedInWindow,
                latencySeconds, serverCpuSeconds, vmRssKb, vmHwmKb, idleCpuPercent, latencyMeaning, link, connect,
                reconnect, List.of());
    }

    public double sentPerSecond() {
        return sentInWindow / windowSeconds;
    }

    /** Messages the server handled per second (hub: its counters; mosquitto: delivered to the subscriber). */
    public double processedPerSecond() {
        return processedInWindow / windowSeconds;
    }

    /** Server CPU time (user + system) per processed message, in microseconds; NaN when nothing was processed. */
    public double cpuMicrosPerMessage() {
        return processedInWindow > 0 ? serverCpuSeconds * 1e6 / processedInWindow : Double.NaN;
    }

    /** A part's CPU time per processed message (all the server processed), in microseconds; NaN without any. */
    public double cpuMicrosPerMessage(PartResult part) {
        return processedInWindow > 0 ? part.cpuSeconds() * 1e6 / processedInWindow : Double.NaN;
    }

    /** Server CPU use over the window, in percent of one core. */
    public double cpuPercentOfOneCore() {
        return serverCpuSeconds / windowSeconds * 100;
    }

    /**
     * Server CPU per message above its idle use (measured for a few seconds before the fleet connected), in
     * microseconds: the cost of the messages without the server's fixed background work. NaN without messages.
     */
    public double cpuMicrosPerMessageAboveIdle() {
        double busy = Math.max(0, serverCpuSeconds - idleCpuPercent / 100 * windowSeconds);
        return processedInWindow > 0 ? busy * 1e6 / processedInWindow : Double.NaN;
    }

    /** Whether the window's server CPU time, or that above idle, is large enough to compare. */
    public boolean cpuResolved(boolean aboveIdle) {
        double cpu = aboveIdle ? serverCpuSeconds - idleCpuPercent / 100 * windowSeconds : serverCpuSeconds;
        return cpu >= MIN_RESOLVED_CPU_SECONDS;
    }

    /** A latency quantile in milliseconds, empty when no latency was recorded in the window. */
    public OptionalDouble latencyMillis(double q) {
        OptionalDouble s = latencySeconds.quantile(q);
        return s.isPresent() ? OptionalDouble.of(s.getAsDouble() * 1000) : OptionalDouble.empty();
    }

    /** Server CPU ms per station in the first connect phase (cold server); see {@link ConnectPhase}. */
    public double cpuMillisPerConnect() {
        return connect.cpuMillisPerConnect(idleCpuPercent, cpuMicrosPerMessageAboveIdle());
    }

    /** Server CPU ms per station when all reconnected, less the JIT compiler's CPU over that phase. */
    public double cpuMillisPerReconnectWithoutJit() {
        return reconnect.cpuMillisPerConnectWithoutJit(idleCpuPercent, cpuMicrosPerMessageAboveIdle());
    }

    /** Server CPU ms per station when all reconnected after the window (warm server). */
    public double cpuMillisPerReconnect() {
        return reconnect.cpuMillisPerConnect(idleCpuPercent, cpuMicrosPerMessageAboveIdle());
    }
}
