package org.yizhan.bench.fleet;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The Yizhan hub, started from its jar as a child process with a fresh data directory and free loopback ports.
 * Stations are created and provisioned through the HTTP API as a technician would, and the hub's own figures
 * come from {@code GET /metrics}.
 */
public final class HubTarget implements Target {

    static final String MESSAGES_IN = "yizhan_mqtt_messages_in_total";
    static final String INGEST_LATENCY = "yizhan_ingest_latency_seconds";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path jar;
    private final Path workDir;
    private final List<String> javaOptions;
    private final Optional<BenchTls> tls;
    private final boolean externalStores;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private ChildProcess hub;
    private Path dataDir;
    private String baseUrl;
    private int mqttPort;
    private ExternalStores stores;
    private Consumer<String> progress = s -> { };

    /**
     * {@code tls}: the hub serves MQTT over TLS only ({@code mqtt-tls} with the bench's certificate and CA; its HTTP
     * API, which the bench uses to provision and read metrics, stays plain); empty: plain MQTT.
     */
    public HubTarget(Path jar, Path workDir, List<String> javaOptions, Optional<BenchTls> tls) {
        this(jar, workDir, javaOptions, tls, false);
    }

    /**
     * {@code externalStores}: the hub keeps its time series in a QuestDB server and its registry in a PostgreSQL,
     * each in a process of its own that the bench starts for the run ({@link ExternalStores}), as a large
     * deployment runs it; false: the hub's embedded QuestDB and H2 file, all in the hub's process. With external
     * stores a snapshot has three parts (hub, questdb, postgres) and its process figures are their sum.
     */
    public HubTarget(Path jar, Path workDir, List<String> javaOptions, Optional<BenchTls> tls,
                     boolean externalStores) {
        this.jar = jar;
        this.workDir = workDir;
        this.javaOptions = List.copyOf(javaOptions);
        this.tls = tls;
        this.externalStores = externalStores;
    }

    @Override
    public String name() {
        return tls.isPresent() ? "hub-tls" : "hub";
    }

    @Override
    public Optional<BenchTls> tls() {
        return tls;
    }

    @Override
    public String latencyMeaning() {
        return "hub's yizhan_ingest_latency_seconds: PUBLISH received to handled, inside the hub (its own clock)";
    }

