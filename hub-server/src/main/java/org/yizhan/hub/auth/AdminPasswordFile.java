package org.yizhan.hub.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where a generated first admin password goes: the file {@code admin-password} in the data directory, readable and
 * writable by the hub's user only, and nowhere else (never a log, never the console, which systemd and container
 * runtimes keep as a log). The operator reads it once, signs in, sets a password of their own and deletes the file.
 */
public final class AdminPasswordFile {

    public static final String NAME = "admin-password";

    private AdminPasswordFile() {
    }

    /** Writes the password to {@code dataDir/admin-password} (mode 0600 where the file system has modes); the path. */
    public static Path write(Path dataDir, String password) throws IOException {
        Path file = dataDir.resolve(NAME);
        Files.deleteIfExists(file);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, password + "\n", StandardCharsets.US_ASCII);
        return file;
    }
}
