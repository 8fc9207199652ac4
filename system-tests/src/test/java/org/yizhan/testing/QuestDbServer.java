package org.yizhan.testing;

import io.questdb.ServerMain;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A QuestDB server as its own process, run from the QuestDB jar the hub is built with
 * ({@code java -p questdb.jar -m io.questdb/io.questdb.ServerMain -d root}): HTTP (SQL at {@code /exec}, line
 * protocol at {@code /api/v2/write}) on a free loopback port, kept across {@link #kill}/{@link #start} so the hub's
 * {@code ts-url} stays right; PG wire, ILP over TCP/UDP, the monitoring server and telemetry are off, so nothing
 * else binds a port. Its data and log stay in {@code dir}.
 */
public final class QuestDbServer implements AutoCloseable {

    private final Path root;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private QuestDbServer(Path dir, int port) {
        this.root = dir.resolve("root");
        this.log = dir.resolve("questdb.log");
        this.port = port;
    }

    /** Starts a server with its data under {@code dir} and waits until it answers SQL. */
    public static QuestDbServer start(Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        QuestDbServer q = new QuestDbServer(dir, port);
        q.start();
        return q;
    }

    /** Starts (again) on the same port and data; waits until it answers SQL. */
    public void start() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("QuestDB is already running");
        }
        Files.createDirectories(root);
        Path jar = Path.of(ServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-p", jar.toString(), "-m", "io.questdb/io.questdb.ServerMain", "-d", root.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("QDB_"));
        env.put("QDB_HTTP_NET_BIND_TO", "127.0.0.1:" + port);
        for (String off : List.of("QDB_HTTP_MIN_ENABLED", "QDB_PG_ENABLED", "QDB_LINE_TCP_ENABLED",
                "QDB_LINE_UDP_ENABLED", "QDB_TELEMETRY_ENABLED", "QDB_METRICS_ENABLED")) {
            env.put(off, "false");
        }
        env.put("QDB_TELEMETRY_DISABLE_COMPLETELY", "true");
        env.put("QDB_SHARED_WORKER_COUNT", "1");
        env.put("QDB_HTTP_WORKER_COUNT", "1");
        process = pb.start();
        await("QuestDB answers on port " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("QuestDB exited:\n" + output());
                    }
                    return answers();
                });
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:port}, for {@code ts-url}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** True when {@code SELECT 1} works. */
    public boolean answers() {
        try {
            return sql("SELECT 1").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs SQL at {@code /exec}; the answer as it comes. */
    public HttpResponse<String> sql(String query) throws IOException, InterruptedException {
        String q = java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(URI.create(url() + "/exec?query=" + q))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL, then waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
