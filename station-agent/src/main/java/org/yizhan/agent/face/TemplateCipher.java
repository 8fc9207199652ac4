package org.yizhan.agent.face;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
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
 * Encrypts face templates at rest with AES-256-GCM under the station's own key ({@code face.key} in the state
 * directory, 32 random bytes, mode 0600, made on first use and never sent anywhere). Each sealed template is a
 * fresh 12-byte nonce followed by the ciphertext and its 16-byte tag; the member pseudonym is authenticated
 * with it, so a template cannot be moved to another member's row unnoticed.
 */
public final class TemplateCipher {

    public static final String KEY_FILE = "face.key";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

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

    /** Reads the key file, or makes it (mode 0600) when there is none. Blocking file I/O. */
    public static TemplateCipher loadOrCreate(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] k = new byte[KEY_BYTES];
            RANDOM.nextBytes(k);
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
            // written whole beside it and moved into place: a crash never leaves a short key behind
            Path tmp = keyFile.resolveSibling(keyFile.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(owner));
            } catch (UnsupportedOperationException noPosix) {
                Files.createFile(tmp);
            }
            Files.write(tmp, k);
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
        byte[] k = Files.readAllBytes(keyFile);
        if (k.length != KEY_BYTES) {
            throw new IOException(keyFile + ": a face template key must be " + KEY_BYTES + " bytes, the file has "
                    + k.length);
        }
        return new TemplateCipher(k);
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
