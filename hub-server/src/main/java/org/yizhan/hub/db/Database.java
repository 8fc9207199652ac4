package org.yizhan.hub.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The registry database: an H2 file under the data directory, or PostgreSQL when a database URL is set; schema
 * managed by Flyway, the same migrations for both. All JDBC runs on the {@code yizhan-db} worker pool through
 * {@link #call} and {@link #tx}; never on an event loop.
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** H2 settings that make it behave like PostgreSQL for the registry's SQL. */
    public static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    /** The migration whose text changed after registries had applied it (VARBINARY became BYTEA). */
    static final String BYTEA_MIGRATION = "5";
    /** Flyway's checksum of that migration's text before the change. */
    static final int BYTEA_MIGRATION_OLD_CHECKSUM = -767132239;

    private static final int POOL_SIZE = 10;

    /** Work done with a connection; may throw. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection c) throws Exception;
    }

    /**
     * A step that runs inside another store's transaction, with what that transaction produced, so both are
     * committed together or not at all (an audit entry beside the change it records).
     */
    @FunctionalInterface
    public interface Step<T> {
        void run(Connection c, T result) throws SQLException;

        /** Does nothing. */
        static <T> Step<T> none() {
            return (c, result) -> {
            };
        }
    }

    private final Vertx vertx;
    private final HikariDataSource pool;
    private final WorkerExecutor executor;

    private final Optional<GroupFlush> flush;
    private final boolean exclusive;

    private Database(Vertx vertx, HikariDataSource pool, boolean h2File) {
        this.vertx = vertx;
        this.pool = pool;
        this.exclusive = h2File;
        this.executor = vertx.createSharedWorkerExecutor("yizhan-db", 8);
        this.flush = h2File ? Optional.of(new GroupFlush(vertx, pool)) : Optional.empty();
    }

    /**
     * Opens the registry and migrates it; the work runs on a worker. With an empty {@code dbUrl} the registry is
     * {@code dataDir/registry} (H2, created if needed); otherwise the PostgreSQL database at the URL, with the user
     * and password (empty: none).
     */
    public static Future<Database> open(Vertx vertx, Path dataDir, String dbUrl, String user, Optional<String> password) {
        if (dbUrl.isEmpty()) {
            return open(vertx, h2FileUrl(dataDir));
        }
        return open(vertx, dbUrl, user, password.orElse(""));
    }

    /** Opens (creating if needed) {@code dataDir/registry} and migrates it; the work runs on a worker. */
    public static Future<Database> open(Vertx vertx, Path dataDir) {
        return open(vertx, h2FileUrl(dataDir));
    }

    private static String h2FileUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("registry").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE" + H2_OPTIONS;
    }

    /** Opens an H2 database by JDBC URL (an in-memory one in tests) and migrates it. */
    public static Future<Database> open(Vertx vertx, String jdbcUrl) {
        return open(vertx, jdbcUrl, "yizhan", "");
    }

    /** Opens a database by JDBC URL, user and password, and migrates it. */
    public static Future<Database> open(Vertx vertx, String jdbcUrl, String user, String password) {
        return vertx.executeBlocking(() -> {
            HikariConfig hc = new HikariConfig();
            hc.setPoolName("yizhan-registry");
            hc.setJdbcUrl(jdbcUrl);
            if (!user.isEmpty()) {
                hc.setUsername(user);
            }
            if (!password.isEmpty()) {
                hc.setPassword(password);
            }
            hc.setMaximumPoolSize(POOL_SIZE);
            HikariDataSource pool = new HikariDataSource(hc);
            try {
                migrate(pool);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
            LOG.info("Registry database ready");
            return new Database(vertx, pool, jdbcUrl.startsWith("jdbc:h2:file:"));
        }, false);
    }

    /**
     * Brings the schema up to this hub's migrations. Refuses a database that has migrations this hub does not
     * know (a newer hub's), and accepts a registry whose only difference is the earlier text of the BYTEA migration.
     */
    static void migrate(DataSource ds) {
        Flyway flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load();
        MigrationInfoService info = flyway.info();
        refuseNewerSchema(info);
        ValidateResult validated = Flyway.configure().configuration(flyway.getConfiguration())
                .ignoreMigrationPatterns("*:pending").load().validateWithResult();
        if (!validated.validationSuccessful && onlyOldByteaChecksum(validated.invalidMigrations, info)) {
            LOG.warn("The registry recorded migration {} with its text from before VARBINARY became BYTEA (checksum "
                    + "{}); the schema is the same, so its checksum is updated to the current text", BYTEA_MIGRATION,
                    BYTEA_MIGRATION_OLD_CHECKSUM);
            flyway.repair();
        }
        flyway.migrate();
    }

    private static void refuseNewerSchema(MigrationInfoService info) {
        MigrationInfo[] all = info.all();
        boolean future = Arrays.stream(all).anyMatch(i -> i.getState() == MigrationState.FUTURE_SUCCESS
                || i.getState() == MigrationState.FUTURE_FAILED);
        if (future) {
            String known = Arrays.stream(all).filter(i -> i.getState().isResolved() && i.getVersion() != null)
                    .map(MigrationInfo::getVersion).max(Comparable::compareTo).map(Object::toString).orElse("none");
            String current = info.current() == null ? "?" : info.current().getVersion().toString();
            throw new IllegalStateException("The registry database is at schema version " + current
                    + ", newer than this hub (" + known + "): start a newer hub, or restore a backup made for this version");
        }
    }

    private static boolean onlyOldByteaChecksum(List<ValidateOutput> invalid, MigrationInfoService info) {
        if (invalid.size() != 1) {
            return false;
        }
        ValidateOutput o = invalid.get(0);
        if (!BYTEA_MIGRATION.equals(o.version) || o.errorDetails == null
                || o.errorDetails.errorCode != CoreErrorCode.CHECKSUM_MISMATCH) {
            return false;
        }
        return Arrays.stream(info.applied())
                .filter(i -> i.getVersion() != null && BYTEA_MIGRATION.equals(i.getVersion().toString()))
                .anyMatch(i -> Objects.equals(i.getChecksum(), BYTEA_MIGRATION_OLD_CHECKSUM));
    }

    /**
     * Whether no other hub can open this registry while this one has it: an H2 file is locked by the process that
     * opened it. PostgreSQL (and an in-memory H2 shared inside one JVM) may have other hubs writing beside this one.
     */
    public boolean exclusive() {
        return exclusive;
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

    /**
     * Completes once every commit made before the call would survive the hub's process being killed: at once on
     * PostgreSQL (a commit returns when it is durable) and on an in-memory H2; on the H2 file registry after a
     * grouped write of the store ({@link GroupFlush}), within a few tens of milliseconds. Call it before
     * acknowledging what a commit holds.
     */
    public Future<Void> durable() {
        return flush.map(GroupFlush::await).orElseGet(Future::succeededFuture);
    }

    /** Grouped writes of the H2 file registry so far (0 on other databases). */
    public long durableWrites() {
        return flush.map(GroupFlush::flushes).orElse(0L);
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
            flush.ifPresent(GroupFlush::close);
            pool.close();
            return null;
        }, false);
    }
}
