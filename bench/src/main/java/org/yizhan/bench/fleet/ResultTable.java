package org.yizhan.bench.fleet;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/** The results of a bench as markdown: one row per run, then the hub ÷ mosquitto CPU ratio per fleet size. */
public final class ResultTable {

    private ResultTable() {
    }

    public static String markdown(List<RunResult> results) {
        StringBuilder b = new StringBuilder();
        b.append("| target | stations | connected | window s | sent msg/s | processed msg/s | latency p50 ms | p95 ms "
                + "| p99 ms | server CPU µs/msg | CPU µs/msg above idle | server CPU % of 1 core | idle CPU % | VmRSS MiB "
                + "| VmHWM MiB |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : results) {
            b.append(String.format(Locale.ROOT,
                    "| %s | %d | %d%s | %.1f | %.1f | %.1f | %s | %s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f |\n",
                    r.target(), r.stations(), r.connected(), r.lost() > 0 ? " (" + r.lost() + " lost)" : "",
                    r.windowSeconds(), r.sentPerSecond(), r.processedPerSecond(), ms(r.latencyMillis(0.50)),
                    ms(r.latencyMillis(0.95)), ms(r.latencyMillis(0.99)), num(r.cpuMicrosPerMessage()),
                    num(r.cpuMicrosPerMessageAboveIdle()), r.cpuPercentOfOneCore(), r.idleCpuPercent(),
                    r.vmRssKb() / 1024.0, r.vmHwmKb() / 1024.0));
        }
        List<Integer> sizes = results.stream().map(RunResult::stations).distinct().toList();
        StringBuilder ratios = new StringBuilder();
        for (int n : sizes) {
            Optional<RunResult> hub = find(results, "hub", n);
            Optional<RunResult> mosquitto = find(results, "mosquitto", n);
            if (hub.isPresent() && mosquitto.isPresent()) {
                double h = hub.get().cpuMicrosPerMessage();
                double m = mosquitto.get().cpuMicrosPerMessage();
                double hi = hub.get().cpuMicrosPerMessageAboveIdle();
                double mi = mosquitto.get().cpuMicrosPerMessageAboveIdle();
                ratios.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |\n", n, num(h), num(m),
                        m > 0 ? String.format(Locale.ROOT, "%.1f", h / m) : "n/a",
                        mi > 0 ? String.format(Locale.ROOT, "%.1f", hi / mi) : "n/a"));
            }
        }
        if (!ratios.isEmpty()) {
            b.append("\n| stations | hub CPU µs/msg | mosquitto CPU µs/msg | hub ÷ mosquitto | hub ÷ mosquitto, "
                    + "above idle |\n");
            b.append("|---:|---:|---:|---:|---:|\n");
            b.append(ratios);
        }
        b.append("\nLatency columns measure different stretches of the pipeline and are not comparable across "
                + "targets:\n");
        results.stream().map(r -> "- " + r.target() + ": " + r.latencyMeaning()).distinct()
                .forEach(s -> b.append(s).append('\n'));
        return b.toString();
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

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }
}
