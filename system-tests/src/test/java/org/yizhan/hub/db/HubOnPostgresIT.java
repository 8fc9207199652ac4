package org.yizhan.hub.db;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfoService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A whole hub with its registry in PostgreSQL: it migrates an empty database and serves the API from it. */
@ExtendWith(VertxExtension.class)
class HubOnPostgresIT {

    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE yizhan");
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Test
    void migratesAnEmptyDatabaseAndServesTheAdminFromIt(Vertx vertx) throws Exception {
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/yizhan";
        try (TestHub hub = TestHub.start(vertx, dir, Map.of("YIZHAN_DB_URL", url, "YIZHAN_DB_USER", "postgres",
                "YIZHAN_DB_PASSWORD", "not-needed-here"))) {
            HttpResponse<String> login = hub.send("POST", "/api/v1/auth/login", null,
                    new JsonObject().put("username", "admin").put("password", TestHub.ADMIN_PASSWORD));
            assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
            assertThat(new JsonObject(login.body()).getString("token")).isNotBlank();

            TestAgent agent = hub.stationWithAgent("文三路驿站", 30.27, 120.13);
            String stationId = agent.stationId();
            hub.awaitConnected(stationId);
            JsonObject station = hub.call("GET", "/api/v1/stations/" + stationId, hub.adminToken(), null);
            assertThat(station.toString()).contains(stationId);
            hub.call("GET", "/api/v1/alerts", hub.adminToken(), null);
        }
        assertThat(Files.exists(dir.resolve("hub").resolve("registry.mv.db"))).isFalse();
        try (Connection c = postgres.getDatabase("postgres", "yizhan").getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(version::int) FROM flyway_schema_history");
             ResultSet users = c.createStatement().executeQuery("SELECT username FROM users")) {
            rs.next();
            MigrationInfoService carried = Flyway.configure()
                    .dataSource(postgres.getDatabase("postgres", "yizhan")).locations("classpath:db/migration").load().info();
            assertThat(carried.pending()).as("migrations the hub carries but did not apply").isEmpty();
            assertThat(rs.getInt(1)).as("the newest migration the hub carries")
                    .isEqualTo(Integer.parseInt(carried.current().getVersion().getVersion())).isGreaterThanOrEqualTo(8);
            users.next();
            assertThat(users.getString(1)).isEqualTo("admin");
        }
    }
}
