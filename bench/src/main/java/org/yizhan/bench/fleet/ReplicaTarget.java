package org.yizhan.bench.fleet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The hub in broker mode as {@code deploy/cluster/cluster.sh start} runs it: Mosquitto holding the stations'
 * connections, one or two hub replicas consuming through shared subscriptions, PostgreSQL as their registry, a
 * QuestDB server for time series, HAProxy in front of the replicas' HTTP. The bench runs the script itself, so
 * what is measured is exactly what the script deploys. Stations are provisioned through HAProxy as a technician
 * would, and connect to the broker's plaintext listener. The figures are the deployment's: messages and latency
 * from every replica's {@code GET /metrics} (open on loopback), and CPU, memory and sockets per part.
 */
public final class ReplicaTarget implements Target {

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(300);

    private final Path script;
    private final Path jar;
    private final Path workDir;
    private final int hubs;
    private final List<String> javaOptions;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private Path clusterDir;
    private Path scriptLog;
    private Thread stopOnExit;
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final List<Integer> hubPorts = new ArrayList<>();
    private String brokerHost;
    private int brokerPort;

    /**
     * {@code script}: {@code deploy/cluster/cluster.sh}; {@code hubs}: 1 or 2 replicas; {@code javaOptions}: the
     * replicas' JVM options (none: the JVM's defaults, as the one-process {@code hub} target gets by default).
     */
    public ReplicaTarget(Path script, Path jar, Path workDir, int hubs, List<String> javaOptions) {
        if (hubs < 1 || hubs > 2) {
            throw new IllegalArgumentException("the cluster runs 1 or 2 hub replicas, not " + hubs);
        }
        this.script = script;
        this.jar = jar;
        this.workDir = workDir;
        this.hubs = hubs;
        this.javaOptions = List.copyOf(javaOptions);
    }

    /** The target's name for {@code hubs} replicas: {@code hub-broker-1}, {@code hub-broker-2}. */
    public static String name(int hubs) {
        return "hub-broker-" + hubs;
    }

    @Override
    public String name() {
        return name(hubs);
    }

    @Override
    public String latencyMeaning() {
        return "the replicas' yizhan_ingest_latency_seconds added bucket by bucket: PUBLISH from the broker received "
                + "to handled, inside a hub (its own clock); the broker's hop is not in it";
    }

