package org.yizhan.bench.fleet;

import java.util.OptionalDouble;

/** What one run (one target, one fleet size) measured over its window. */
public record RunResult(String target, int stations, long connected, long failed, long lost, double windowSeconds,
                        long sentInWindow, double processedInWindow, BucketHistogram latencySeconds,
                        double serverCpuSeconds, long vmRssKb, long vmHwmKb, double idleCpuPercent,
                        String latencyMeaning) {

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

    /** A latency quantile in milliseconds, empty when no latency was recorded in the window. */
    public OptionalDouble latencyMillis(double q) {
        OptionalDouble s = latencySeconds.quantile(q);
        return s.isPresent() ? OptionalDouble.of(s.getAsDouble() * 1000) : OptionalDouble.empty();
    }
}
