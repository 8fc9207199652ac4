package org.yizhan.hub.backup;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A whole backup of a hub whose registry is the H2 file in its data directory: a consistent copy of the registry
 * and the data directory's secret files (the staff token key, the rider pass keys and the entry secret, while they
 * are files there; once they live in the registry they come with it). Archives go to {@code dataDir/backups} by
 * default, named by the time they were made. Blocking: call it off the event loop.
 */
public final class HubBackup {

    /** The data-directory files that hold secrets; each is archived when it exists. */
    public static final List<String> SECRET_FILES = List.of("jwt.key", "pass-keys.json", "entry-secret");
    public static final String FOLDER = "backups";
    public static final String HUB_VERSION = Optional.ofNullable(HubBackup.class.getPackage().getImplementationVersion())
            .orElse("0.1.0-SNAPSHOT");
    private static final Pattern ARCHIVE_NAME = Pattern.compile("yizhan-backup-\\d{8}T\\d{9}Z\\.zip");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private HubBackup() {
    }

    /** The folder in the data directory that backups go to by default. */
    public static Path folder(Path dataDir) {
        return dataDir.resolve(FOLDER);
    }

    /** {@code yizhan-backup-20250101T020000000Z.zip} for a backup made at that time. */
    public static String archiveName(Instant at) {
        return "yizhan-backup-" + STAMP.format(at) + ".zip";
    }

    /** Whether the name is one {@link #archiveName} gives (and so safe to look up in the backups folder). */
    public static boolean isArchiveName(String name) {
        return ARCHIVE_NAME.matcher(name).matches();
    }

    /** Creates the backups folder if needed, readable by the hub's user only. */
    public static Path ensureFolder(Path dataDir) throws IOException {
        Path f = folder(dataDir);
        if (!Files.isDirectory(f)) {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(f);
            }
        }
        return f;
    }

    /**
     * Backs up the registry behind the connection (an H2 database) and the secret files of {@code dataDir} into the
     * archive {@code target}, which must not exist. Work files go to a private folder beside the target and are
     * removed after.
     */
    public static BackupManifest create(Connection registry, Path dataDir, Path target, BackupArchive.Progress progress)
            throws IOException, SQLException, BackupException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path work = Files.createTempDirectory(parent, ".yizhan-backup-work-");
        try {
            String schema = RegistrySnapshot.schemaVersion(registry);
            Path copy = RegistrySnapshot.copy(registry, work);
            List<BackupArchive.Source> sources = new ArrayList<>();
            sources.add(new BackupArchive.Source(BackupArchive.REGISTRY, copy));
            for (String name : SECRET_FILES) {
                Path p = dataDir.resolve(name);
                if (Files.isRegularFile(p)) {
                    sources.add(new BackupArchive.Source(name, p));
                }
            }
            return BackupArchive.write(target, HUB_VERSION, schema, Instant.now(), sources, progress);
        } finally {
            deleteTree(work);
        }
    }

    /** Deletes all but the newest {@code keep} archives of the backups folder (0 keeps all); the names deleted. */
    public static List<String> prune(Path folder, int keep) throws IOException {
        if (keep <= 0 || !Files.isDirectory(folder)) {
            return List.of();
        }
        List<Path> archives;
        try (Stream<Path> s = Files.list(folder)) {
            archives = s.filter(p -> isArchiveName(p.getFileName().toString()))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        }
        List<String> deleted = new ArrayList<>();
        for (Path old : archives.subList(Math.min(keep, archives.size()), archives.size())) {
            Files.deleteIfExists(old);
            deleted.add(old.getFileName().toString());
        }
        return deleted;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
