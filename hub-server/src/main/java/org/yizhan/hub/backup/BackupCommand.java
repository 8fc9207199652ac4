package org.yizhan.hub.backup;

import io.vertx.core.json.JsonObject;
import org.yizhan.hub.HubConfig;
import org.yizhan.hub.cli.CliSupport;
import org.yizhan.hub.db.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code yizhan-hub backup [--config FILE] [--to FILE] [--hub URL] [--keep N]}. When no hub runs on the data
 * directory, this opens the H2 registry itself (holding its lock, so a hub cannot start on it meanwhile) and writes
 * the archive. When a hub runs (the registry's lock is taken, or {@code --hub} is given), it asks that hub for an
 * online backup ({@code POST /api/v1/admin/backup}) as admin: with the token in {@code YIZHAN_ADMIN_TOKEN}, or by
 * signing in as {@code admin} with the {@code admin-password} setting. Archives go to {@code DATA_DIR/backups};
 * {@code --to FILE} puts one at FILE instead (online: a verified copy of the hub's). Exit status 0 when written,
 * 2 for bad arguments or settings (a PostgreSQL registry: use pg_dump), 1 when it failed.
 */
@Command(name = "backup", sortOptions = false, sortSynopsis = false,
        description = {"Back up the registry and the secrets, while the hub runs or not.",
                "The registry (H2) and the data directory's secrets, consistently."},
        footer = {"", "A running hub is asked as admin: token in YIZHAN_ADMIN_TOKEN, or the",
                "admin-password setting (YIZHAN_ADMIN_PASSWORD). With db-url (PostgreSQL)",
                "use pg_dump instead (see README, Backups).",
                "Exit status: 0 written; 1 failed; 2 bad arguments or settings."})
public final class BackupCommand implements Callable<Integer> {

    @Option(names = {"--config", "-c"}, paramLabel = "FILE",
            description = "the hub's settings (data-dir, admin-password, http-port); YIZHAN_* variables override")
    Path configFile;
    @Option(names = "--to", paramLabel = "FILE",
            description = "where to write the archive (default: DATA_DIR/backups/yizhan-backup-TIME.zip)")
    Path to;
    @Option(names = "--hub", paramLabel = "URL",
            description = "ask the hub at URL (default: the one running on the data directory, from ports.json)")
    String hub;
    @Option(names = "--keep", paramLabel = "N",
            description = "then delete all but the newest N archives in DATA_DIR/backups (default: keep all)")
    Integer keepOption;
    @Mixin
    CliSupport.HelpOption help = new CliSupport.HelpOption();
    @Spec
    CommandSpec spec;

    private static final int H2_DATABASE_IN_USE = 90020;
    private static final int H2_DATABASE_NOT_FOUND = 90146;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    /** The command for picocli, writing to these streams and reading {@code YIZHAN_*} overrides from {@code env}. */
    public BackupCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** Runs the command with these arguments (after {@code backup}) and environment; the exit status. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        return CliSupport.execute(new BackupCommand(out, err, env), args, out, err);
    }

    @Override
    public Integer call() {
        Optional<Path> configFile = Optional.ofNullable(this.configFile);
        Optional<Path> to = Optional.ofNullable(this.to);
        Optional<String> hub = Optional.ofNullable(this.hub).map(v -> v.replaceAll("/+$", ""));
        int keep = 0;
        if (keepOption != null) {
            keep = keepOption;
            if (keep < 1 || keep > BackupRoutes.MAX_KEEP) {
                throw new ParameterException(spec.commandLine(), "--keep needs a number from 1 to "
                        + BackupRoutes.MAX_KEEP + ", was " + keep);
            }
        }
        HubConfig config;
        try {
            config = HubConfig.load(configFile, env);
        } catch (NoSuchFileException e) {
            err.println("Config file not found: " + e.getFile());
            return 2;
        } catch (IOException e) {
            err.println("Cannot read config file: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("Bad setting: " + e.getMessage());
            return 2;
        }
        if (!config.dbUrl().isEmpty()) {
            err.println("The registry is in PostgreSQL (db-url " + config.registryDescription() + "); this command backs "
                    + "up the H2 registry of the data directory only. Back up PostgreSQL with\n"
                    + "  pg_dump -Fc -f yizhan-registry.dump 'postgresql://USER@HOST:5432/DB'\n"
                    + "and keep the data directory's secret files (jwt.key, pass-keys.json, entry-secret) with it: see "
                    + "the README, Backups.");
            return 2;
        }
        Path dataDir = config.dataDir().toAbsolutePath();
        try {
            if (hub.isPresent()) {
                return online(hub.get(), config, env, to, keep);
            }
            Optional<Connection> own = openIfIdle(dataDir);
            if (own.isEmpty()) {
                Optional<String> url = runningHubUrl(config, dataDir);
                if (url.isEmpty()) {
                    err.println("The registry in " + dataDir + " is in use by a running hub, but " + dataDir
                            + "/ports.json does not say where it listens: pass --hub URL");
                    return 1;
                }
                return online(url.get(), config, env, to, keep);
            }
            try (Connection c = own.get()) {
                return offline(c, dataDir, to, keep);
            }
        } catch (BackupException e) {
            err.println("Backup failed: " + e.getMessage());
            return 1;
        } catch (NoDataDir e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException | SQLException e) {
            err.println("Backup failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("Backup interrupted");
            return 1;
        }
    }

    /** The registry opened by this process, or empty when a hub holds it. */
    private static Optional<Connection> openIfIdle(Path dataDir) throws SQLException, NoDataDir {
        String url = "jdbc:h2:file:" + dataDir.resolve("registry") + ";IFEXISTS=TRUE" + Database.H2_OPTIONS;
        try {
            return Optional.of(DriverManager.getConnection(url, "yizhan", ""));
        } catch (SQLException e) {
            if (e.getErrorCode() == H2_DATABASE_IN_USE) {
                return Optional.empty();
            }
            if (e.getErrorCode() == H2_DATABASE_NOT_FOUND) {
                throw new NoDataDir("No registry in " + dataDir + " (registry.mv.db): is data-dir (YIZHAN_DATA_DIR) "
                        + "the hub's data directory?");
            }
            throw e;
        }
    }

    private int offline(Connection c, Path dataDir, Optional<Path> to, int keep)
            throws IOException, SQLException, BackupException {
        Path target = to.orElseGet(() -> HubBackup.folder(dataDir).resolve(HubBackup.archiveName(Instant.now())));
        if (to.isEmpty()) {
            HubBackup.ensureFolder(dataDir);
        }
        out.println("No hub is running on " + dataDir + ": backing up its registry directly");
        BackupManifest m = HubBackup.create(c, dataDir, target, new CliProgress(out, "archived"));
        reportWritten(target, m);
        pruned(HubBackup.prune(HubBackup.folder(dataDir), keep));
        return 0;
    }

    private int online(String hubUrl, HubConfig config, Map<String, String> env, Optional<Path> to, int keep)
            throws IOException, InterruptedException, BackupException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        out.println("Asking the hub at " + hubUrl + " for a backup");
        String token;
        Optional<String> given = Optional.ofNullable(env.get("YIZHAN_ADMIN_TOKEN")).map(String::trim).filter(t -> !t.isEmpty());
        if (given.isPresent()) {
            token = given.get();
        } else if (config.adminPassword().isPresent()) {
            HttpResponse<String> login = send(http, hubUrl, HttpRequest.newBuilder(uri(hubUrl, "/api/v1/auth/login"))
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", "admin")
                            .put("password", config.adminPassword().get()).encode()))
                    .header("Content-Type", "application/json"), HttpResponse.BodyHandlers.ofString());
            if (login.statusCode() != 200) {
                throw new BackupException("the hub refused to sign in admin with the admin-password setting ("
                        + login.statusCode() + " " + errorMessage(login.body()) + ")");
            }
            token = new JsonObject(login.body()).getString("token");
        } else {
            throw new BackupException("a hub is running, so it makes the backup and wants an admin: set "
                    + "YIZHAN_ADMIN_TOKEN (a token of an admin) or YIZHAN_ADMIN_PASSWORD (the admin's password)");
        }
        HttpResponse<String> made = send(http, hubUrl, HttpRequest.newBuilder(uri(hubUrl, "/api/v1/admin/backup"
                        + (keep > 0 ? "?keep=" + keep : ""))).POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + token).timeout(Duration.ofHours(6)), HttpResponse.BodyHandlers.ofString());
        if (made.statusCode() == 401 || made.statusCode() == 403) {
            throw new BackupException("the hub refused the admin token (" + made.statusCode() + " "
                    + errorMessage(made.body()) + ")");
        }
        if (made.statusCode() != 201) {
            throw new BackupException("the hub did not make the backup (" + made.statusCode() + " "
                    + errorMessage(made.body()) + ")");
        }
        JsonObject body = new JsonObject(made.body());
        String name = body.getString("name");
        BackupManifest manifest = BackupManifest.parse(body.getJsonObject("manifest").encode());
        out.println("The hub wrote " + body.getString("path") + " (" + body.getLong("bytes") + " bytes)");
        pruned(body.getJsonArray("deleted").stream().map(String::valueOf).toList());
        if (to.isEmpty()) {
            reportWritten(Path.of(body.getString("path")), manifest);
            return 0;
        }
        Path target = to.get().toAbsolutePath();
        if (Files.exists(target)) {
            throw new BackupException(target + " exists already; choose another name");
        }
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".download");
        Files.deleteIfExists(tmp);
        BackupArchive.createPrivateFile(tmp);
        try {
            HttpResponse<InputStream> got = send(http, hubUrl, HttpRequest.newBuilder(uri(hubUrl,
                    "/api/v1/admin/backups/" + name)).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofHours(6)), HttpResponse.BodyHandlers.ofInputStream());
            if (got.statusCode() != 200) {
                String text;
                try (InputStream in = got.body()) {
                    text = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                }
                throw new BackupException("the hub did not send " + name + " (" + got.statusCode() + " "
                        + errorMessage(text) + ")");
            }
            long total = got.headers().firstValueAsLong("Content-Length").orElse(body.getLong("bytes"));
            CliProgress progress = new CliProgress(out, "downloaded");
            try (InputStream in = got.body(); OutputStream os = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[1 << 16];
                long done = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    os.write(buf, 0, n);
                    done += n;
                    progress.bytes(done, Math.max(total, done));
                }
            }
            BackupManifest copy = BackupArchive.verify(tmp, BackupArchive.Progress.NONE);
            if (!copy.equals(manifest)) {
                throw new BackupException("the archive downloaded is not the one the hub reported");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        reportWritten(target, manifest);
        return 0;
    }

    private static <T> HttpResponse<T> send(HttpClient http, String hubUrl, HttpRequest.Builder request,
                                            HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException, BackupException {
        try {
            return http.send(request.build(), handler);
        } catch (ConnectException | HttpTimeoutException e) {
            throw new BackupException("the hub at " + hubUrl + " does not answer (" + e + "); is it running, and is "
                    + "the address right?");
        }
    }

    private static URI uri(String hubUrl, String path) throws BackupException {
        try {
            URI u = URI.create(hubUrl + path);
            if (u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new BackupException("--hub " + hubUrl + " is no http(s) URL of a hub");
        }
    }

    /** Where the hub running on this data directory listens, from its {@code ports.json}. */
    private static Optional<String> runningHubUrl(HubConfig config, Path dataDir) {
        try {
            int port = new JsonObject(Files.readString(dataDir.resolve("ports.json"))).getInteger("http");
            String host = config.httpHost();
            if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
                host = "127.0.0.1";
            } else if (host.contains(":") && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            return Optional.of("http://" + host + ":" + port);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String errorMessage(String body) {
        try {
            JsonObject e = new JsonObject(body).getJsonObject("error");
            return e.getString("code") + ": " + e.getString("message");
        } catch (RuntimeException ex) {
            return body.length() > 200 ? body.substring(0, 200) : body;
        }
    }

    private void reportWritten(Path target, BackupManifest m) {
        out.println("Backup written: " + target.toAbsolutePath());
        out.println("  registry schema " + m.schemaVersion() + ", hub " + m.hubVersion() + ", made " + m.createdAt());
        for (BackupManifest.Entry e : m.files()) {
            out.println("  " + e.name() + "  " + e.bytes() + " bytes  sha256 " + e.sha256());
        }
        out.println("  Not in it: the time series (QuestDB); see the README, Backups.");
        out.flush();
    }

    private void pruned(List<String> deleted) {
        if (!deleted.isEmpty()) {
            out.println("Older backups deleted: " + String.join(", ", deleted));
        }
    }

    /** The data directory holds no registry: a usage error. */
    private static final class NoDataDir extends Exception {
        NoDataDir(String message) {
            super(message);
        }
    }
}
