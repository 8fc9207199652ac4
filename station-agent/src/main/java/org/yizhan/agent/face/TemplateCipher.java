package org.yizhan.agent.face;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Encrypts face templates at rest with AES-256-GCM under the station's own key ({@code face.key}, 32 random
 * bytes, mode 0600, made on first use and never sent anywhere). Each sealed template is a fresh 12-byte nonce
 * followed by the ciphertext and its 16-byte tag; the member pseudonym is authenticated with it, so a template
 * cannot be moved to another member's row unnoticed.
 *
 * <p>The key does not sit beside {@code face.db}: it lives in {@code $CREDENTIALS_DIRECTORY/face.key} when systemd
 * hands it over as a credential, else in {@code keys/face.key} under the state directory ({@code keys/} mode
 * 0700). A key left at the old place ({@code face.key} beside {@code face.db}) is moved there at start; a key file
 * that group or others may read is refused.
 */
public final class TemplateCipher {

    public static final String KEY_FILE = "face.key";
    public static final String KEY_DIR = "keys";
    private static final Logger LOG = LoggerFactory.getLogger(TemplateCipher.class);
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    /** A sealed template that this key cannot open: another station's key, or a damaged file. */
    public static final class WrongKeyException extends Exception {
        WrongKeyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final SecretKeySpec key;

    private TemplateCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** Where the key lives for the state directory: the systemd credential if given, else {@code keys/face.key}. */
    public static Path keyFile(Path stateDir, Map<String, String> env) {
        String credentials = env.get("CREDENTIALS_DIRECTORY");
        if (credentials != null && !credentials.isBlank() && Files.exists(Path.of(credentials, KEY_FILE))) {
            return Path.of(credentials, KEY_FILE);
        }
        return stateDir.resolve(KEY_DIR).resolve(KEY_FILE);
    }

    /**
     * Makes the key's place ready at start: {@code keys/} (0700) exists, a key at the old place beside
     * {@code face.db} is moved to {@code keyFile} (copied whole, checked, then the old one deleted; never lost),
     * and the key file, if there is one, may be read by its owner only. Throws with the reason and the fix
     * otherwise. Blocking file I/O.
     */
    public static void prepare(Path stateDir, Path keyFile) throws IOException {
        Path old = stateDir.resolve(KEY_FILE);
        boolean credential = !keyFile.startsWith(stateDir);
        if (!credential) {
            Path dir = keyFile.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                } catch (UnsupportedOperationException noPosix) {
                    Files.createDirectories(dir);
                }
            }
        }
        if (Files.exists(old) && !old.toAbsolutePath().equals(keyFile.toAbsolutePath())) {
            refuseIfShared(old);
            byte[] oldKey = Files.readAllBytes(old);
            if (!Files.exists(keyFile)) {
                if (credential) {
                    throw new IOException(keyFile + " is gone but " + old + " is there");
                }
                write(keyFile, oldKey);
                LOG.info("Moved the face template key from {} to {}", old, keyFile);
            }
            if (!Arrays.equals(oldKey, Files.readAllBytes(keyFile))) {
                throw new IOException("two different face template keys: " + old + " (the old place, beside face.db) "
                        + "and " + keyFile + "; the templates in face.db open with one of them only. Keep the one "
                        + "they were sealed with at " + keyFile + " and delete " + old);
            }
            Files.delete(old);
        }
        if (Files.exists(keyFile)) {
            refuseIfShared(keyFile);
        }
    }

    /** Group or others may read (or write) the key: refused, with the fix. */
    static void refuseIfShared(Path keyFile) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(keyFile);
        } catch (UnsupportedOperationException noPosix) {
            return;
        }
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))) {
            throw new IOException(keyFile + " (the face template key) may be read by group or others ("
                    + PosixFilePermissions.toString(perms) + "); the agent will not start with it: chmod 600 "
                    + keyFile);
        }
    }

    /** Reads the key file, or makes it (mode 0600) when there is none. Blocking file I/O. */
    public static TemplateCipher loadOrCreate(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] k = new byte[KEY_BYTES];
            RANDOM.nextBytes(k);
            write(keyFile, k);
        }
        refuseIfShared(keyFile);
        byte[] k = Files.readAllBytes(keyFile);
        if (k.length != KEY_BYTES) {
            throw new IOException(keyFile + ": a face template key must be " + KEY_BYTES + " bytes, the file has "
                    + k.length);
        }
        return new TemplateCipher(k);
    }

    /** Writes a key file whole (0600) beside its place and links it in: a crash never leaves a short key behind. */
    private static void write(Path keyFile, byte[] k) throws IOException {
        Path tmp = keyFile.resolveSibling(keyFile.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_FILE));
        } catch (UnsupportedOperationException noPosix) {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(k));
            ch.force(true);
        }
        try {
            // a link fails when another opener made the key meanwhile: then that one is used
            Files.createLink(keyFile, tmp);
        } catch (FileAlreadyExistsException raced) {
            // made meanwhile by another opener: use that one
        } catch (UnsupportedOperationException | IOException noLinks) {
            if (!Files.exists(keyFile)) {
                Files.move(tmp, keyFile, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public byte[] seal(byte[] plain, String member) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(member.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plain);
            byte[] out = new byte[NONCE_BYTES + ct.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(ct, 0, out, NONCE_BYTES, ct.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    public byte[] open(byte[] sealed, String member) throws WrongKeyException {
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new WrongKeyException("a sealed face template is too short (" + sealed.length + " bytes)", null);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            c.updateAAD(member.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("a face template does not open with this station's key (" + KEY_FILE
                    + " replaced, or the template was altered)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** A template as bytes: its values as little-endian IEEE 754 floats. */
    public static byte[] toBytes(float[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** The inverse of {@link #toBytes}; the length must be a multiple of 4. */
    public static float[] fromBytes(byte[] bytes) {
        if (bytes.length == 0 || bytes.length % 4 != 0) {
            throw new IllegalArgumentException("template: " + bytes.length + " bytes is not a list of floats");
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }
}
