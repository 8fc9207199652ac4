package org.yizhan.hub.backup;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The H2 registry's part of a backup: H2's own {@code BACKUP TO}, which copies the database file while the hub
 * keeps writing and is transactionally consistent (H2 copies the store up to one committed version), and the schema
 * version that Flyway recorded in it. Blocking JDBC: call it off the event loop.
 */
final class RegistrySnapshot {

    private RegistrySnapshot() {
    }

    /**
     * Copies the registry behind the connection into {@code workDir/registry.mv.db} (the connection must be to an
     * H2 database; its user needs admin rights, as the hub's own user has).
     */
    static Path copy(Connection c, Path workDir) throws SQLException, IOException, BackupException {
        Path zip = workDir.resolve("h2-backup.zip");
        try (Statement st = c.createStatement()) {
            st.execute("BACKUP TO '" + zip.toAbsolutePath().toString().replace("'", "''") + "'");
        }
        Path out = workDir.resolve(BackupArchive.REGISTRY);
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Optional<? extends ZipEntry> db = Collections.list(z.entries()).stream()
                    .filter(e -> e.getName().endsWith(".mv.db")).findFirst();
            if (db.isEmpty()) {
                throw new BackupException("H2's BACKUP TO wrote no database file");
            }
            BackupArchive.createPrivateFile(out);
            try (InputStream in = z.getInputStream(db.get())) {
                Files.copy(in, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(zip);
        }
        return out;
    }

    /** The newest schema version that Flyway applied to the database behind the connection. */
    static String schemaVersion(Connection c) throws SQLException, BackupException {
        MigrationVersion newest = null;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
            while (rs.next()) {
                MigrationVersion v = MigrationVersion.fromVersion(rs.getString(1));
                if (newest == null || v.compareTo(newest) > 0) {
                    newest = v;
                }
            }
        } catch (SQLException e) {
            throw new BackupException("the registry has no schema history (is it a Yizhan registry?): " + e.getMessage());
        }
        if (newest == null) {
            throw new BackupException("the registry has no applied migrations");
        }
        return newest.getVersion();
    }

    /** The newest schema version this hub's migrations reach. */
    static String latestKnownSchema() {
        Flyway flyway = Flyway.configure()
                .dataSource("jdbc:h2:mem:schema-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=0", "sa", "")
                .locations("classpath:db/migration").load();
        MigrationInfo[] all = flyway.info().all();
        return Arrays.stream(all).filter(i -> i.getState() == MigrationState.PENDING && i.getVersion() != null)
                .map(MigrationInfo::getVersion).max(MigrationVersion::compareTo).map(MigrationVersion::getVersion)
                .orElseThrow(() -> new IllegalStateException("this hub has no registry migrations on its class path"));
    }

    /** Whether schema {@code a} is newer than schema {@code b}. */
    static boolean newer(String a, String b) {
        return MigrationVersion.fromVersion(a).compareTo(MigrationVersion.fromVersion(b)) > 0;
    }
}
