package org.yizhan.hub.backup;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.db.Database;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yizhan.testing.Futures.get;

/**
 * Backup and restore of a real H2 registry file, without a whole hub: the backup command on a data directory no
 * hub runs on, restore into a new directory that the registry then opens from, and what restore refuses.
 */
class HubBackupTest {

    @TempDir
    Path tmp;
    Vertx vertx;
    Path dataDir;
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void registryWithAStation() throws Exception {
        vertx = Vertx.vertx();
        dataDir = Files.createDirectories(tmp.resolve("data"));
        Database db = get(Database.open(vertx, dataDir));
        get(db.call(c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO stations (id, name, profile, ports, capacity, created_at) "
                        + "VALUES ('st-backup-1', '文三路驿站', 'simulated', 4, 12, 1)");
            }
            return null;
        }));
        get(db.close());
        Files.writeString(dataDir.resolve("jwt.key"), "jwt-key-bytes");
        Files.writeString(dataDir.resolve("pass-keys.json"), "{\"keys\":[]}");
    }

    @AfterEach
    void closeVertx() throws Exception {
        get(vertx.close());
    }

    private int backup(String... args) {
        return BackupCommand.run(List.of(args), Map.of("YIZHAN_DATA_DIR", dataDir.toString()), out, err);
    }

    private int restore(String... args) {
        return RestoreCommand.run(List.of(args), out, err);
    }

    private List<Path> backups() throws Exception {
        try (Stream<Path> s = Files.list(HubBackup.folder(dataDir))) {
            return s.filter(p -> HubBackup.isArchiveName(p.getFileName().toString())).sorted().toList();
        }
    }

    private static String stationName(Path dataDir, Vertx vertx) throws Exception {
        Database db = get(Database.open(vertx, dataDir));
        try {
            return get(db.call(c -> {
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT name FROM stations WHERE id = 'st-backup-1'")) {
                    return rs.next() ? rs.getString(1) : "(none)";
                }
            }));
        } finally {
            get(db.close());
        }
    }

    @Test
    void backupWithNoHubRunningAndRestoreIntoANewDirectoryGiveTheSameRegistryAndSecrets() throws Exception {
        assertThat(backup()).as(errBytes.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("No hub is running").contains("Backup written");
        Path archive = backups().get(0);
        BackupManifest m = BackupArchive.verify(archive, BackupArchive.Progress.NONE);
        assertThat(m.files()).extracting(BackupManifest.Entry::name)
                .containsExactly(BackupArchive.REGISTRY, "jwt.key", "pass-keys.json");
        assertThat(m.schemaVersion()).isEqualTo(RegistrySnapshot.latestKnownSchema());

        Path restored = tmp.resolve("restored").resolve("data");
        assertThat(restore(archive.toString(), "--data-dir", restored.toString()))
                .as(errBytes.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readString(restored.resolve("jwt.key"))).isEqualTo("jwt-key-bytes");
        assertThat(Files.readString(restored.resolve("pass-keys.json"))).isEqualTo("{\"keys\":[]}");
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("Not in the backup").contains("entry-secret");
        try (Stream<Path> s = Files.list(restored)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).as("no staging folder left")
                    .containsExactly("jwt.key", "pass-keys.json", "registry.mv.db");
        }
        assertThat(stationName(restored, vertx)).isEqualTo("文三路驿站");
    }

    @Test
    void keepDeletesAllButTheNewestArchives() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(backup("--keep", "2")).as(errBytes.toString(StandardCharsets.UTF_8)).isZero();
        }
        assertThat(backups()).hasSize(2);
        assertThat(backup("--keep", "0")).isEqualTo(2);
        assertThat(backup("--keep", "many")).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("--keep needs a number");
    }

    @Test
    void backupOfAPostgresRegistryOrAMissingOneSaysWhatToDo() {
        int pg = BackupCommand.run(List.of(), Map.of("YIZHAN_DATA_DIR", dataDir.toString(),
                "YIZHAN_DB_URL", "jdbc:postgresql://db.example:5432/yizhan?password=hidden"), out, err);
        assertThat(pg).isEqualTo(2);
        String said = errBytes.toString(StandardCharsets.UTF_8);
        assertThat(said).contains("pg_dump -Fc").contains("jwt.key").doesNotContain("hidden");

        int none = BackupCommand.run(List.of(), Map.of("YIZHAN_DATA_DIR", tmp.resolve("nothing").toString()), out, err);
        assertThat(none).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("No registry in");
        assertThat(tmp.resolve("nothing").resolve("registry.mv.db")).as("no empty registry created").doesNotExist();
        assertThat(backup("--to")).isEqualTo(2);
        assertThat(backup("--bogus", "x")).isEqualTo(2);
    }

    @Test
    void restoreRefusesANonEmptyDirectoryAndLeavesItAsItWas() throws Exception {
        assertThat(backup()).isZero();
        Path target = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(target.resolve("jwt.key"), "another hub's key");
        assertThat(restore(backups().get(0).toString(), "--data-dir", target.toString())).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("is not empty").contains("jwt.key");
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.toList()).hasSize(1);
        }
        assertThat(Files.readString(target.resolve("jwt.key"))).isEqualTo("another hub's key");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(restore(backups().get(0).toString(), "--data-dir", empty.toString())).isZero();
        assertThat(restore(tmp.resolve("none.zip").toString(), "--data-dir", tmp.resolve("x").toString())).isEqualTo(2);
        assertThat(restore("--data-dir", tmp.resolve("x").toString())).isEqualTo(2);
    }

    @Test
    void restoreRefusesABackupOfANewerSchemaOrOneWhoseRegistryDisagreesWithItsManifest() throws Exception {
        Path registry = dataDir.resolve(BackupArchive.REGISTRY);
        Path newer = tmp.resolve("newer.zip");
        BackupArchive.write(newer, "99.0.0", "999", Instant.now(),
                List.of(new BackupArchive.Source(BackupArchive.REGISTRY, registry)), BackupArchive.Progress.NONE);
        Path target = tmp.resolve("t1");
        assertThat(restore(newer.toString(), "--data-dir", target.toString())).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("schema 999")
                .contains("newer than this hub's (" + RegistrySnapshot.latestKnownSchema() + ")").contains("99.0.0");
        assertThat(target).doesNotExist();

        Path lying = tmp.resolve("lying.zip");
        BackupArchive.write(lying, "0.1.0", "1", Instant.now(),
                List.of(new BackupArchive.Source(BackupArchive.REGISTRY, registry)), BackupArchive.Progress.NONE);
        Path target2 = Files.createDirectories(tmp.resolve("t2"));
        assertThat(restore(lying.toString(), "--data-dir", target2.toString())).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("manifest says 1");
        try (Stream<Path> s = Files.list(target2)) {
            assertThat(s.toList()).as("nothing left of the refused restore").isEmpty();
        }

        Path noDb = tmp.resolve("nodb.zip");
        Path junk = Files.writeString(tmp.resolve("junk"), "not a database");
        BackupArchive.write(noDb, "0.1.0", "1", Instant.now(),
                List.of(new BackupArchive.Source(BackupArchive.REGISTRY, junk)), BackupArchive.Progress.NONE);
        assertThat(restore(noDb.toString(), "--data-dir", tmp.resolve("t3").toString())).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("does not open");
        assertThat(tmp.resolve("t3")).doesNotExist();
    }

    @Test
    void onlineBackupSaysWhenTheHubDoesNotAnswerOrNoAdminCredentialsAreGiven() {
        // the online path without a hub: within one JVM H2 would share an open registry, so --hub chooses it
        Map<String, String> env = Map.of("YIZHAN_DATA_DIR", dataDir.toString(), "YIZHAN_ADMIN_TOKEN", "t");
        assertThat(BackupCommand.run(List.of("--hub", "http://127.0.0.1:1"), env, out, err)).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("does not answer");
        assertThat(BackupCommand.run(List.of("--hub", "ftp://example"), env, out, err)).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("no http(s) URL");
        assertThat(backup("--hub", "http://127.0.0.1:1")).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("YIZHAN_ADMIN_TOKEN").contains("YIZHAN_ADMIN_PASSWORD");
    }
}
