package org.yizhan.hub.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The registry database: an H2 file under the data directory, schema managed by Flyway. All JDBC runs on
 * the {@code yizhan-db} worker pool through {@link #call} and {@link #tx}; never on an event loop.
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** Work done with a connection; may throw. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection c) throws Exception;
    }

    private final Vertx vertx;
    private final JdbcConnectionPool pool;
    private final WorkerExecutor executor;

    private Database(Vertx vertx, JdbcConnectionPool pool) {
        this.vertx = vertx;
        this.pool = pool;
        this.executor = vertx.createSharedWorkerExecutor("yizhan-db", 8);
    }

    /** Opens (creating if needed) {@code dataDir/registry} and migrates it; the work runs on a worker. */
    public static Future<Database> open(Vertx vertx, Path dataDir) {
        String url = "jdbc:h2:file:" + dataDir.resolve("registry").toAbsolutePath()
                + ";DB_CLOSE_ON_EXIT=FALSE;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        return open(vertx, url);
    }

    /** Opens a database by JDBC URL (an in-memory H2 URL in tests) and migrates it. */
    public static Future<Database> open(Vertx vertx, String jdbcUrl) {
        return vertx.executeBlocking(() -> {
            JdbcConnectionPool pool = JdbcConnectionPool.create(jdbcUrl, "yizhan", "");
            pool.setMaxConnections(16);
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
            LOG.info("Registry database ready");
            return new Database(vertx, pool);
        }, false);
    }

    public Vertx vertx() {
        return vertx;
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Runs the work with a connection in auto-commit mode, on the database worker pool. */
    public <T> Future<T> call(Work<T> work) {
        return executor.executeBlocking(() -> {
            try (Connection c = pool.getConnection()) {
                return work.apply(c);
            }
        }, false);
    }

    /** Runs the work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> Future<T> tx(Work<T> work) {
        return executor.executeBlocking(() -> {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.apply(c);
                    c.commit();
                    return result;
                } catch (Exception e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }, false);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.warn("Rollback failed: {}", e.getMessage());
        }
    }

    public Future<Void> close() {
        return vertx.executeBlocking(() -> {
            executor.close();
            pool.dispose();
            return null;
        }, false);
    }
}
