package org.yizhan.hub.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@ExtendWith(VertxExtension.class)
class RegistryMigrationTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** The engine the tests run on; the PostgreSQL subclass overrides it. */
    TestRegistry registry() {
        return H2;
    }

    @Test
    void migratesAnEmptyDatabaseToTheLatestVersion(Vertx vertx) throws Exception {
        String url = registry().newUrl("");
        Database db = await(registry().reopen(vertx, url));
        try {
            String rank = await(db.call(c -> scalar(c, "SELECT MAX(installed_rank) FROM flyway_schema_history")));
            assertThat(rank).as("every migration applied, in order").isEqualTo(String.valueOf(migrations().size()));
            await(db.call(c -> Rows.update(c, "INSERT INTO members (id, pseudonym, name, phone, occupation, "
                    + "status_changed_at, created_at) VALUES ('m1', 'p1', 'n', '13800000000', 'rider', 0, 0)")));
            byte[] template = new byte[4096];
            template[4095] = 7;
            await(db.call(c -> Rows.update(c, "INSERT INTO face_templates (id, member_id, station_id, dims, template, "
                    + "created_at) VALUES ('f1', 'm1', 'st-1', 512, ?, 0)", (Object) template)));
            byte[] back = await(db.call(c -> Rows.one(c, "SELECT template FROM face_templates", rs -> rs.getBytes(1))
                    .orElseThrow()));
            assertThat(back).isEqualTo(template);
            assertThatThrownBy(() -> await(db.call(c -> Rows.update(c, "INSERT INTO face_templates (id, member_id, "
                    + "station_id, dims, template, created_at) VALUES ('f2', 'm1', 'st-1', 512, ?, 0)",
                    (Object) new byte[4097])))).hasMessageContaining("face_templates");
        } finally {
            await(db.close());
        }
        Database again = await(registry().reopen(vertx, url));
        await(registry().close(again));
    }

    @Test
    void refusesADatabaseWithANewerSchema(Vertx vertx) throws Exception {
        String url = registry().newUrl("");
        Database db = await(registry().reopen(vertx, url));
        await(db.call(c -> Rows.update(c, "INSERT INTO flyway_schema_history (installed_rank, version, description, "
                + "type, script, checksum, installed_by, execution_time, success) "
                + "VALUES (20, '20', 'from a newer hub', 'SQL', 'V20__newer.sql', 1, 'yizhan', 1, TRUE)")));
        await(db.close());

        assertThatThrownBy(() -> await(registry().reopen(vertx, url)))
                .hasMessageContaining("The registry database is at schema version 20, newer than this hub ("
                        + migrations().get(migrations().size() - 1) + "): start a newer hub, or restore a backup made "
                        + "for this version");
    }

    @Test
    void refusesAChangedMigration(Vertx vertx) throws Exception {
        String url = registry().newUrl("");
        Database db = await(registry().reopen(vertx, url));
        await(db.call(c -> Rows.update(c, "UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '3'")));
        await(db.close());

        assertThatThrownBy(() -> await(registry().reopen(vertx, url))).hasMessageContaining("checksum mismatch");
    }

    @Test
    void acceptsARegistryMigratedWithTheVarbinaryTemplateColumn(Vertx vertx) throws Exception {
        assumeTrue(registry().engine() == TestRegistry.Engine.H2, "only H2 registries were made with VARBINARY");
        String url = registry().newUrl("");
        try (Connection keep = DriverManager.getConnection(url, "yizhan", "")) {
            Flyway.configure().dataSource(url, "yizhan", "").locations("classpath:db/migration").target("4").load()
                    .migrate();
            Flyway.configure().dataSource(url, "yizhan", "").locations("classpath:db/registry-v5-varbinary")
                    .validateOnMigrate(false).load().migrate();
            assertThat(scalar(keep, "SELECT checksum FROM flyway_schema_history WHERE version = '5'"))
                    .isEqualTo(String.valueOf(Database.BYTEA_MIGRATION_OLD_CHECKSUM));

            Database db = await(registry().reopen(vertx, url));
            try {
                assertThat(scalar(keep, "SELECT MAX(installed_rank) FROM flyway_schema_history"))
                        .isEqualTo(String.valueOf(migrations().size()));
                assertThat(scalar(keep, "SELECT checksum FROM flyway_schema_history WHERE version = '5'"))
                        .isNotEqualTo(String.valueOf(Database.BYTEA_MIGRATION_OLD_CHECKSUM));
                assertThat(scalar(keep, "SELECT COUNT(*) FROM station_config_versions")).isEqualTo("0");
            } finally {
                await(registry().close(db));
            }
        }
    }

    @Test
    void movesEachActiveMembersTokenToMemberTokensExpiringIn180Days(Vertx vertx) throws Exception {
        String url = registry().newUrl("");
        String user = registry().engine() == TestRegistry.Engine.H2 ? "yizhan" : "postgres";
        try (Connection keep = DriverManager.getConnection(url, user, "")) {
            Flyway.configure().dataSource(url, user, "").locations("classpath:db/migration").target("8").load()
                    .migrate();
            try (Statement st = keep.createStatement()) {
                st.execute("INSERT INTO members (id, pseudonym, name, phone, occupation, status, status_changed_at, "
                        + "created_at, token_hash) VALUES ('m1', 'p1', 'n', '13800000001', 'courier', 'active', 5, 5, "
                        + "'hash-of-active')");
                st.execute("INSERT INTO members (id, pseudonym, name, phone, occupation, status, status_changed_at, "
                        + "created_at, token_hash) VALUES ('m2', 'p2', 'n', '13800000002', 'courier', 'suspended', 6, "
                        + "6, 'hash-of-suspended')");
                st.execute("INSERT INTO users (username, role, salt, hash, iterations, created_at) "
                        + "VALUES ('op', 'operator', 's', 'h', 120000, 0)");
            }
            long before = System.currentTimeMillis();
            Database db = await(registry().reopen(vertx, url));
            try {
                assertThat(scalar(keep, "SELECT member_id FROM member_tokens WHERE token_hash = 'hash-of-active'"))
                        .isEqualTo("m1");
                assertThat(scalar(keep, "SELECT COUNT(*) FROM member_tokens")).as("a suspended member's token ends")
                        .isEqualTo("1");
                long expires = Long.parseLong(scalar(keep, "SELECT expires_at FROM member_tokens"));
                assertThat(expires).isBetween(before + 180 * 86_400_000L - 60_000,
                        System.currentTimeMillis() + 180 * 86_400_000L + 60_000);
                assertThat(scalar(keep, "SELECT token_version FROM users WHERE username = 'op'")).isEqualTo("0");
                assertThatThrownBy(() -> scalar(keep, "SELECT token_hash FROM members"))
                        .as("the members' own token column is gone").isInstanceOf(java.sql.SQLException.class);
            } finally {
                await(registry().close(db));
            }
        }
    }

    private static String scalar(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e.getCause() == null ? e : e.getCause());
        }
    }

    /**
     * The versions of the hub's migrations ({@code V<n>__*.sql}), lowest first, read from the module's sources: the
     * integration tests run on the packaged jar, where the classpath resources are not a directory.
     */
    static List<Integer> migrations() throws Exception {
        Path dir = Path.of("src", "main", "resources", "db", "migration");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V[0-9]+__.*\\.sql"))
                    .map(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).sorted().toList();
        }
    }
}
