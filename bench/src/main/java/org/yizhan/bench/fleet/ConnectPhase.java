package org.yizhan.bench.fleet;

/**
 * What one connect phase measured: from the first station's connect to the last one's ({@code seconds}),
 * the stations that got connected, the server's CPU time over it, and the heartbeats and telemetry the connected
 * stations sent meanwhile (which the server also paid for), the part of the CPU time spent by a JVM server's JIT
 * compiler threads ({@code compilerCpuSeconds}; 0 for Mosquitto), and how many connect attempts failed and were tried
 * again ({@code retries}: each may have cost the server a handshake too, so the CPU per connect of a phase with
 * retries is too high).
 */
public record ConnectPhase(long connected, double seconds, double serverCpuSeconds, double compilerCpuSeconds,
                           long sentMeanwhile, long retries) {

    /** A phase that did not happen (no station connected). */
    public static final ConnectPhase NONE = new ConnectPhase(0, 0, 0, 0, 0, 0);

    /** Stations connected per second (bounded by the connect rate the bench offers); NaN without a connect. */
    public double connectsPerSecond() {
        return seconds > 0 && connected > 0 ? connected / seconds : Double.NaN;
    }

    /**
     * Server CPU per connected station in milliseconds: the phase's CPU above the server's idle use, less the
     * heartbeats and telemetry sent meanwhile valued at {@code microsPerMessage} (the window's CPU per message
     * above idle; NaN: not subtracted), divided by the stations connected. What is left is the cost of a station
     * coming online: TCP accept, the TLS handshake if any, CONNECT with its credentials and will, the retained
     * birth. NaN without a connect.
     */
    public double cpuMillisPerConnect(double idleCpuPercent, double microsPerMessage) {
        if (connected == 0 || seconds <= 0) {
            return Double.NaN;
        }
        double messages = Double.isNaN(microsPerMessage) ? 0 : sentMeanwhile * microsPerMessage / 1e6;
        double busy = serverCpuSeconds - idleCpuPercent / 100 * seconds - messages;
        return Math.max(0, busy) * 1000 / connected;
    }

    /**
     * The same without the JIT compiler's CPU over the phase: closer to the work each connect does once the code
     * is compiled (the compiler works through the phase at its own pace, so its share depends on the phase's
     * length, not on the number of connects).
     */
    public double cpuMillisPerConnectWithoutJit(double idleCpuPercent, double microsPerMessage) {
        double all = cpuMillisPerConnect(idleCpuPercent, microsPerMessage);
        return Double.isNaN(all) ? all : Math.max(0, all - compilerCpuSeconds * 1000 / connected);
    }
}
