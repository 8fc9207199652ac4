package org.yizhan.hub.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The backup archive: a zip of data-directory files (the H2 registry {@value #REGISTRY} and the secrets beside it)
 * under their names in the data directory, and {@value #MANIFEST} with each file's size and SHA-256. Written to a
 * hidden temporary file beside the target, mode 0600 (it holds secrets), forced to disk and renamed into place, so
 * a target name never holds half an archive. Read back only after every checksum matched. Blocking: call it off
 * the event loop.
 */
public final class BackupArchive {

    public static final String MANIFEST = "manifest.json";
    /** The H2 registry's file in the data directory ({@code registry} is the database name). */
    public static final String REGISTRY = "registry.mv.db";
    /** A file name of the data directory: no folders, no dot first. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final int MAX_MANIFEST_BYTES = 1 << 20;
    private static final int CHUNK = 1 << 16;

    /** Told how many bytes of how many are done, after each chunk. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {
        };

        void bytes(long done, long total);
    }

    /** One file to archive: its name in the data directory, and where it lies now. */
    public record Source(String name, Path path) {
    }

    private BackupArchive() {
    }

    /**
     * Writes the archive at {@code target}, which must not exist yet; answers its manifest.
     *
     * @throws BackupException when the target exists, a name is not a plain file name or the registry is missing
     */
    public static BackupManifest write(Path target, String hubVersion, String schemaVersion, Instant createdAt,
                                       List<Source> sources, Progress progress) throws IOException, BackupException {
        Set<String> names = new HashSet<>();
        long total = 0;
        for (Source s : sources) {
            if (!NAME.matcher(s.name()).matches() || s.name().equals(MANIFEST) || !names.add(s.name())) {
                throw new BackupException("cannot archive a file named '" + s.name() + "'");
            }
            total += Files.size(s.path());
        }
        if (!names.contains(REGISTRY)) {
            throw new BackupException("a backup needs the registry (" + REGISTRY + ")");
        }
        if (Files.exists(target)) {
            throw new BackupException(target + " exists already; choose another name");
        }
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + HexFormat.of().formatHex(random(6)));
        createPrivateFile(tmp);
        try {
            List<BackupManifest.Entry> entries = new ArrayList<>();
            long done = 0;
            try (OutputStream file = Files.newOutputStream(tmp, StandardOpenOption.WRITE);
                 ZipOutputStream zip = new ZipOutputStream(file)) {
                byte[] buf = new byte[CHUNK];
                for (Source s : sources) {
                    zip.putNextEntry(new ZipEntry(s.name()));
                    MessageDigest sha = sha256();
                    long bytes = 0;
                    try (InputStream in = Files.newInputStream(s.path())) {
                        for (int n; (n = in.read(buf)) > 0; ) {
                            zip.write(buf, 0, n);
                            sha.update(buf, 0, n);
                            bytes += n;
                            done += n;
                            progress.bytes(done, Math.max(total, done));
                        }
                    }
                    zip.closeEntry();
                    entries.add(new BackupManifest.Entry(s.name(), bytes, HexFormat.of().formatHex(sha.digest())));
                }
                BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, hubVersion, schemaVersion,
                        createdAt, entries);
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(manifest.toJson().encodePrettily().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
                zip.finish();
                file.flush();
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                if (Files.exists(target)) {
                    throw new BackupException(target + " appeared while the backup was written; choose another name");
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                return manifest;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads every file of the archive and checks it against the manifest; answers the manifest.
     *
     * @throws BackupException naming the archive and what is wrong: not a zip or truncated, no or a bad manifest,
     *                         a missing or unexpected file, a size or checksum that does not match
     */
    public static BackupManifest verify(Path archive, Progress progress) throws BackupException {
        return read(archive, Path.of(""), false, progress);
    }

    /**
     * Checks the archive as {@link #verify} does and writes its files into {@code dir} (which must exist), each
     * mode 0600 and new; a file that fails its checksum is deleted before this throws.
     */
    public static BackupManifest extract(Path archive, Path dir, Progress progress) throws BackupException {
        return read(archive, dir, true, progress);
    }

    private static BackupManifest read(Path archive, Path dir, boolean write, Progress progress) throws BackupException {
        ZipFile zip;
        try {
            zip = new ZipFile(archive.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new BackupException(archive + ": no such file");
        } catch (ZipException e) {
            throw new BackupException(archive + " is not a complete backup archive (a truncated file, or no zip at all): "
                    + e.getMessage());
        } catch (IOException e) {
            throw new BackupException(archive + " cannot be read: " + e.getMessage(), e);
        }
        try (zip) {
            BackupManifest manifest = manifest(zip, archive);
            long done = 0;
            for (BackupManifest.Entry e : manifest.files()) {
                done = copyChecked(zip, archive, e, write ? dir.resolve(e.name()) : null, done, manifest.totalBytes(),
                        progress);
            }
            return manifest;
        } catch (IOException e) {
            throw new BackupException(archive + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static BackupManifest manifest(ZipFile zip, Path archive) throws BackupException, IOException {
        ZipEntry m = zip.getEntry(MANIFEST);
        if (m == null) {
            throw new BackupException(archive + " is not a Yizhan hub backup: it has no " + MANIFEST);
        }
        byte[] text;
        try (InputStream in = zip.getInputStream(m)) {
            text = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        } catch (ZipException | java.io.EOFException e) {
            throw new BackupException(archive + " is damaged: its " + MANIFEST + " cannot be read (" + e.getMessage() + ")");
        }
        if (text.length > MAX_MANIFEST_BYTES) {
            throw new BackupException(archive + " is not a Yizhan hub backup: its " + MANIFEST + " is too large");
        }
        BackupManifest manifest;
        try {
            manifest = BackupManifest.parse(new String(text, StandardCharsets.UTF_8));
        } catch (BackupException e) {
            throw new BackupException(archive + " cannot be restored: " + e.getMessage());
        }
        Set<String> listed = new HashSet<>();
        for (BackupManifest.Entry e : manifest.files()) {
            if (!NAME.matcher(e.name()).matches() || e.name().equals(MANIFEST) || !listed.add(e.name())) {
                throw new BackupException(archive + " lists a file that cannot be restored: '" + e.name() + "'");
            }
            if (zip.getEntry(e.name()) == null) {
                throw new BackupException(archive + " is damaged: " + e.name() + " is listed in its manifest but missing");
            }
        }
        if (!listed.contains(REGISTRY)) {
            throw new BackupException(archive + " holds no registry (" + REGISTRY + ")");
        }
        for (ZipEntry z : Collections.list(zip.entries())) {
            if (!z.getName().equals(MANIFEST) && !listed.contains(z.getName())) {
                throw new BackupException(archive + " holds '" + z.getName() + "', which its manifest does not list");
            }
        }
        return manifest;
    }

    private static long copyChecked(ZipFile zip, Path archive, BackupManifest.Entry e, Path out, long done, long total,
                                    Progress progress) throws BackupException, IOException {
        MessageDigest sha = sha256();
        long bytes = 0;
        byte[] buf = new byte[CHUNK];
        if (out != null) {
            createPrivateFile(out);
        }
        boolean ok = false;
        try (InputStream in = zip.getInputStream(zip.getEntry(e.name()));
             OutputStream os = out == null ? OutputStream.nullOutputStream()
                     : Files.newOutputStream(out, StandardOpenOption.WRITE)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                os.write(buf, 0, n);
                sha.update(buf, 0, n);
                bytes += n;
                progress.bytes(done + bytes, Math.max(total, done + bytes));
                if (bytes > e.bytes()) {
                    break;
                }
            }
            if (bytes != e.bytes() || !HexFormat.of().formatHex(sha.digest()).equals(e.sha256())) {
                throw new BackupException(archive + " is damaged or was altered: " + e.name()
                        + " does not match the size and checksum in its manifest");
            }
            ok = true;
        } catch (ZipException | java.io.EOFException ex) {
            throw new BackupException(archive + " is damaged: " + e.name() + " cannot be read (" + ex.getMessage() + ")");
        } finally {
            if (out != null && !ok) {
                Files.deleteIfExists(out);
            }
        }
        if (out != null) {
            try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        return done + bytes;
    }

    /** Creates an empty file readable and writable by its owner only (on POSIX file systems). */
    static void createPrivateFile(Path p) throws IOException, BackupException {
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(p);
            }
        } catch (FileAlreadyExistsException e) {
            throw new BackupException(p + " exists already");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