    @Override
    public List<StationCredentials> prepare(int stations, Consumer<String> progress) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("hub jar not found at " + jar.toAbsolutePath()
                    + ": build it with `./mvnw -B -q install -DskipTests` or pass --hub-jar PATH");
        }
        Files.createDirectories(workDir);
        this.progress = progress;
        if (externalStores) {
            stores = ExternalStores.start(workDir, progress);
        }
        dataDir = Files.createTempDirectory("yizhan-bench-hub-");
        String adminPassword = UUID.randomUUID().toString();
        Map<String, String> env = new HashMap<>();
        env.put(envName("data-dir"), dataDir.toString());
        env.put(envName("http-host"), "127.0.0.1");
        env.put(envName("http-port"), "0");
        env.put(envName("mqtt-host"), "127.0.0.1");
        env.put(envName("mqtt-port"), "0");
        env.put(envName("public-mqtt-host"), "127.0.0.1");
        env.put(envName("admin-password"), adminPassword);
        env.put(envName("provision-attempts-per-minute"), "1000000");
        env.put(envName("login-free-failures"), "1000");
        env.putAll(tlsEnvironment(tls));
        if (stores != null) {
            env.putAll(stores.hubEnvironment());
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Path log = workDir.resolve(name() + "-" + stations + ".log");
        hub = ChildProcess.start("hub", command, env, log);
        progress.accept(name() + " " + jar + " (pid " + hub.pid() + ") starting, log " + log
                + (stores != null ? "; stores external: " + stores.hubEnvironment().entrySet().stream()
                .filter(e -> !e.getKey().endsWith("PASSWORD")).map(Object::toString).toList() : "; stores embedded"));
        JsonObject ports = waitForPorts();
        baseUrl = "http://127.0.0.1:" + ports.getInteger("http");
        mqttPort = ports.getInteger("mqtt");
        progress.accept("hub up: http " + baseUrl + ", mqtt" + (tls.isPresent() ? " over TLS" : "") + " 127.0.0.1:"
                + mqttPort);
        return new HubProvisioning(http, baseUrl, hub::requireAlive).provision(adminPassword, stations, progress);
    }

    /** The hub settings for MQTT over TLS with the bench's files; none for plain MQTT. */
    static Map<String, String> tlsEnvironment(Optional<BenchTls> tls) {
        if (tls.isEmpty()) {
            return Map.of();
        }
        BenchTls t = tls.get();
        return Map.of(envName("mqtt-tls"), "true",
                envName("tls-cert"), t.chainFile().toAbsolutePath().toString(),
                envName("tls-key"), t.keyFile().toAbsolutePath().toString(),
                envName("tls-ca"), t.caFile().toAbsolutePath().toString());
    }

    private JsonObject waitForPorts() throws IOException, InterruptedException {
        Path file = dataDir.resolve("ports.json");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            hub.requireAlive();
            if (Files.isRegularFile(file)) {
                try {
                    JsonObject o = new JsonObject(Files.readString(file));
                    if (o.getInteger("http", 0) > 0 && o.getInteger("mqtt", 0) > 0) {
                        return o;
                    }
                } catch (RuntimeException e) {
                    // written but not complete yet
                }
            }
            Thread.sleep(200);
        }
        throw new IOException("hub wrote no " + file + " within " + START_TIMEOUT.toSeconds() + " s; log:\n"
                + hub.logTail(30));
    }

    /** The environment variable for a hub setting, as {@code org.yizhan.hub.HubConfig#envName} names it. */
    static String envName(String key) {
        return "YIZHAN_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    @Override
    public void requireAlive() {
        hub.requireAlive();
        if (stores != null) {
            stores.requireAlive();
        }
    }

    @Override
    public String mqttHost() {
        return "127.0.0.1";
    }

    @Override
    public int mqttPort() {
        return mqttPort;
    }

    @Override
    public long openFiles() {
        return Target.openFilesOf(hub.pid());
    }

    @Override
    public Snapshot snapshot() throws Exception {
        hub.requireAlive();
        PrometheusText text = metrics(http, baseUrl);
        long at = System.nanoTime();
        ProcStats proc = ProcStats.read(hub.pid());
        if (stores == null) {
            return new Snapshot(at, messagesIn(List.of(text)), ingestLatency(List.of(text)), proc);
        }
        requireAlive();
        ProcessTree tree = ProcessTree.scan();
        ProcStats questdb = tree.stats(stores.questdbPid());
        ProcStats postgres = tree.stats(stores.postgresPid());
        List<Part> parts = List.of(new Part("hub", proc, tree.sockets(hub.pid())),
                new Part("questdb", questdb, tree.sockets(stores.questdbPid())),
                new Part("postgres", postgres, tree.sockets(stores.postgresPid())));
        // PostgreSQL's VmRSS summed over its processes counts its shared buffers once per process: its
        // proportional set size (shared pages split among the processes) is its real share of the memory
        progress.accept(String.format(java.util.Locale.ROOT, "memory now: hub VmRSS %.1f MiB; questdb VmRSS %.1f "
                        + "MiB (Pss %.1f); postgres VmRSS summed over its processes %.1f MiB (Pss %.1f)",
                proc.vmRssKb() / 1024.0, questdb.vmRssKb() / 1024.0, ExternalStores.pssKb(stores.questdbPid()) / 1024.0,
                postgres.vmRssKb() / 1024.0, ExternalStores.pssKb(stores.postgresPid()) / 1024.0));
        return new Snapshot(at, messagesIn(List.of(text)), ingestLatency(List.of(text)),
                proc.plus(questdb).plus(postgres), parts);
    }

    /** Stops the hub (SIGTERM, so it closes its registry) and keeps its data directory for reading. */
    public void stopServer() {
        if (hub != null) {
            hub.close();
            hub = null;
        }
    }

    /** The hub's data directory (its registry is {@code registry.mv.db}), until {@link #close}. */
    public Path dataDir() {
        return dataDir;
    }

    /** The hub's HTTP base URL, such as {@code http://127.0.0.1:41234}. */
    public String baseUrl() {
        return baseUrl;
    }

    /** {@code GET /metrics} of the hub at {@code baseUrl}, parsed; fails unless it answers 200. */
    static PrometheusText metrics(HttpClient http, String baseUrl) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + baseUrl + "/metrics answered " + r.statusCode());
        }
        return PrometheusText.parse(r.body());
    }

    /** The MQTT messages the hubs took in (all types), summed over them. */
    static double messagesIn(List<PrometheusText> hubs) {
        return hubs.stream().mapToDouble(t -> t.sum(MESSAGES_IN)).sum();
    }

    /**
     * The hubs' ingest latency histograms added bucket by bucket (they share the buckets: same hub, same settings);
     * a histogram without observations (one +Inf bucket) when no hub exposes it.
     */
    static BucketHistogram ingestLatency(List<PrometheusText> hubs) {
        return hubs.stream().flatMap(t -> t.histogram(INGEST_LATENCY).stream()).reduce(BucketHistogram::plus)
                .orElseGet(() -> BucketHistogram.empty(new double[] {Double.POSITIVE_INFINITY}));
    }

    @Override
    public void close() {
        stopServer();
        if (stores != null) {
            stores.close();
            stores = null;
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind is harmless
            }
            dataDir = null;
        }
    }
}
