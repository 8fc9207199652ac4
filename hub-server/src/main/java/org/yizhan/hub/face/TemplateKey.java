package org.yizhan.hub.face;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The hub's key for face templates at rest: AES-256-GCM, a fresh 12-byte nonce per row (stored before the
 * ciphertext and its tag), the row id, member id and station id as associated data, so a sealed template cannot
 * be moved to another row, member or station unnoticed. The key is 32 random bytes in its own file, kept apart
 * from the registry (see {@link #locate}); it is made with mode 0600 (its directory 0700) on first start, and a
 * key file that group or others may read is refused. A previous key ({@code <file>.previous}), when present,
 * opens rows sealed before a rotation; the hub seals them again under the current key at start.
 */
public final class TemplateKey {

    public static final String FILE = "face-templates.key";
    public static final String PREVIOUS_SUFFIX = ".previous";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A sealed template that no key held here opens: a lost or wrong key file, or an altered row. */
    public static final class SealException extends Exception {
        SealException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String id;
    private final SecretKeySpec key;
    private final Optional<TemplateKey> previous;

    private TemplateKey(byte[] raw, Optional<TemplateKey> previous) {
        this.key = new SecretKeySpec(raw, "AES");
        this.id = idOf(raw);
        this.previous = previous;
    }

    /**
     * Where the key lives: the configured file; else {@code $CREDENTIALS_DIRECTORY/face-templates.key} when systemd
     * hands it over as a credential; else {@code <data-dir>-keys/face-templates.key}, a directory beside the data
     * directory (never in it, so a copy of the data directory or of the database does not carry the key).
     */
    public static Path locate(String configured, Path dataDir, Map<String, String> env) {
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        String credentials = env.get("CREDENTIALS_DIRECTORY");
        if (credentials != null && !credentials.isBlank() && Files.exists(Path.of(credentials, FILE))) {
            return Path.of(credentials, FILE);
        }
        Path data = dataDir.toAbsolutePath().normalize();
        Path parent = data.getParent() == null ? data : data.getParent();
        return parent.resolve(data.getFileName() + "-keys").resolve(FILE);
    }

    /**
     * Reads the key file, or makes it (and its directory, mode 0700) when there is none. Refuses a key file that
     * group or others may read, naming the file and the fix. Blocking file I/O.
     */
    public static TemplateKey loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            create(file);
        }
        Optional<TemplateKey> previous = Optional.empty();
        Path old = file.resolveSibling(file.getFileName() + PREVIOUS_SUFFIX);
        if (Files.exists(old)) {
            previous = Optional.of(new TemplateKey(read(old), Optional.empty()));
        }
        return new TemplateKey(read(file), previous);
    }

    /** A short fingerprint of the key (not the key), stored with each row so a rotation knows what to reseal. */
    public String id() {
        return id;
    }

    /** Whether a row sealed under key {@code keyId} opens here. */
    public boolean knows(String keyId) {
        return id.equals(keyId) || previous.map(p -> p.id.equals(keyId)).orElse(false);
    }

    public byte[] seal(byte[] plain, String rowId, String memberId, String stationId) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(rowId, memberId, stationId));
            byte[] ct = c.doFinal(plain);
            byte[] out = new byte[NONCE_BYTES + ct.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(ct, 0, out, NONCE_BYTES, ct.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Opens a row sealed under this key or the previous one ({@code keyId} says which). */
    public byte[] open(byte[] sealed, String keyId, String rowId, String memberId, String stationId)
            throws SealException {
        if (!id.equals(keyId)) {
            if (previous.isPresent() && previous.get().id.equals(keyId)) {
                return previous.get().open(sealed, keyId, rowId, memberId, stationId);
            }
            throw new SealException("face template " + rowId + " was sealed under key " + keyId + ", which is neither "
                    + "the current face template key (" + id + ") nor a " + PREVIOUS_SUFFIX + " one", null);
        }
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SealException("face template " + rowId + " is too short to be sealed", null);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            c.updateAAD(aad(rowId, memberId, stationId));
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new SealException("face template " + rowId + " does not open with the face template key: the row "
                    + "was altered or moved", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private static byte[] aad(String rowId, String memberId, String stationId) {
        return ("yizhan-face-template/1|" + rowId + "|" + memberId + "|" + stationId).getBytes(StandardCharsets.UTF_8);
    }

    private static String idOf(byte[] raw) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(raw);
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static byte[] read(Path file) throws IOException {
        refuseIfShared(file);
        byte[] k = Files.readAllBytes(file);
        if (k.length != KEY_BYTES) {
            throw new IOException(file + ": a face template key must be " + KEY_BYTES + " bytes, the file has "
                    + k.length);
        }
        return k;
    }

    /** Group or others may read (or write) the key: refused, with the fix. */
    static void refuseIfShared(Path file) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException noPosix) {
            return;
        }
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))) {
            throw new IOException(file + " (the face template key) may be read by group or others ("
                    + PosixFilePermissions.toString(perms) + "); the hub will not start with it: chmod 600 " + file);
        }
    }

    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException noPosix) {
                Files.createDirectories(dir);
            }
        }
        byte[] k = new byte[KEY_BYTES];
        RANDOM.nextBytes(k);
        // written whole beside it and linked into place: a crash never leaves a short key, a racing hub keeps its own
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException noPosix) {
            Files.createFile(tmp);
        }
        try {
            Files.write(tmp, k);
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException raced) {
            // made meanwhile by another hub on the same directory: that one is used
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
