package org.yizhan.hub.backup;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.hub.db.Database;
import org.yizhan.testing.Proc;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * {@code yizhan-hub backup} and {@code restore} as processes from the built jar, against a real hub: an online
 * backup while a station keeps sending events, restored into a new data directory that a new hub starts on with
 * everything back (stations, members, events, staff tokens and rider passes issued before), an offline backup once
 * the hub stopped, and the refusals.
 */
@ExtendWith(VertxExtension.class)
class BackupRestoreIT {

    private static final List<String> SECRETS = List.of("jwt.key", "pass-keys.json", "entry-secret");
    /** The registry in the data directory, even when the suite runs its hubs on PostgreSQL. */
    private static final Map<String, String> ON_H2 = Map.of("YIZHAN_DB_URL", "");

    @TempDir
    Path dir;

    private Path jar() {
        return Proc.jar("hub-server", "yizhan-hub.jar");
    }

    /** Runs the hub's jar with the arguments; its exit status, and its output in {@code out[0]}. */
    private int cli(String name, List<String> args, Map<String, String> env, String[] out) throws Exception {
        int status = Proc.run(name, jar(), args, env, dir.resolve("logs"));
        out[0] = Files.readString(dir.resolve("logs").resolve(name + ".log"));
        return status;
    }

    /** A copy of the archive whose manifest says another checksum for {@code file}. */
    private Path withChecksumChanged(Path archive, String file) throws Exception {
        Path out = dir.resolve("tampered.zip");
        try (ZipFile in = new ZipFile(archive.toFile());
             ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] data;
                try (InputStream s = in.getInputStream(e)) {
                    data = s.readAllBytes();
                }
                if (e.getName().equals(BackupArchive.MANIFEST)) {
                    JsonObject m = new JsonObject(new String(data, StandardCharsets.UTF_8));
                    m.getJsonArray("files").stream().map(JsonObject.class::cast)
                            .filter(f -> f.getString("name").equals(file)).forEach(f -> f.put("sha256", "0".repeat(64)));
                    data = m.encode().getBytes(StandardCharsets.UTF_8);
                }
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(data);
                z.closeEntry();
            }
        }
        return out;
    }

    private static Set<String> eventIds(TestHub hub) throws Exception {
        Database db = hub.app().database();
        return get(db.call(c -> {
            Set<String> ids = new HashSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM events")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }));
    }

    @Test
    void onlineBackupWhileAStationSendsEventsRestoresIntoANewHubWithEverythingBack(Vertx vertx) throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        String archive = dir.resolve("copies").resolve("hub.zip").toString();
        Set<String> before;
        Set<String> after;
        String operator;
        String admin;
        String memberId;
        String memberToken;
        String passText;
        String stationId;
        Map<String, byte[]> secrets = new HashMap<>();
        try (TestHub hub = TestHub.start(vertx, first, ON_H2)) {
            admin = hub.adminToken();
            operator = hub.user("duty-operator", "operator");
            TestAgent agent = hub.stationWithAgent("文三路驿站", 30.27, 120.13);
            stationId = agent.stationId();
            hub.register("古荡驿站", 30.28, 120.12);
            hub.awaitConnected(stationId);
            JsonObject joined = hub.call("POST", "/api/v1/members", null, new JsonObject().put("name", "王师傅")
                    .put("phone", "13800138077").put("occupation", "food-delivery"));
            memberId = joined.getJsonObject("member").getString("id");
            memberToken = joined.getString("memberToken");
            passText = hub.call("GET", "/api/v1/members/me/pass", memberToken, null).getString("pass");
            for (String s : SECRETS) {
                Path p = hub.dataDir().resolve(s);
                if (Files.exists(p)) {
                    secrets.put(s, Files.readAllBytes(p));
                }
            }

            // the station keeps sending events while the backup is made
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<?> sender = pool.submit(() -> {
                while (sending.get()) {
                    // each opening without a pass is a door.opened and door.forced event
                    agent.simulate("/sim/door", new JsonObject().put("open", sent.get() % 2 == 0));
                    sent.incrementAndGet();
                }
                return null;
            });
            await("events arrive").atMost(Duration.ofSeconds(20)).until(() -> eventIds(hub).size() >= 10);
            before = eventIds(hub);
            String[] out = new String[1];
            int status = cli("backup-online", List.of("backup", "--to", archive, "--keep", "3"), Map.of(
                    "YIZHAN_DATA_DIR", hub.dataDir().toString(), "YIZHAN_HTTP_HOST", "127.0.0.1",
                    "YIZHAN_ADMIN_PASSWORD", TestHub.ADMIN_PASSWORD), out);
            after = eventIds(hub);
            int sentDuring = sent.get();
            await("more events after the backup").atMost(Duration.ofSeconds(20)).until(() -> sent.get() > sentDuring + 3);
            sending.set(false);
            sender.get();
            pool.shutdown();
            assertThat(status).as(out[0]).isZero();
            assertThat(out[0]).contains("Asking the hub at http://127.0.0.1:" + hub.httpPort()).contains("Backup written");
            assertThat(after).as("events kept coming during the backup").hasSizeGreaterThan(before.size());
            try (Stream<Path> s = Files.list(HubBackup.folder(hub.dataDir()))) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).as("the hub's own copy")
                        .hasSize(1).allMatch(HubBackup::isArchiveName);
            }
        }
        assertThat(Files.getPosixFilePermissions(Path.of(archive))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        BackupManifest manifest = BackupArchive.verify(Path.of(archive), BackupArchive.Progress.NONE);
        assertThat(manifest.files()).extracting(BackupManifest.Entry::name)
                .containsAll(secrets.keySet()).contains(BackupArchive.REGISTRY);

        String[] out = new String[1];
        assertThat(cli("restore", List.of("restore", archive, "--data-dir", second.resolve("hub").toString()), Map.of(),
                out)).as(out[0]).isZero();
        for (var s : secrets.entrySet()) {
            assertThat(Files.readAllBytes(second.resolve("hub").resolve(s.getKey()))).as(s.getKey()).isEqualTo(s.getValue());
        }

        try (TestHub hub = TestHub.start(vertx, second, ON_H2)) {
            JsonArray stations = hub.call("GET", "/api/v1/stations", operator, null).getJsonArray("stations");
            assertThat(stations.stream().map(o -> ((JsonObject) o).getString("name")).toList())
                    .as("the stations, seen with an operator token issued before the backup")
                    .contains("文三路驿站", "古荡驿站");
            assertThat(hub.call("GET", "/api/v1/members/" + memberId, admin, null).getJsonObject("member")
                    .getString("phone")).isEqualTo("13800138077");
            Set<String> restored = eventIds(hub);
            assertThat(restored).as("every event stored before the backup began").containsAll(before);
            assertThat(after).as("nothing the hub did not have when the backup ended").containsAll(restored);

            RiderPass pass = RiderPass.parse(passText).orElseThrow();
            String key = hub.call("GET", "/api/v1/pass-keys", null, null).getJsonArray("keys").stream()
                    .map(JsonObject.class::cast).filter(k -> k.getInteger("kid") == pass.kid()).findFirst()
                    .orElseThrow().getString("publicKey");
            assertThat(pass.verify(Ed25519.publicKey(key))).as("a rider pass issued before verifies").isTrue();
            HttpResponse<String> mine = hub.send("GET", "/api/v1/members/me/pass", memberToken, null);
            assertThat(mine.statusCode()).as("the member's token from before: " + mine.body()).isEqualTo(200);

            assertThat(hub.send("GET", "/api/v1/stations", "forged." + operator, null).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void offlineBackupWhenNoHubRunsAndTheRefusals(Vertx vertx) throws Exception {
        Path hubDir;
        String adminToken;
        String operatorToken;
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String[] out = new String[1];
        try (TestHub hub = TestHub.start(vertx, dir.resolve("a"), ON_H2)) {
            hubDir = hub.dataDir();
            adminToken = hub.adminToken();
            operatorToken = hub.user("night-operator", "operator");
            hub.register("古荡驿站", 30.28, 120.12);
            Map<String, String> env = new HashMap<>(Map.of("YIZHAN_DATA_DIR", hubDir.toString()));

            env.put("YIZHAN_ADMIN_TOKEN", "forged-token");
            assertThat(cli("forged", List.of("backup"), env, out)).as(out[0]).isEqualTo(1);
            assertThat(out[0]).contains("refused the admin token (401");
            env.put("YIZHAN_ADMIN_TOKEN", operatorToken);
            assertThat(cli("operator", List.of("backup"), env, out)).as(out[0]).isEqualTo(1);
            assertThat(out[0]).contains("refused the admin token (403");
            env.remove("YIZHAN_ADMIN_TOKEN");
            env.put("YIZHAN_ADMIN_PASSWORD", "not-the-password");
            assertThat(cli("password", List.of("backup"), env, out)).as(out[0]).isEqualTo(1);
            assertThat(out[0]).contains("refused to sign in admin");
            env.put("YIZHAN_ADMIN_TOKEN", adminToken);
            assertThat(cli("unreachable", List.of("backup", "--hub", "http://127.0.0.1:" + closedPort), env, out))
                    .as(out[0]).isEqualTo(1);
            assertThat(out[0]).contains("does not answer");
            assertThat(HubBackup.folder(hubDir)).as("no backup from the refused attempts").doesNotExist();

            HttpResponse<String> direct = hub.send("POST", "/api/v1/admin/backup", operatorToken, null);
            assertThat(direct.statusCode()).isEqualTo(403);
            assertThat(hub.send("GET", "/api/v1/admin/backups/..%2Fjwt.key", adminToken, null).statusCode()).isEqualTo(404);
            assertThat(hub.send("GET", "/api/v1/admin/backups/yizhan-backup-20250101T000000000Z.zip", operatorToken, null)
                    .statusCode()).isEqualTo(403);
        }

        // the hub is stopped: the command opens the registry itself, no credentials needed
        assertThat(cli("offline", List.of("backup"), Map.of("YIZHAN_DATA_DIR", hubDir.toString()), out)).as(out[0]).isZero();
        assertThat(out[0]).contains("No hub is running");
        Path archive;
        try (Stream<Path> s = Files.list(HubBackup.folder(hubDir))) {
            archive = s.findFirst().orElseThrow();
        }

        assertThat(cli("restore-busy", List.of("restore", archive.toString(), "--data-dir", hubDir.toString()), Map.of(),
                out)).isEqualTo(2);
        assertThat(out[0]).contains("is not empty");

        byte[] bytes = Files.readAllBytes(archive);
        Path truncated = Files.write(dir.resolve("truncated.zip"), Arrays.copyOf(bytes, bytes.length * 2 / 3));
        Path target = dir.resolve("b").resolve("hub");
        assertThat(cli("restore-truncated", List.of("restore", truncated.toString(), "--data-dir", target.toString()),
                Map.of(), out)).isEqualTo(1);
        assertThat(out[0]).contains("not a complete backup archive");

        Path tampered = withChecksumChanged(archive, BackupArchive.REGISTRY);
        assertThat(cli("restore-tampered", List.of("restore", tampered.toString(), "--data-dir", target.toString()),
                Map.of(), out)).isEqualTo(1);
        assertThat(out[0]).contains("damaged or was altered").contains("registry.mv.db does not match");
        assertThat(target).as("nothing written by the refused restores").doesNotExist();

        assertThat(cli("restore-offline", List.of("restore", archive.toString(), "--data-dir", target.toString()),
                Map.of(), out)).as(out[0]).isZero();
        try (TestHub hub = TestHub.start(vertx, dir.resolve("b"), ON_H2)) {
            assertThat(hub.call("GET", "/api/v1/stations", adminToken, null).getJsonArray("stations").encode())
                    .contains("古荡驿站");
        }
    }
}
