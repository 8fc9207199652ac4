package org.yizhan.bench.fleet;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The results of a bench as markdown: one row per run; for a server made of several processes a table of its
 * parts; broker mode against Mosquitto alone per fleet size; then the hub ÷ mosquitto CPU ratio per fleet size and
 * link, then TLS against plaintext per server and fleet size (CPU per message and per connect).
 */
public final class ResultTable {

    private ResultTable() {
    }

    public static String markdown(List<RunResult> results) {
        StringBuilder b = new StringBuilder();
        b.append("| target | stations | connected | window s | sent msg/s | processed msg/s | latency p50 ms | p95 ms "
                + "| p99 ms | server CPU µs/msg | CPU µs/msg above idle | server CPU % of 1 core | idle CPU % "
                + "| connect s | connects/s | CPU ms/connect | reconnects/s | CPU ms/reconnect | without JIT "
                + "| VmRSS MiB | VmHWM MiB |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
                + "|---:|\n");
        for (RunResult r : results) {
            b.append(String.format(Locale.ROOT,
                    "| %s | %d | %d%s | %.1f | %.1f | %.1f | %s | %s | %s | %s | %s | %.1f | %.1f | %.1f%s | %s | %s "
                            + "| %s%s | %s | %s | %.1f | %.1f |\n",
                    r.target(), r.stations(), r.connected(), r.lost() > 0 ? " (" + r.lost() + " lost)" : "",
                    r.windowSeconds(), r.sentPerSecond(), r.processedPerSecond(), ms(r.latencyMillis(0.50)),
                    ms(r.latencyMillis(0.95)), ms(r.latencyMillis(0.99)), num(r.cpuMicrosPerMessage()),
                    num(r.cpuMicrosPerMessageAboveIdle()), r.cpuPercentOfOneCore(), r.idleCpuPercent(),
                    r.connect().seconds(), retries(r.connect()), num(r.connect().connectsPerSecond()),
                    num2(r.cpuMillisPerConnect()), num(r.reconnect().connectsPerSecond()), retries(r.reconnect()),
                    num2(r.cpuMillisPerReconnect()), num2(r.cpuMillisPerReconnectWithoutJit()),
                    r.vmRssKb() / 1024.0, r.vmHwmKb() / 1024.0));
        }
        List<Integer> sizes = results.stream().map(RunResult::stations).distinct().toList();
        for (RunResult r : results) {
            if (!r.parts().isEmpty()) {
                b.append(parts(r));
            }
        }
        b.append(brokerMode(results, sizes));
        StringBuilder ratios = new StringBuilder();
        for (int n : sizes) {
            for (String suffix : List.of("", "-tls")) {
                Optional<RunResult> hub = find(results, "hub" + suffix, n);
                Optional<RunResult> mosquitto = find(results, "mosquitto" + suffix, n);
                if (hub.isPresent() && mosquitto.isPresent()) {
                    double h = hub.get().cpuMicrosPerMessage();
                    double m = mosquitto.get().cpuMicrosPerMessage();
                    ratios.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |\n", n,
                            suffix.isEmpty() ? "plain" : "TLS", num(h), num(m),
                            cpuRatio(hub.get(), mosquitto.get(), false), cpuRatio(hub.get(), mosquitto.get(), true)));
                }
            }
        }
        if (!ratios.isEmpty()) {
            b.append("\n| stations | link | hub CPU µs/msg | mosquitto CPU µs/msg | hub ÷ mosquitto | hub ÷ mosquitto, "
                    + "above idle |\n");
            b.append("|---:|---|---:|---:|---:|---:|\n");
            b.append(ratios);
        }
        StringBuilder tls = new StringBuilder();
        for (int n : sizes) {
            for (String server : List.of("hub", "mosquitto")) {
                Optional<RunResult> plain = find(results, server, n);
                Optional<RunResult> secure = find(results, server + "-tls", n);
                if (plain.isPresent() && secure.isPresent()) {
                    RunResult p = plain.get();
                    RunResult t = secure.get();
                    tls.append(String.format(Locale.ROOT,
                            "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                                    + "| %s |\n", server, n,
                            num(p.cpuMicrosPerMessage()), num(t.cpuMicrosPerMessage()),
                            cpuRatio(t, p, false), cpuRatio(t, p, true),
                            num2(p.cpuMillisPerConnect()), num2(t.cpuMillisPerConnect()),
                            num2(t.cpuMillisPerConnect() - p.cpuMillisPerConnect()),
                            num2(p.cpuMillisPerReconnect()), num2(t.cpuMillisPerReconnect()),
                            num2(t.cpuMillisPerReconnect() - p.cpuMillisPerReconnect()),
                            num2(p.cpuMillisPerReconnectWithoutJit()), num2(t.cpuMillisPerReconnectWithoutJit()),
                            num2(t.cpuMillisPerReconnectWithoutJit() - p.cpuMillisPerReconnectWithoutJit()),
                            num(p.connect().connectsPerSecond()), num(t.connect().connectsPerSecond())));
                }
            }
        }
        if (!tls.isEmpty()) {
            b.append("\nTLS against plaintext, same server, same run:\n\n");
            b.append("| server | stations | CPU µs/msg plain | TLS | TLS ÷ plain | TLS ÷ plain, above idle "
                    + "| CPU ms/connect plain | TLS | TLS − plain | CPU ms/reconnect plain | TLS | TLS − plain "
                    + "| without JIT plain | TLS | TLS − plain | connects/s plain | TLS |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            b.append(tls);
        }
        b.append("\nLatency columns measure different stretches of the pipeline and are not comparable across "
                + "targets:\n");
        results.stream().map(r -> "- " + r.target() + ": " + r.latencyMeaning()).distinct()
                .forEach(s -> b.append(s).append('\n'));
        b.append("\nHow the stations talked to each target:\n");
        results.stream().map(r -> "- " + r.target() + ": " + r.link()).distinct()
                .forEach(s -> b.append(s).append('\n'));
        return b.toString();
    }

    /** Each part's CPU per message processed by the whole server, its share of a core, memory and sockets. */
    static String parts(RunResult r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "\nParts of %s at %d stations (CPU over the %.1f s window ÷ the %.0f "
                + "messages processed; memory and sockets at the window's end):\n\n", r.target(),
                r.stations(), r.windowSeconds(), r.processedInWindow()));
        b.append("| part | CPU µs/msg | CPU % of 1 core | VmRSS MiB | sockets |\n");
        b.append("|---|---:|---:|---:|---:|\n");
        long sockets = 0;
        for (RunResult.PartResult p : r.parts()) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %d |\n", p.name(),
                    num(r.cpuMicrosPerMessage(p)), p.cpuSeconds() / r.windowSeconds() * 100, p.vmRssKb() / 1024.0,
                    p.sockets()));
            sockets += p.sockets();
        }
        b.append(String.format(Locale.ROOT, "| all | %s | %.1f | %.1f | %d |\n", num(r.cpuMicrosPerMessage()),
                r.cpuPercentOfOneCore(), r.vmRssKb() / 1024.0, sockets));
        return b.toString();
    }

    /**
     * Per fleet size, each {@code hub-broker-N} run against Mosquitto alone (the {@code mosquitto} target) and the
     * one-process hub of the same run: the broker part, the hubs together and the whole deployment, in CPU µs per
     * message, and each ÷ Mosquitto alone. Empty without a {@code hub-broker-N} run.
     */
    static String brokerMode(List<RunResult> results, List<Integer> sizes) {
        StringBuilder rows = new StringBuilder();
        for (int n : sizes) {
            Optional<RunResult> alone = find(results, "mosquitto", n);
            Optional<RunResult> hub = find(results, "hub", n);
            for (RunResult r : results) {
                if (r.stations() != n || FleetOptions.replicas(r.target()) == 0) {
                    continue;
                }
                double brokerCpu = partCpu(r, "mosquitto");
                double hubsCpu = r.parts().stream().filter(p -> p.name().startsWith("hub-"))
                        .mapToDouble(RunResult.PartResult::cpuSeconds).sum();
                rows.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                        n, r.target(), alone.map(a -> num(a.cpuMicrosPerMessage())).orElse("n/a"),
                        num(perMessage(brokerCpu, r)), againstAlone(brokerCpu, r, alone),
                        num(perMessage(hubsCpu, r)), againstAlone(hubsCpu, r, alone),
                        num(r.cpuMicrosPerMessage()), againstAlone(r.serverCpuSeconds(), r, alone),
                        hub.map(h -> num(h.cpuMicrosPerMessage())).orElse("n/a"),
                        hub.map(h -> ratio(r.serverCpuSeconds(), r.cpuMicrosPerMessage(), h.serverCpuSeconds(),
                                h.cpuMicrosPerMessage())).orElse("n/a")));
            }
        }
        if (rows.isEmpty()) {
            return "";
        }
        return "\nBroker mode against Mosquitto alone and the one-process hub, same run (CPU µs per message "
                + "processed; ÷ alone: against the mosquitto target at the same fleet size):\n\n"
                + "| stations | target | mosquitto alone | broker part | ÷ alone | hubs | ÷ alone | whole deployment "
                + "| ÷ alone | one-process hub | whole ÷ hub |\n"
                + "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" + rows;
    }

    private static double partCpu(RunResult r, String part) {
        return r.parts().stream().filter(p -> p.name().equals(part)).mapToDouble(RunResult.PartResult::cpuSeconds)
                .findFirst().orElse(Double.NaN);
    }

    private static double perMessage(double cpuSeconds, RunResult r) {
        return r.processedInWindow() > 0 ? cpuSeconds * 1e6 / r.processedInWindow() : Double.NaN;
    }

    private static String againstAlone(double cpuSeconds, RunResult r, Optional<RunResult> alone) {
        return alone.map(a -> ratio(cpuSeconds, perMessage(cpuSeconds, r), a.serverCpuSeconds(),
                a.cpuMicrosPerMessage())).orElse("n/a");
    }

    /**
     * {@code x ÷ y} (CPU µs/msg) to two decimals; "n/a" when either CPU time over its window is under
     * {@link RunResult#MIN_RESOLVED_CPU_SECONDS} (mostly rounding) or a figure is missing.
     */
    private static String ratio(double xCpuSeconds, double x, double yCpuSeconds, double y) {
        if (!(xCpuSeconds >= RunResult.MIN_RESOLVED_CPU_SECONDS) || !(yCpuSeconds >= RunResult.MIN_RESOLVED_CPU_SECONDS)
                || Double.isNaN(x) || Double.isNaN(y) || y <= 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f", x / y);
    }

    private static Optional<RunResult> find(List<RunResult> results, String target, int n) {
        return results.stream().filter(r -> r.target().equals(target) && r.stations() == n).findFirst();
    }

    private static String ms(OptionalDouble v) {
        if (v.isEmpty()) {
            return "n/a";
        }
        double d = v.getAsDouble();
        return String.format(Locale.ROOT, d < 1 ? "%.3f" : "%.2f", d);
    }

    /** CPU µs/msg of {@code a} ÷ that of {@code b}; "n/a" when either has too few clock ticks to compare. */
    static String cpuRatio(RunResult a, RunResult b, boolean aboveIdle) {
        if (!a.cpuResolved(aboveIdle) || !b.cpuResolved(aboveIdle)) {
            return "n/a";
        }
        double x = aboveIdle ? a.cpuMicrosPerMessageAboveIdle() : a.cpuMicrosPerMessage();
        double y = aboveIdle ? b.cpuMicrosPerMessageAboveIdle() : b.cpuMicrosPerMessage();
        return Double.isNaN(x) || Double.isNaN(y) || y <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", x / y);
    }

    private static String retries(ConnectPhase p) {
        return p.retries() > 0 ? " (" + p.retries() + " retries)" : "";
    }

    private static String num2(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }
}
