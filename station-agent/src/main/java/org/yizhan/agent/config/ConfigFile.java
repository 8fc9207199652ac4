package org.yizhan.agent.config;

import org.yizhan.config.ConfigException;
import org.yizhan.config.StationConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The provisioned configuration in the state directory: {@code DIR/config.json}, mode 0600 in a 0700
 * directory, because it holds the station's MQTT password. Written atomically. Blocking file I/O.
 */
public final class ConfigFile {

    public static final String NAME = "config.json";

    private ConfigFile() {
    }

    public static Path path(Path dir) {
        return dir.resolve(NAME);
    }

    /** Creates the state directory (0700) if needed. */
    public static void ensureDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
        }
    }

    public static void write(Path dir, StationConfig config) throws IOException {
        ensureDir(dir);
        Path tmp = dir.resolve(NAME + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        restrict(tmp, "rw-------");
        Files.writeString(tmp, config.toJson().encodePrettily(), StandardCharsets.UTF_8);
        Files.move(tmp, path(dir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        restrict(path(dir), "rw-------");
    }

    /** Reads and validates; a missing or unreadable file is reported as a problem. */
    public static StationConfig read(Path dir) throws ConfigException {
        Path p = path(dir);
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(p + ": not found; provision the station first"));
        } catch (IOException e) {
            throw new ConfigException(List.of(p + ": cannot be read (" + e.getMessage() + ")"));
        }
        return StationConfig.parse(text);
    }

    private static void restrict(Path p, String perms) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        }
    }
}
