package org.yizhan.bench.fleet;

import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The fleet load generator: for each fleet size and target (the Yizhan hub, and Mosquitto as a plain relay for
 * comparison, each with plain MQTT or MQTT over TLS) it starts the server, connects a simulated fleet, measures
 * a window and prints a markdown table, also written to {@code fleet-results.md}. Output on stdout is meant for
 * the person running the bench.
 */
public final class FleetLoad {

    private FleetLoad() {
    }

    public static void main(String[] args) throws Exception {
        FleetOptions options;
        try {
            options = FleetOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(FleetOptions.USAGE);
            System.exit(2);
            return;
        }
        Consumer<String> out = s -> System.out.println(s);
        String machine = machine();
        out.accept("Yizhan fleet bench on " + machine);
        checkOpenFileLimit(options, out);
        Files.createDirectories(options.outDir());
        List<RunResult> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Optional<BenchTls> tls = Optional.empty();
        if (options.needsTls()) {
            Path dir = options.outDir().resolve("fleet-tls");
            tls = Optional.of(BenchTls.create(dir, options.tlsKey()));
            out.accept("TLS targets: CA and server certificate (" + options.tlsKey().label() + ", for localhost and "
                    + "127.0.0.1) made in " + dir.toAbsolutePath());
        }
        Vertx vertx = Vertx.vertx();
        try {
            FleetRun run = new FleetRun(vertx, options.fleet(), Duration.ofSeconds(options.warmupSeconds()),
                    Duration.ofSeconds(options.windowSeconds()), out)
                    .sampling(Duration.ofSeconds(options.sampleSeconds()), options.outDir());
            for (int n : options.stations()) {
                for (String t : options.targets()) {
                    Target target = target(t, options, vertx, tls);
                    try {
                        results.add(run.run(target, n));
                    } catch (Exception e) {
                        String msg = t + " N=" + n + " failed: " + e;
                        out.accept(msg);
                        failures.add(msg);
                    }
                }
            }
        } finally {
            FleetRun.await(vertx.close(), Duration.ofSeconds(30));
        }
        String report = report(options, args, machine, results, failures);
        Path file = options.outDir().resolve("fleet-results.md");
        Files.writeString(file, report);
        out.accept("");
        out.accept(report);
        out.accept("written to " + file.toAbsolutePath());
        if (!failures.isEmpty()) {
            System.exit(1);
        }
    }

    private static Target target(String t, FleetOptions options, Vertx vertx, Optional<BenchTls> tls) {
        Path logs = options.outDir().resolve("fleet-logs");
        Optional<BenchTls> targetTls = FleetOptions.isTls(t) ? tls : Optional.empty();
        if (FleetOptions.replicas(t) > 0) {
            return new ReplicaTarget(options.clusterScript(), options.hubJar(), logs, FleetOptions.replicas(t),
                    options.hubJavaOptions());
        }
        return t.startsWith("hub")
                ? new HubTarget(options.hubJar(), logs, options.hubJavaOptions(), targetTls, options.externalStores())
                : new MosquittoTarget(vertx, options.mosquitto(), logs, targetTls);
    }

    static String report(FleetOptions o, String[] args, String machine, List<RunResult> results,
                         List<String> failures) {
        StringBuilder b = new StringBuilder();
        b.append("# Yizhan fleet bench\n\n");
        b.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        b.append("- machine: ").append(machine).append('\n');
        b.append("- arguments: `").append(String.join(" ", args)).append("`\n");
        b.append(String.format("- stations send a heartbeat every %d s and telemetry every %d s (random phase); "
                        + "connect rate %d/s; warm-up %d s; window %d s%n", o.fleet().heartbeatSeconds(),
                o.fleet().telemetrySeconds(), o.fleet().connectsPerSecond(), o.warmupSeconds(), o.windowSeconds()));
        b.append("- server CPU = utime + stime of the server process from /proc/<pid>/stat over the window; "
                + "memory = VmRSS and VmHWM from /proc/<pid>/status at the end of the window\n");
        b.append("- connect phase = first station's connect to the last one's; CPU ms/connect = the server's CPU "
                + "over it above idle, less the heartbeats and telemetry sent meanwhile at the window's µs/msg above "
                + "idle, per station connected\n");
        if (o.targets().stream().anyMatch(t -> FleetOptions.replicas(t) > 0)) {
            b.append("- hub-broker-N targets: started by `deploy/cluster/cluster.sh start` (Mosquitto, N hub "
                    + "replicas in broker mode, PostgreSQL, QuestDB, HAProxy); the stations connect to Mosquitto's "
                    + "plaintext listener; server CPU and memory are summed over Mosquitto, the hubs, QuestDB and "
                    + "PostgreSQL (its postmaster and all its child processes), messages and latency over the hubs");
            b.append(o.hubJavaOptions().isEmpty() ? "; hub JVM defaults" : "; hub JVM options `"
                    + String.join(" ", o.hubJavaOptions()) + "`").append('\n');
        }
        if (o.externalStores() && o.targets().stream().anyMatch(t -> t.equals("hub") || t.equals("hub-tls"))) {
            b.append("- hub stores external: the hub target's time series in a QuestDB server (started as "
                    + "deploy/cluster/cluster.sh starts it, -Xmx384m) and its registry in a PostgreSQL 15 (initdb's "
                    + "defaults), each a process of its own on loopback; the hub's row sums CPU and memory over the "
                    + "hub, QuestDB and PostgreSQL (its postmaster and all its children; VmRSS summed over those "
                    + "counts its shared buffers once per process), the table of its parts gives each\n");
        }
        if (o.needsTls()) {
            b.append("- TLS targets: ").append(o.tlsKey().label()).append(" server key signed by a bench CA; "
                    + "every station makes a full handshake and verifies the chain and host name\n");
        }
        b.append('\n');
        b.append(ResultTable.markdown(results));
        if (!failures.isEmpty()) {
            b.append("\nFailed runs:\n");
            failures.forEach(f -> b.append("- ").append(f).append('\n'));
        }
        return b.toString();
    }

    private static void checkOpenFileLimit(FleetOptions options, Consumer<String> out) {
        int biggest = Collections.max(options.stations());
        long limit = ProcStats.openFileLimit();
        long needed = biggest + 512L;
        if (limit < 0) {
            out.accept("open-file limit unknown; " + biggest + " stations need about " + needed
                    + " file descriptors here and in the server");
        } else if (limit < needed) {
            out.accept("WARNING: open-file limit (ulimit -n) is " + limit + ", too low for " + biggest
                    + " stations: this process and the server each need about " + needed
                    + ". Raise it with `ulimit -n " + Math.max(needed, 65536) + "` before running.");
        } else {
            out.accept("open-file limit (ulimit -n) " + limit + ": enough for " + biggest + " stations");
        }
    }

    /** Cores and CPU model, from the JVM and /proc/cpuinfo. */
    static String machine() {
        String model = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException e) {
            // keep "unknown CPU"
        }
        return Runtime.getRuntime().availableProcessors() + " cores (nproc), " + model + ", Java "
                + System.getProperty("java.version");
    }
}
