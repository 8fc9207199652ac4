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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    private static final int HTTP_CONCURRENCY = 16;
    private static final int HTTP_ATTEMPTS = 5;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path jar;
    private final Path workDir;
    private final List<String> javaOptions;
    private final Optional<BenchTls> tls;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private ChildProcess hub;
    private Path dataDir;
    private String baseUrl;
    private int mqttPort;

    /**
     * {@code tls}: the hub serves MQTT over TLS only ({@code mqtt-tls} with the bench's certificate and CA; its HTTP
     * API, which the bench uses to provision and read metrics, stays plain); empty: plain MQTT.
     */
    public HubTarget(Path jar, Path workDir, List<String> javaOptions, Optional<BenchTls> tls) {
        this.jar = jar;
        this.workDir = workDir;
        this.javaOptions = List.copyOf(javaOptions);
        this.tls = tls;
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
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Path log = workDir.resolve(name() + "-" + stations + ".log");
        hub = ChildProcess.start("hub", command, env, log);
        progress.accept(name() + " " + jar + " (pid " + hub.pid() + ") starting, log " + log);
        JsonObject ports = waitForPorts();
        baseUrl = "http://127.0.0.1:" + ports.getInteger("http");
        mqttPort = ports.getInteger("mqtt");
        progress.accept("hub up: http " + baseUrl + ", mqtt" + (tls.isPresent() ? " over TLS" : "") + " 127.0.0.1:"
                + mqttPort);
        String token = login(adminPassword);
        return provision(stations, token, progress);
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

    private String login(String password) throws Exception {
        JsonObject answer = post("/api/v1/auth/login", new JsonObject().put("username", "admin")
                .put("password", password), Optional.empty(), 200);
        return require(answer, "token", "login");
    }

    private List<StationCredentials> provision(int n, String token, Consumer<String> progress) throws Exception {
        StationCredentials[] out = new StationCredentials[n];
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(HTTP_CONCURRENCY);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                tasks.add(pool.submit(() -> {
                    out[k] = createAndProvision(k + 1, token);
                    done.incrementAndGet();
                    return null;
                }));
            }
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(120 + n / 5);
            long nextReport = started;
            for (Future<?> f : tasks) {
                while (true) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("provisioning " + n + " stations took too long; " + done.get() + " done");
                    }
                    if (System.nanoTime() >= nextReport) {
                        hub.requireAlive();
                        progress.accept(String.format("provisioning: %d/%d stations", done.get(), n));
                        nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    }
                    try {
                        f.get(1, TimeUnit.SECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        // report progress and wait on
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IOException("provisioning failed: " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            progress.accept(String.format("provisioned %d stations in %.1f s (%.0f/s)", n, seconds, n / seconds));
        } finally {
            pool.shutdownNow();
        }
        return List.of(out);
    }

    private StationCredentials createAndProvision(int i, String token) throws Exception {
        JsonObject body = new JsonObject()
                .put("name", String.format("压测驿站 Bench station %05d", i))
                .put("address", "Bench road " + i)
                .put("lat", 31.0 + (i % 1000) * 0.0005)
                .put("lon", 121.2 + (i / 1000) * 0.01)
                .put("profile", "simulated")
                .put("ports", StationModel.PORTS)
                .put("capacity", StationModel.CAPACITY);
        JsonObject created = post("/api/v1/stations", body, Optional.of(token), 201);
        String claimCode = require(created, "claimCode", "station creation");
        JsonObject provisioned = post("/api/v1/provision", new JsonObject().put("claimCode", claimCode),
                Optional.empty(), 200);
        JsonObject mqtt = provisioned.getJsonObject("mqtt", new JsonObject());
        return new StationCredentials(require(provisioned, "stationId", "provisioning"),
                require(mqtt, "username", "provisioning mqtt"), require(mqtt, "password", "provisioning mqtt"));
    }

    private static String require(JsonObject o, String field, String what) throws IOException {
        Object v = o.getValue(field);
        if (!(v instanceof String s) || s.isEmpty()) {
            throw new IOException(what + ": answer has no \"" + field + "\"");
        }
        return s;
    }

    /** A JSON POST with bounded retries on I/O errors, 429 and 5xx; any other unexpected status fails. */
    private JsonObject post(String path, JsonObject body, Optional<String> token, int expected) throws Exception {
        IOException last = null;
        for (int attempt = 1; attempt <= HTTP_ATTEMPTS; attempt++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
            token.ifPresent(t -> rb.header("Authorization", "Bearer " + t));
            try {
                HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == expected || (expected == 201 && r.statusCode() == 200)) {
                    return new JsonObject(r.body());
                }
                last = new IOException("POST " + path + " answered " + r.statusCode() + ": " + abbreviate(r.body()));
                if (r.statusCode() != 429 && r.statusCode() < 500) {
                    throw last;
                }
            } catch (IOException e) {
                if (last != e) {
                    last = e;
                } else {
                    throw e;
                }
            }
            Thread.sleep(200L * attempt);
        }
        throw last;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** The environment variable for a hub setting, as {@code org.yizhan.hub.HubConfig#envName} names it. */
    static String envName(String key) {
        return "YIZHAN_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    @Override
    public void requireAlive() {
        hub.requireAlive();
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
    public Snapshot snapshot() throws Exception {
        hub.requireAlive();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        long at = System.nanoTime();
        ProcStats proc = ProcStats.read(hub.pid());
        if (r.statusCode() != 200) {
            throw new IOException("GET /metrics answered " + r.statusCode());
        }
        PrometheusText text = PrometheusText.parse(r.body());
        BucketHistogram latency = text.histogram(INGEST_LATENCY).orElseGet(
                () -> BucketHistogram.empty(new double[] {Double.POSITIVE_INFINITY}));
        return new Snapshot(at, text.sum(MESSAGES_IN), latency, proc);
    }

    @Override
    public void close() {
        if (hub != null) {
            hub.close();
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
