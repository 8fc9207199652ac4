package org.yizhan.hub.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh registry for each test on one engine: an in-memory H2 in PostgreSQL mode, or a new database in an
 * embedded PostgreSQL that runs for the test class. Register it as a static extension.
 */
public final class TestRegistry implements BeforeAllCallback, AfterAllCallback {

    public enum Engine { H2, POSTGRES }

    private final Engine engine;
    private EmbeddedPostgres postgres;

    private TestRegistry(Engine engine) {
        this.engine = engine;
    }

    public static TestRegistry h2() {
        return new TestRegistry(Engine.H2);
    }

    public static TestRegistry postgres() {
        return new TestRegistry(Engine.POSTGRES);
    }

    public Engine engine() {
        return engine;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (engine == Engine.POSTGRES && postgres == null) {
            postgres = EmbeddedPostgres.start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /** The JDBC URL of a new, empty database (H2 extra settings appended as given, e.g. ";LOCK_TIMEOUT=20000"). */
    public String newUrl(String h2Extra) throws Exception {
        String name = "t" + UUID.randomUUID().toString().replace("-", "");
        if (engine == Engine.H2) {
            return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1" + Database.H2_OPTIONS + h2Extra;
        }
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return postgres.getJdbcUrl("postgres", name);
    }

    /** A new registry, migrated. */
    public Future<Database> open(Vertx vertx) {
        return open(vertx, "");
    }

    public Future<Database> open(Vertx vertx, String h2Extra) {
        String url;
        try {
            url = newUrl(h2Extra);
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
        return reopen(vertx, url);
    }

    /** Opens (and migrates) the database at a URL from {@link #newUrl}. */
    public Future<Database> reopen(Vertx vertx, String url) {
        return engine == Engine.H2 ? Database.open(vertx, url) : Database.open(vertx, url, "postgres", "");
    }

    /** Closes the registry; an H2 one is dropped with it. */
    public Future<Void> close(Database db) {
        Future<Void> shut = engine == Engine.H2
                ? db.call(c -> c.createStatement().execute("SHUTDOWN")).mapEmpty()
                : Future.succeededFuture();
        return shut.transform(x -> db.close());
    }
}
