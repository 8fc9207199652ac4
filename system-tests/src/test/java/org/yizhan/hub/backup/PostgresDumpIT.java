package org.yizhan.hub.backup;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestHub;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's PostgreSQL backup, as written there: {@code pg_dump -Fc} of a running hub's registry, then
 * {@code pg_restore} into a new empty database; a hub started on it with a new, empty data directory has the stations
 * back and accepts a staff token issued before (the token key is a row in the registry, so the dump holds it). Uses the machine's pg_dump
 * (Debian's postgresql-client), which must be of the embedded server's major version or newer; skipped without it.
 */
@ExtendWith(VertxExtension.class)
class PostgresDumpIT {

    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE yizhan");
            st.execute("CREATE DATABASE yizhan_restored");
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    private static Map<String, String> db(String name) {
        return Map.of("YIZHAN_DB_URL", "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name,
                "YIZHAN_DB_USER", "postgres", "YIZHAN_DB_PASSWORD", "not-needed-here");
    }

    private int run(Path log, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", cmd) + " finishes").isTrue();
        return p.exitValue();
    }

    @Test
    void pgDumpOfARunningHubRestoresIntoANewDatabaseAHubStartsOn(Vertx vertx) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pg_dump")) && Files.isExecutable(Path.of("/usr/bin/pg_restore")),
                "needs pg_dump and pg_restore (Debian: postgresql-client)");
        String port = Integer.toString(postgres.getPort());
        Path dump = dir.resolve("yizhan-registry.dump");
        String operator;
        try (TestHub hub = TestHub.start(vertx, dir.resolve("first"), db("yizhan"))) {
            operator = hub.user("duty-operator", "operator");
            hub.register("文三路驿站", 30.27, 120.13);

            Path log = dir.resolve("pg_dump.log");
            assertThat(run(log, "pg_dump", "-Fc", "-h", "localhost", "-p", port, "-U", "postgres", "-d", "yizhan",
                    "-f", dump.toString())).as(Files.readString(log)).isZero();

            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int refused = BackupCommand.run(List.of(), Map.of("YIZHAN_DATA_DIR", hub.dataDir().toString(),
                    "YIZHAN_DB_URL", db("yizhan").get("YIZHAN_DB_URL")), new PrintStream(OutputStream.nullOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(refused).as("yizhan-hub backup with db-url").isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("pg_dump -Fc");
        }
        Path log = dir.resolve("pg_restore.log");
        assertThat(run(log, "pg_restore", "--no-owner", "--exit-on-error", "-h", "localhost", "-p", port, "-U", "postgres",
                "-d", "yizhan_restored", dump.toString())).as(Files.readString(log)).isZero();

        try (TestHub hub = TestHub.start(vertx, dir.resolve("second"), db("yizhan_restored"))) {
            assertThat(hub.call("GET", "/api/v1/stations", operator, null).getJsonArray("stations").encode())
                    .as("the station, seen with a token issued before the dump").contains("文三路驿站");
        }
    }
}
