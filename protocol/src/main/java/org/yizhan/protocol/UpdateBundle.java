package org.yizhan.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A signed agent update as the hub stores it and stations download it: a zip of exactly three entries, in this
 * order,
 * <ul>
 * <li>{@value #MANIFEST}: {@code {"package":"yizhan-agent","version":"0.2.0","sha256":"<hex>","size":N,
 * "createdAt":ms}}, the agent jar's SHA-256 and size;</li>
 * <li>{@value #SIGNATURE}: {@code {"alg":"Ed25519","keyId":"<16 hex>","signature":"<base64>"}}, an Ed25519
 * signature over the exact bytes of the manifest entry, by the union's release key;</li>
 * <li>{@value #JAR}: the agent's jar.</li>
 * </ul>
 * The release key is kept off the hub (a hub that is broken into cannot make an update stations accept); the hub
 * and the stations hold only its public half. Keys are PEM files as OpenSSL writes them ({@code openssl genpkey
 * -algorithm ed25519}, {@code openssl pkey -pubout}), and {@code openssl pkeyutl -sign -rawin} makes the same
 * signature, so a union's IT staff can sign with the tools they trust. {@code keyId} is the first 8 bytes, in hex,
 * of the SHA-256 of the public key's DER form.
 */
public final class UpdateBundle {

    public static final String PACKAGE = "yizhan-agent";
    public static final String MANIFEST = "update.json";
    public static final String SIGNATURE = "update.sig";
    public static final String JAR = "yizhan-agent.jar";
    /** The largest agent jar a bundle may carry. */
    public static final long MAX_JAR_BYTES = 256L * 1024 * 1024;
    private static final int MAX_SMALL_ENTRY = 4096;
    /** Versions as Maven and Debian write them; nothing that could be a path or need quoting in a shell. */
    public static final Pattern VERSION = Pattern.compile("[0-9][0-9A-Za-z.+~_-]{0,39}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** What the manifest says. */
    public record Manifest(String version, String sha256, long size, long createdAt) {
        public JsonObject toJson() {
            return new JsonObject().put("package", PACKAGE).put("version", version).put("sha256", sha256)
                    .put("size", size).put("createdAt", createdAt);
        }
    }

    /** A bundle whose signature and jar were checked: its manifest and the key that signed it. */
    public record Verified(Manifest manifest, String keyId) {
    }

    /** Why a bundle is refused; {@code code} is one of {@code bad-bundle}, {@code bad-signature}, {@code too-large}. */
    public static final class BundleException extends Exception {
        private final String code;

        public BundleException(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private UpdateBundle() {
    }

    /**
     * Writes a bundle of {@code jar} as {@code version}, signed with {@code key}, to {@code out}. Returns its
     * manifest.
     */
    public static Manifest write(Path jar, String version, PrivateKey key, PublicKey publicKey, OutputStream out)
            throws IOException, GeneralSecurityException {
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("version '" + version + "' must match " + VERSION.pattern());
        }
        long size = Files.size(jar);
        if (size > MAX_JAR_BYTES) {
            throw new IllegalArgumentException("the jar is larger than " + MAX_JAR_BYTES + " bytes");
        }
        Manifest m = new Manifest(version, sha256(jar), size, System.currentTimeMillis());
        byte[] manifest = m.toJson().encodePrettily().getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(manifest);
        byte[] sig = new JsonObject().put("alg", "Ed25519").put("keyId", keyId(publicKey))
                .put("signature", Base64.getEncoder().encodeToString(s.sign())).encodePrettily()
                .getBytes(StandardCharsets.UTF_8);
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            entry(zip, MANIFEST, manifest);
            entry(zip, SIGNATURE, sig);
            zip.putNextEntry(new ZipEntry(JAR));
            Files.copy(jar, zip);
            zip.closeEntry();
        }
        return m;
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /**
     * Reads a bundle from {@code in}, checks its signature against {@code trusted} (any of them) and its jar against
     * the manifest, and, when {@code jarTo} is given, leaves the jar there (written beside it first and moved in
     * only once it checked out). Nothing of a refused bundle is left behind.
     */
    public static Verified verify(InputStream in, List<PublicKey> trusted, Optional<Path> jarTo)
            throws IOException, BundleException {
        if (trusted.isEmpty()) {
            throw new BundleException("bad-signature", "no release key is trusted here, so no update can be checked");
        }
        Path tmp = null;
        try (ZipInputStream zip = new ZipInputStream(in)) {
            byte[] manifestBytes = small(zip, MANIFEST);
            byte[] sigBytes = small(zip, SIGNATURE);
            Manifest m = manifest(manifestBytes);
            String keyId = checkSignature(manifestBytes, sigBytes, trusted);
            ZipEntry e = zip.getNextEntry();
            if (e == null || !JAR.equals(e.getName())) {
                throw new BundleException("bad-bundle", "the third entry must be " + JAR);
            }
            MessageDigest digest = sha256Digest();
            long n;
            if (jarTo.isPresent()) {
                Files.createDirectories(jarTo.get().toAbsolutePath().getParent());
                tmp = jarTo.get().resolveSibling(jarTo.get().getFileName() + ".part");
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    n = copy(zip, out, digest, m.size());
                }
            } else {
                n = copy(zip, OutputStream.nullOutputStream(), digest, m.size());
            }
            if (n != m.size()) {
                throw new BundleException("bad-bundle", "the jar has " + n + " bytes, the manifest says " + m.size());
            }
            if (!HexFormat.of().formatHex(digest.digest()).equals(m.sha256())) {
                throw new BundleException("bad-bundle", "the jar's SHA-256 is not the one the manifest signed");
            }
            if (zip.getNextEntry() != null) {
                throw new BundleException("bad-bundle", "the bundle holds more than " + MANIFEST + ", " + SIGNATURE
                        + " and " + JAR);
            }
            if (tmp != null) {
                Files.move(tmp, jarTo.get(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            }
            return new Verified(m, keyId);
        } catch (java.util.zip.ZipException ex) {
            throw new BundleException("bad-bundle", "not a readable zip: " + ex.getMessage());
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static byte[] small(ZipInputStream zip, String name) throws IOException, BundleException {
        ZipEntry e = zip.getNextEntry();
        if (e == null) {
            throw new BundleException("bad-bundle", "not an update bundle: no " + name + " entry");
        }
        if (!name.equals(e.getName())) {
            throw new BundleException("bad-bundle", "expected the entry " + name + ", found '"
                    + shown(e.getName(), 60) + "'");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        int r;
        while ((r = zip.read(buf)) > 0) {
            out.write(buf, 0, r);
            if (out.size() > MAX_SMALL_ENTRY) {
                throw new BundleException("bad-bundle", name + " is larger than " + MAX_SMALL_ENTRY + " bytes");
            }
        }
        return out.toByteArray();
    }

    private static long copy(InputStream in, OutputStream out, MessageDigest digest, long expected)
            throws IOException, BundleException {
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        int r;
        while ((r = in.read(buf)) > 0) {
            n += r;
            if (n > expected) {
                throw new BundleException("bad-bundle", "the jar is longer than the " + expected
                        + " bytes the manifest says");
            }
            digest.update(buf, 0, r);
            out.write(buf, 0, r);
        }
        return n;
    }

    private static Manifest manifest(byte[] bytes) throws BundleException {
        JsonObject o;
        try {
            o = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            throw new BundleException("bad-bundle", MANIFEST + " is not a JSON object");
        }
        List<String> problems = new ArrayList<>();
        if (!PACKAGE.equals(o.getValue("package"))) {
            problems.add("package must be \"" + PACKAGE + "\"");
        }
        Object v = o.getValue("version");
        if (!(v instanceof String s) || !VERSION.matcher(s).matches()) {
            problems.add("version must match " + VERSION.pattern());
        }
        Object h = o.getValue("sha256");
        if (!(h instanceof String s) || !SHA256.matcher(s).matches()) {
            problems.add("sha256 must be 64 lower-case hex digits");
        }
        Object size = o.getValue("size");
        if (!(size instanceof Number n) || n.longValue() <= 0 || n.longValue() > MAX_JAR_BYTES
                || n.doubleValue() != n.longValue()) {
            problems.add("size must be a whole number of bytes from 1 to " + MAX_JAR_BYTES);
        }
        Object created = o.getValue("createdAt");
        if (!(created instanceof Number)) {
            problems.add("createdAt must be epoch milliseconds");
        }
        if (!problems.isEmpty()) {
            throw new BundleException("bad-bundle", MANIFEST + ": " + String.join("; ", problems));
        }
        return new Manifest((String) v, (String) h, ((Number) size).longValue(), ((Number) created).longValue());
    }

    private static String checkSignature(byte[] manifest, byte[] sigBytes, List<PublicKey> trusted)
            throws BundleException {
        byte[] sig;
        String keyId;
        try {
            JsonObject o = new JsonObject(new String(sigBytes, StandardCharsets.UTF_8));
            if (!"Ed25519".equals(o.getValue("alg"))) {
                throw new BundleException("bad-signature", SIGNATURE + ": alg must be Ed25519");
            }
            keyId = o.getValue("keyId") instanceof String k ? k : "";
            sig = Base64.getDecoder().decode(o.getString("signature", ""));
        } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
            throw new BundleException("bad-signature", SIGNATURE + " is not {\"alg\",\"keyId\",\"signature\"} with a "
                    + "base64 signature");
        }
        for (PublicKey k : trusted) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(k);
                s.update(manifest);
                if (s.verify(sig)) {
                    return keyId(k);
                }
            } catch (SignatureException | InvalidKeyException e) {
                // not this key's signature: try the next
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this Java has no Ed25519", e);
            }
        }
        throw new BundleException("bad-signature", "the manifest is not signed by a trusted release key (it names key '"
                + shown(keyId, 20) + "')");
    }

    /** The first 8 bytes of the SHA-256 of the key's DER form, in hex. */
    public static String keyId(PublicKey key) {
        return HexFormat.of().formatHex(sha256Digest().digest(key.getEncoded()), 0, 8);
    }

    /** Every public key in a PEM text ({@code -----BEGIN PUBLIC KEY-----} blocks, Ed25519). */
    public static List<PublicKey> publicKeys(String pem) throws GeneralSecurityException {
        List<PublicKey> keys = new ArrayList<>();
        KeyFactory f = KeyFactory.getInstance("Ed25519");
        for (byte[] der : pemBlocks(pem, "PUBLIC KEY")) {
            keys.add(f.generatePublic(new X509EncodedKeySpec(der)));
        }
        return keys;
    }

    /** The private key in a PEM text ({@code -----BEGIN PRIVATE KEY-----}, PKCS#8 Ed25519, as OpenSSL writes it). */
    public static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        List<byte[]> blocks = pemBlocks(pem, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new GeneralSecurityException("expected one -----BEGIN PRIVATE KEY----- block, found " + blocks.size());
        }
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
    }

    /** A public key as a PEM block. */
    public static String pem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** A private key as a PKCS#8 PEM block. */
    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static List<byte[]> pemBlocks(String pem, String type) throws GeneralSecurityException {
        List<byte[]> out = new ArrayList<>();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int at = 0;
        while ((at = pem.indexOf(begin, at)) >= 0) {
            int stop = pem.indexOf(end, at);
            if (stop < 0) {
                throw new GeneralSecurityException("a " + begin + " block has no end");
            }
            String body = pem.substring(at + begin.length(), stop).replaceAll("\\s", "");
            try {
                out.add(Base64.getDecoder().decode(body));
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException("a " + type + " block is not base64");
            }
            at = stop + end.length();
        }
        return out;
    }

    /** Text from a bundle, cut to {@code max} characters and with control characters shown as '?', for messages. */
    private static String shown(String s, int max) {
        String cut = s.length() > max ? s.substring(0, max) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** The hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        MessageDigest d = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int r;
            while ((r = in.read(buf)) > 0) {
                d.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
