package org.yizhan.bench.fleet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The hub's stores in processes of their own, as a province-size deployment runs them (README, "Hub on a server";
 * {@code deploy/cluster/cluster.sh}): a QuestDB server for the time series and a PostgreSQL for the registry, each
 * on a free loopback port with a fresh data directory. QuestDB is started as {@code cluster.sh} starts it (same
 * jar, settings and {@code -Xmx384m}); PostgreSQL from Debian's binaries ({@code /usr/lib/postgresql/15/bin}, or
 * {@code YIZHAN_PG_BIN}) with initdb's default settings, as the {@code postgres} user when the bench runs as root
 * (PostgreSQL refuses root). {@link #hubEnvironment} is what points the hub at them. Closing stops both and
 * removes their data.
 */
final class ExternalStores implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String QUESTDB_VERSION = "9.3.4";

    private final Path dir;
    private final Path logs;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String pgPassword = UUID.randomUUID().toString().replace("-", "");
    private ChildProcess questdb;
    private ChildProcess postgres;
    private long postmasterPid = -1;
    private int questdbPort;
    private int pgPort;

    private ExternalStores(Path dir, Path logs) {
        this.dir = dir;
        this.logs = logs;
    }

    /** Starts PostgreSQL, then QuestDB; on any failure stops what was started and throws. */
    static ExternalStores start(Path logs, Consumer<String> progress) throws Exception {
        Path dir = Files.createTempDirectory("yizhan-bench-stores-");
        // PostgreSQL runs as another user when the bench is root: it must reach its data directory below this one
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ExternalStores s = new ExternalStores(dir, logs);
        try {
            s.startPostgres(progress);
            s.startQuestDb(progress);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /** The hub settings (as environment variables) for these stores. */
    Map<String, String> hubEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(HubTarget.envName("ts-engine"), "questdb");
        env.put(HubTarget.envName("ts-url"), "http://127.0.0.1:" + questdbPort);
        env.put(HubTarget.envName("db-url"), "jdbc:postgresql://127.0.0.1:" + pgPort + "/yizhan");
        env.put(HubTarget.envName("db-user"), "yizhan");
        env.put(HubTarget.envName("db-password"), pgPassword);
        return env;
    }

    long questdbPid() {
        return questdb.pid();
    }

    /** The postmaster's pid: PostgreSQL's backends and workers are its children. */
    long postgresPid() {
        return postmasterPid;
    }

    /** Throws, with the log's tail, when either store has exited. */
    void requireAlive() {
        questdb.requireAlive();
        postgres.requireAlive();
    }

    private void startPostgres(Consumer<String> progress) throws Exception {
        Path bin = Path.of(System.getenv().getOrDefault("YIZHAN_PG_BIN", "/usr/lib/postgresql/15/bin"));
        if (!Files.isExecutable(bin.resolve("postgres"))) {
            throw new IllegalStateException(bin.resolve("postgres") + " is missing: install Debian's postgresql "
                    + "(15) or set YIZHAN_PG_BIN");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> asPostgres = root ? List.of("runuser", "-u", "postgres", "--") : List.of();
        Path data = dir.resolve("postgres");
        Path pwFile = dir.resolve("pg.pw");
        Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(pwFile, pgPassword + "\n");
        Files.setPosixFilePermissions(pwFile, PosixFilePermissions.fromString("rw-------"));
        if (root) {
            UserPrincipal pg = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(data, pg);
            Files.setOwner(pwFile, pg);
        }
        List<String> initdb = new ArrayList<>(asPostgres);
        initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "yizhan",
                "--pwfile=" + pwFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"));
        run("initdb", initdb, Map.of());
        Files.delete(pwFile);
        pgPort = freePort();
        List<String> server = new ArrayList<>(asPostgres);
        server.addAll(List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "port=" + pgPort, "-c", "unix_socket_directories="));
        postgres = ChildProcess.start("postgres", server, Map.of(), logs.resolve("stores-postgres.log"), dir);
        progress.accept("postgresql " + bin + " starting on 127.0.0.1:" + pgPort + ", data " + data);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Map<String, String> pw = Map.of("PGPASSWORD", pgPassword);
        List<String> createdb = List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(pgPort), "-U", "yizhan", "yizhan");
        while (true) {
            postgres.requireAlive();
            if (Files.isRegularFile(data.resolve("postmaster.pid"))
                    && exitOf(List.of(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p",
                    Integer.toString(pgPort)), Map.of()) == 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("PostgreSQL did not answer within " + START_TIMEOUT.toSeconds() + " s; log:\n"
                        + postgres.logTail(30));
            }
            Thread.sleep(200);
        }
        postmasterPid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        run("createdb", createdb, pw);
        progress.accept("postgresql up (postmaster pid " + postmasterPid + ")");
    }

    private void startQuestDb(Consumer<String> progress) throws Exception {
        Path jar = questdbJar();
        questdbPort = freePort();
        Path data = dir.resolve("questdb");
        Files.createDirectories(data);
        // as deploy/cluster/cluster.sh starts it
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QDB_HTTP_NET_BIND_TO", "127.0.0.1:" + questdbPort);
        env.put("QDB_HTTP_MIN_ENABLED", "false");
        env.put("QDB_PG_ENABLED", "false");
        env.put("QDB_LINE_TCP_ENABLED", "false");
        env.put("QDB_LINE_UDP_ENABLED", "false");
        env.put("QDB_TELEMETRY_ENABLED", "false");
        env.put("QDB_METRICS_ENABLED", "false");
        env.put("QDB_TELEMETRY_DISABLE_COMPLETELY", "true");
        env.put("QDB_SHARED_WORKER_COUNT", "1");
        env.put("QDB_HTTP_WORKER_COUNT", "1");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-p", jar.toString(), "-m", "io.questdb/io.questdb.ServerMain", "-d", data.toString());
        questdb = ChildProcess.start("questdb", command, env, logs.resolve("stores-questdb.log"));
        progress.accept("questdb server " + jar.getFileName() + " (pid " + questdb.pid() + ") starting on 127.0.0.1:"
                + questdbPort);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        URI ping = URI.create("http://127.0.0.1:" + questdbPort + "/exec?query=SELECT%201");
        while (true) {
            questdb.requireAlive();
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ping).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QuestDB did not answer within " + START_TIMEOUT.toSeconds() + " s; log:\n"
                        + questdb.logTail(30));
            }
            Thread.sleep(200);
        }
        progress.accept("questdb up");
    }

    /** The QuestDB jar: on the bench's class path (the hub's dependency), else in the local Maven repository. */
    static Path questdbJar() {
        try {
            Path p = Path.of(Class.forName("io.questdb.ServerMain").getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
            if (Files.isRegularFile(p)) {
                return p;
            }
        } catch (Exception | LinkageError e) {
            // fall through
        }
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "questdb", "questdb",
                QUESTDB_VERSION, "questdb-" + QUESTDB_VERSION + ".jar");
        if (!Files.isRegularFile(m2)) {
            throw new IllegalStateException("QuestDB jar not found on the class path nor at " + m2);
        }
        return m2;
    }

    private void run(String what, List<String> command, Map<String, String> env)
            throws IOException, InterruptedException {
        int exit = exitOf(command, env, logs.resolve("stores-" + what + ".log"), dir);
        if (exit != 0) {
            throw new IOException(what + " exited with " + exit + "; log:\n"
                    + ChildProcess.tail(logs.resolve("stores-" + what + ".log"), 30));
        }
    }

    private int exitOf(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        return exitOf(command, env, logs.resolve("stores-probe.log"), dir);
    }

    /** Runs a command to its end (at most 60 s; -1 then) in {@code dir}, which the postgres user can enter. */
    private static int exitOf(List<String> command, Map<String, String> env, Path log, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).directory(dir.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Proportional set size of {@code root} and its descendants ({@code smaps_rollup}): shared pages split. */
    static long pssKb(long root) {
        try {
            ProcessTree tree = ProcessTree.scan();
            long sum = 0;
            for (long pid : tree.under(root)) {
                try {
                    String s = Files.readString(Path.of("/proc", Long.toString(pid), "smaps_rollup"),
                            StandardCharsets.UTF_8);
                    sum += ProcStats.kbOf(s, "Pss");
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
            return sum;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Stops QuestDB (SIGTERM) and PostgreSQL (SIGINT: fast shutdown), then removes their data. Safe to repeat. */
    @Override
    public void close() {
        if (questdb != null) {
            questdb.close();
        }
        if (postgres != null) {
            if (postmasterPid > 0) {
                try {
                    exitOf(List.of("kill", "-INT", Long.toString(postmasterPid)), Map.of(),
                            logs.resolve("stores-probe.log"), dir);
                    ProcessHandle.of(postmasterPid).ifPresent(h -> {
                        try {
                            h.onExit().get(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            // closed below
                        }
                    });
                } catch (IOException e) {
                    // closed below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            postgres.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