    @Override
    public List<StationCredentials> prepare(int stations, Consumer<String> progress) throws Exception {
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException(script.toAbsolutePath() + " not found: pass --cluster-script PATH");
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("hub jar not found at " + jar.toAbsolutePath()
                    + ": build it with `./mvnw -B -q install -DskipTests` or pass --hub-jar PATH");
        }
        Files.createDirectories(workDir);
        clusterDir = workDir.resolve(name() + "-" + stations).toAbsolutePath();
        scriptLog = workDir.resolve(name() + "-" + stations + "-cluster.log").toAbsolutePath();
        stopOnExit = new Thread(this::stopCluster, "yizhan-bench-cluster-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        progress.accept("cluster.sh start: " + hubs + " hub replica(s) from " + jar + ", in " + clusterDir
                + ", output also in " + scriptLog);
        int exit = cluster("start", line -> progress.accept("cluster: " + line));
        if (exit != 0) {
            throw new IllegalStateException("cluster.sh start exited with " + exit + "; its output:\n"
                    + ChildProcess.tail(scriptLog, 30));
        }
        JsonObject json = new JsonObject(Files.readString(clusterDir.resolve("cluster.json")));
        JsonObject broker = json.getJsonObject("broker");
        brokerHost = broker.getString("host");
        brokerPort = broker.getInteger("mqtt");
        JsonArray hubList = json.getJsonArray("hubs");
        if (hubList.size() != hubs) {
            throw new IllegalStateException("cluster.json lists " + hubList.size() + " hubs, not " + hubs);
        }
        for (int i = 0; i < hubList.size(); i++) {
            hubPorts.add(hubList.getJsonObject(i).getInteger("http"));
        }
        pids.putAll(pidFiles(clusterDir.resolve("pids")));
        for (String part : parts()) {
            if (!pids.containsKey(part)) {
                throw new IllegalStateException("cluster.sh wrote no pid file for " + part + " in " + clusterDir);
            }
        }
        String lb = "http://127.0.0.1:" + json.getInteger("http");
        progress.accept("cluster up: broker " + brokerHost + ":" + brokerPort + " (plaintext), HTTP " + lb
                + " (HAProxy), hubs on " + hubPorts + ", pids " + pids);
        return new HubProvisioning(http, lb, this::requireAlive)
                .provision(json.getString("adminPassword"), stations, progress);
    }

    /**
     * The environment {@code cluster.sh} gets. Hub settings it does not set itself reach the replicas through it:
     * the rate limits on sign-in and provisioning are lifted as for the one-process hub, which the bench
     * provisions as fast as it answers.
     */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("YIZHAN_CLUSTER_DIR", clusterDir.toString());
        env.put("YIZHAN_CLUSTER_HUBS", Integer.toString(hubs));
        env.put("YIZHAN_HUB_JAR", jar.toAbsolutePath().toString());
        env.put("YIZHAN_HUB_JAVA_OPTS", String.join(" ", javaOptions));
        questdbJar().ifPresent(q -> env.put("YIZHAN_QUESTDB_JAR", q.toString()));
        env.put(HubTarget.envName("provision-attempts-per-minute"), "1000000");
        env.put(HubTarget.envName("login-attempts-per-minute"), "1000");
        return env;
    }

    /** The QuestDB jar on the bench's class path (the hub's dependency), if it can be found there. */
    private static Optional<Path> questdbJar() {
        try {
            Path p = Path.of(Class.forName("io.questdb.ServerMain").getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        } catch (Exception | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Runs {@code cluster.sh COMMAND}; each output line goes to {@code lines} and the script log. */
    private int cluster(String command, Consumer<String> lines) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toAbsolutePath().toString(), command)
                .redirectErrorStream(true);
        pb.environment().putAll(environment());
        Process p = pb.start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
                 Writer log = Files.newBufferedWriter(scriptLog, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                         StandardOpenOption.APPEND)) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.write(line + "\n");
                    log.flush();
                    lines.accept(line);
                }
            } catch (IOException e) {
                lines.accept("(output of cluster.sh " + command + " not read: " + e.getMessage() + ")");
            }
        }, "yizhan-bench-cluster-output");
        pump.setDaemon(true);
        pump.start();
        if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("cluster.sh " + command + " did not finish in " + SCRIPT_TIMEOUT.toSeconds()
                    + " s; its output:\n" + ChildProcess.tail(scriptLog, 30));
        }
        pump.join(5000);
        return p.exitValue();
    }

    /** Part → pid from cluster.sh's pid files ({@code <part>.pid}: the pid, then the program's name). */
    static Map<String, Long> pidFiles(Path dir) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pid")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String first = Files.readString(f).strip().split("\\s+")[0];
                out.put(name.substring(0, name.length() - ".pid".length()), Long.parseLong(first));
            }
        }
        return out;
    }

    /**
     * The measured parts, in the order the tables show them: the broker, each hub, then the stores. HAProxy is
     * left out: in the window it only sees its own health checks (it is still watched by {@link #requireAlive}).
     */
    List<String> parts() {
        List<String> out = new ArrayList<>();
        out.add("mosquitto");
        for (int k = 1; k <= hubs; k++) {
            out.add("hub-" + k);
        }
        out.add("questdb");
        out.add("postgres");
        return out;
    }

    @Override
    public String mqttHost() {
        return brokerHost;
    }

    @Override
    public int mqttPort() {
        return brokerPort;
    }

    @Override
    public Snapshot snapshot() throws Exception {
        requireAlive();
        List<PrometheusText> metrics = new ArrayList<>();
        for (int port : hubPorts) {
            metrics.add(HubTarget.metrics(http, "http://127.0.0.1:" + port));
        }
        long at = System.nanoTime();
        ProcessTree tree = ProcessTree.scan();
        List<Part> parts = new ArrayList<>();
        ProcStats sum = new ProcStats(0, 0, 0, 0);
        for (String name : parts()) {
            long pid = pids.get(name);
            ProcStats stats = tree.stats(pid);
            parts.add(new Part(name, stats, tree.sockets(pid)));
            sum = sum.plus(stats);
        }
        return new Snapshot(at, HubTarget.messagesIn(metrics), HubTarget.ingestLatency(metrics), sum, parts);
    }

    /** Throws, naming the part and with the end of its log, when any process cluster.sh started has exited. */
    @Override
    public void requireAlive() {
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            if (!ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false)) {
                Path log = clusterDir.resolve("logs").resolve(e.getKey() + ".log");
                throw new IllegalStateException(name() + ": " + e.getKey() + " (pid " + e.getValue()
                        + ") is no longer running; the end of " + log + ":\n" + ChildProcess.tail(log, 30));
            }
        }
    }

    /** Runs {@code cluster.sh stop}, which stops what start started (also after a failed start); safe to repeat. */
    @Override
    public void close() {
        if (stopOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook stops the cluster
                return;
            }
            stopOnExit = null;
            stopCluster();
        }
    }

    private void stopCluster() {
        try {
            int exit = cluster("stop", line -> { });
            if (exit != 0) {
                System.err.println("cluster.sh stop exited with " + exit + "; see " + scriptLog);
            }
        } catch (IOException e) {
            System.err.println("cluster.sh stop failed: " + e.getMessage() + "; see " + scriptLog);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
