package org.yizhan.bench.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Command-line options of {@link FleetLoad}. */
public record FleetOptions(List<Integer> stations, int windowSeconds, int warmupSeconds, FleetSettings fleet,
                           List<String> targets, Path hubJar, List<String> hubJavaOptions, Path mosquitto,
                           Path outDir, BenchTls.KeyType tlsKey, Path clusterScript, int sampleSeconds,
                           boolean externalStores) {

    public static final String USAGE = """
            Usage: FleetLoad [options]
              --stations 1000,5000     fleet sizes to run (default 1000,5000)
              --window 60              measured window in seconds, after all stations connected (default 60)
              --warmup 60              seconds between the last connect and the window (default 60)
              --heartbeat 10           heartbeatSeconds of every station (default 10)
              --telemetry 30           telemetrySeconds of every station (default 30)
              --connect-rate 200       station connects per second (default 200)
              --targets hub,mosquitto  servers to measure (default hub,mosquitto); also hub-tls and
                                       mosquitto-tls: the same servers with MQTT over TLS only, e.g.
                                       --targets hub,hub-tls,mosquitto,mosquitto-tls; and hub-broker-1,
                                       hub-broker-2: the hub in broker mode as deploy/cluster/cluster.sh
                                       starts it (Mosquitto holding the stations, 1 or 2 hub replicas on
                                       shared subscriptions, PostgreSQL, QuestDB, HAProxy), e.g.
                                       --targets hub,mosquitto,hub-broker-1,hub-broker-2
              --tls-key ec             the TLS targets' server key: ec (ECDSA P-256, default) or rsa (2048)
              --hub-jar PATH           the hub's jar (default hub-server/target/yizhan-hub.jar)
              --hub-java-opts "OPTS"   JVM options for the hub process, space-separated (default none);
                                       the hub-broker targets give them to every replica
              --hub-stores embedded    where the hub and hub-tls targets keep their data: embedded (default:
                                       QuestDB and an H2 file inside the hub's process, as the hub ships)
                                       or external: a QuestDB server and a PostgreSQL, each in a process
                                       of its own that the bench starts on loopback, as a large deployment
                                       runs them (ts-engine=questdb, db-url=jdbc:postgresql:...); the hub's
                                       row then sums the three processes, and a table lists each
              --mosquitto PATH         the broker binary (default /usr/sbin/mosquitto)
              --cluster-script PATH    what starts the hub-broker targets (default deploy/cluster/cluster.sh)
              --out DIR                where fleet-results.md and the server logs go (default bench/target)
              --sample 0               a soak: every this many seconds of the window, sample the server's
                                       resident memory and open files into soak-<target>-<N>.csv under
                                       --out, and judge at the end whether they stayed flat (default 0:
                                       off); e.g. --window 3600 --sample 30
              --quick                  a short trial: --stations 200 --window 15 --warmup 5
            """;

    private static final List<String> KNOWN_TARGETS = List.of("hub", "mosquitto", "hub-tls", "mosquitto-tls",
            "hub-broker-1", "hub-broker-2");
    private static final String BROKER_TARGET = "hub-broker-";
    private static final List<String> DEFAULT_TARGETS = List.of("hub", "mosquitto");

    public FleetOptions {
        stations = List.copyOf(stations);
        targets = List.copyOf(targets);
        hubJavaOptions = List.copyOf(hubJavaOptions);
        if (stations.isEmpty()) {
            throw new IllegalArgumentException("--stations: give at least one fleet size");
        }
        for (int n : stations) {
            if (n < 1 || n > 99_999) {
                throw new IllegalArgumentException("--stations: " + n + " must be 1 to 99999");
            }
        }
        if (windowSeconds < 1 || windowSeconds > 3600) {
            throw new IllegalArgumentException("--window: " + windowSeconds + " must be 1 to 3600");
        }
        if (sampleSeconds < 0 || sampleSeconds > windowSeconds) {
            throw new IllegalArgumentException("--sample: " + sampleSeconds + " must be 0 (off) to the window ("
                    + windowSeconds + ")");
        }
        if (warmupSeconds < 0 || warmupSeconds > 3600) {
            throw new IllegalArgumentException("--warmup: " + warmupSeconds + " must be 0 to 3600");
        }
        if (targets.isEmpty() || !KNOWN_TARGETS.containsAll(targets)) {
            throw new IllegalArgumentException("--targets: " + targets + " must be some of " + KNOWN_TARGETS);
        }
        if (targets.size() != targets.stream().distinct().count()) {
            throw new IllegalArgumentException("--targets: " + targets + " names a target twice");
        }
        if (tlsKey == null) {
            throw new IllegalArgumentException("--tls-key: must be ec or rsa");
        }
    }

    /** Whether any target speaks TLS, so the bench must make a CA and a server certificate. */
    public boolean needsTls() {
        return targets.stream().anyMatch(FleetOptions::isTls);
    }

    /** {@code hub-tls}, {@code mosquitto-tls}: the server with MQTT over TLS only. */
    public static boolean isTls(String target) {
        return target.endsWith("-tls");
    }

    /** The number of hub replicas of a {@code hub-broker-N} target; 0 for any other target. */
    public static int replicas(String target) {
        return target.startsWith(BROKER_TARGET) ? Integer.parseInt(target.substring(BROKER_TARGET.length())) : 0;
    }

    /**
     * Parses the arguments; defaults for paths come from the system properties {@code yizhan.bench.hubJar},
     * {@code yizhan.bench.outDir} and {@code yizhan.bench.clusterScript} (set by the bench pom) or are looked up
     * from the working directory.
     *
     * @throws IllegalArgumentException naming the option and what is wrong with it
     */
    public static FleetOptions parse(String... args) {
        List<Integer> stations = List.of(1000, 5000);
        int window = 60;
        int warmup = 60;
        int heartbeat = 10;
        int telemetry = 30;
        int connectRate = 200;
        int sample = 0;
        boolean externalStores = false;
        List<String> targets = DEFAULT_TARGETS;
        BenchTls.KeyType tlsKey = BenchTls.KeyType.EC;
        Path hubJar = defaultPath("yizhan.bench.hubJar", "hub-server/target/yizhan-hub.jar",
                "../hub-server/target/yizhan-hub.jar");
        List<String> javaOpts = List.of();
        Path mosquitto = MosquittoTarget.DEFAULT_BINARY;
        Path out = defaultPath("yizhan.bench.outDir", "bench/target", "target");
        Path clusterScript = defaultPath("yizhan.bench.clusterScript", "deploy/cluster/cluster.sh",
                "../deploy/cluster/cluster.sh");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) {
                stations = List.of(200);
                window = 15;
                warmup = 5;
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                throw new IllegalArgumentException("help requested");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + ": needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--stations" -> stations = ints(a, v);
                case "--window" -> window = integer(a, v);
                case "--warmup" -> warmup = integer(a, v);
                case "--heartbeat" -> heartbeat = integer(a, v);
                case "--telemetry" -> telemetry = integer(a, v);
                case "--connect-rate" -> connectRate = integer(a, v);
                case "--sample" -> sample = integer(a, v);
                case "--targets" -> targets = Arrays.stream(v.split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).toList();
                case "--hub-jar" -> hubJar = Path.of(v);
                case "--hub-java-opts" -> javaOpts = Arrays.stream(v.trim().split("\\s+"))
                        .filter(s -> !s.isEmpty()).toList();
                case "--mosquitto" -> mosquitto = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--cluster-script" -> clusterScript = Path.of(v);
                case "--hub-stores" -> externalStores = switch (v.trim()) {
                    case "embedded" -> false;
                    case "external" -> true;
                    default -> throw new IllegalArgumentException(a + ": '" + v + "' must be embedded or external");
                };
                case "--tls-key" -> {
                    try {
                        tlsKey = BenchTls.KeyType.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(a + ": " + e.getMessage());
                    }
                }
                default -> throw new IllegalArgumentException(a + ": unknown option");
            }
        }
        FleetSettings fleet;
        try {
            fleet = new FleetSettings(heartbeat, telemetry, connectRate, 60, 3);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--heartbeat/--telemetry/--connect-rate: " + e.getMessage());
        }
        return new FleetOptions(stations, window, warmup, fleet, targets, hubJar, javaOpts, mosquitto, out, tlsKey,
                clusterScript, sample, externalStores);
    }

    private static Path defaultPath(String property, String... candidates) {
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        for (String c : candidates) {
            Path path = Path.of(c);
            if (Files.exists(path) || (path.getParent() != null && Files.isDirectory(path.getParent()))) {
                return path;
            }
        }
        return Path.of(candidates[0]);
    }

    private static int integer(String option, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + v + "' is not a whole number");
        }
    }

    private static List<Integer> ints(String option, String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(integer(option, s));
            }
        }
        return out;
    }
}
