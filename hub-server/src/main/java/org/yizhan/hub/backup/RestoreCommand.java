package org.yizhan.hub.backup;

import org.yizhan.hub.cli.CliSupport;
import org.yizhan.hub.db.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code yizhan-hub restore FILE --data-dir DIR}: puts a backup archive into an empty (or new) data directory, for
 * a hub to start on. Refuses, before writing anything, a non-empty directory, an archive that is truncated,
 * damaged or altered (a checksum that does not match its manifest), and one whose registry schema is newer than
 * this hub's. The files are first written to a hidden folder in DIR, the registry in it is opened to check it, and
 * only then are they moved in; on any failure DIR is left as it was. Exit status 0 when restored, 2 for bad
 * arguments or a non-empty directory, 1 for a refused archive or a failure.
 */
@Command(name = "restore", sortOptions = false,
        description = {"Put a backup into an empty data directory.",
                "Restores a backup made by 'yizhan-hub backup' into DIR, which must be empty",
                "or not exist yet; then start the hub with data-dir DIR (as the hub's user:",
                "chown the files if you restored as root)."},
        footer = {"", "Exit status: 0 restored; 1 a refused archive or a failure; 2 bad arguments",
                "or a non-empty DIR."})
public final class RestoreCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the backup archive (yizhan-backup-TIME.zip)")
    Path archive;
    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "the new data directory")
    Path dataDir;
    @Mixin
    CliSupport.HelpOption help = new CliSupport.HelpOption();

    private final PrintStream out;
    private final PrintStream err;

    /** The command for picocli, writing to these streams. */
    public RestoreCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the command with these arguments (after {@code restore}); the exit status. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CliSupport.execute(new RestoreCommand(out, err), args, out, err);
    }

    @Override
    public Integer call() {
        Path dir = dataDir.toAbsolutePath();
        if (!Files.isRegularFile(archive)) {
            err.println("No backup archive at " + archive);
            return 2;
        }
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                err.println(dir + " is not a directory");
                return 2;
            }
            List<String> present = contents(dir);
            if (!present.isEmpty()) {
                err.println("Refused: " + dir + " is not empty (it holds " + String.join(", ", present.subList(0,
                        Math.min(5, present.size()))) + (present.size() > 5 ? ", ..." : "") + "). Restore only into an "
                        + "empty or new data directory, so that nothing of another hub is overwritten or mixed in.");
                return 2;
            }
            out.println("Checking " + archive);
            BackupManifest manifest = BackupArchive.verify(archive, new CliProgress(out, "checked"));
            String known = RegistrySnapshot.latestKnownSchema();
            if (RegistrySnapshot.newer(manifest.schemaVersion(), known)) {
                throw new BackupException("the backup's registry is at schema " + manifest.schemaVersion()
                        + ", newer than this hub's (" + known + "); it was made by hub " + manifest.hubVersion()
                        + ": restore it with that hub or a newer one");
            }
            restore(archive, dir, manifest);
            out.println("Restored the backup made " + manifest.createdAt() + " by hub " + manifest.hubVersion()
                    + " (registry schema " + manifest.schemaVersion() + ") into " + dir + ":");
            for (BackupManifest.Entry e : manifest.files()) {
                out.println("  " + e.name() + "  " + e.bytes() + " bytes");
            }
            List<String> missing = HubBackup.SECRET_FILES.stream().filter(s -> manifest.file(s).isEmpty()).toList();
            if (!missing.isEmpty()) {
                out.println("  Not in the backup (kept in the registry, or not made yet by that hub): "
                        + String.join(", ", missing));
            }
            out.println("Start the hub with data-dir " + dir + ". The time series (QuestDB) start empty unless you "
                    + "copy them in as the README's Backups section says.");
            return 0;
        } catch (BackupException e) {
            err.println("Refused: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("Restore failed: " + e);
            return 1;
        }
    }

    private static List<String> contents(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void restore(Path archive, Path dir, BackupManifest manifest) throws IOException, BackupException {
        boolean created = !Files.exists(dir);
        if (created) {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
            } else {
                Files.createDirectories(dir);
            }
        }
        Path staging = Files.createTempDirectory(dir, ".restoring-");
        List<Path> moved = new ArrayList<>();
        boolean done = false;
        try {
            BackupArchive.extract(archive, staging, new CliProgress(out, "restored"));
            checkRegistry(staging, manifest);
            for (BackupManifest.Entry e : manifest.files()) {
                Path target = dir.resolve(e.name());
                Files.move(staging.resolve(e.name()), target, StandardCopyOption.ATOMIC_MOVE);
                moved.add(target);
            }
            done = true;
        } finally {
            HubBackup.deleteTree(staging);
            if (!done) {
                for (Path p : moved) {
                    Files.deleteIfExists(p);
                }
                if (created) {
                    Files.deleteIfExists(dir);
                }
            }
        }
    }

    /** Opens the restored registry read-only: it must open, and be at the schema its manifest names. */
    private static void checkRegistry(Path staging, BackupManifest manifest) throws BackupException {
        String url = "jdbc:h2:file:" + staging.resolve("registry") + ";IFEXISTS=TRUE;ACCESS_MODE_DATA=r"
                + Database.H2_OPTIONS;
        try (Connection c = DriverManager.getConnection(url, "yizhan", "")) {
            String schema = RegistrySnapshot.schemaVersion(c);
            if (!schema.equals(manifest.schemaVersion())) {
                throw new BackupException("the registry in the backup is at schema " + schema + " but its manifest "
                        + "says " + manifest.schemaVersion());
            }
        } catch (SQLException e) {
            throw new BackupException("the registry in the backup does not open: " + e.getMessage());
        }
    }
}
