package org.yizhan.hub.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The hub's certificate chain and private key, read from PEM files (a Let's Encrypt {@code fullchain.pem} and
 * {@code privkey.pem}: PKCS#8 RSA or EC, or a PKCS#1 RSA key as OpenSSL's traditional format writes it) and
 * checked: both parse, the key belongs to the first certificate, and that certificate is valid now. Errors name
 * the setting and the file; they never show key material. Reading is blocking.
 */
public record TlsCredentials(PrivateKey key, List<X509Certificate> chain, String fingerprint) {

    public static final String CERT_SETTING = "tls-cert (YIZHAN_TLS_CERT)";
    public static final String KEY_SETTING = "tls-key (YIZHAN_TLS_KEY)";
    public static final String CA_SETTING = "tls-ca (YIZHAN_TLS_CA)";

    public TlsCredentials {
        chain = List.copyOf(chain);
    }

    /** The server certificate (first of the chain). */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** Subject, issuer and validity of the server certificate, for the log. */
    public String describe() {
        X509Certificate c = certificate();
        return "subject '" + c.getSubjectX500Principal().getName() + "', issuer '"
                + c.getIssuerX500Principal().getName() + "', valid until " + c.getNotAfter().toInstant()
                + ", SHA-256 " + fingerprint.substring(0, 16) + "...";
    }

    public boolean expiresWithin(Duration d, Instant now) {
        return certificate().getNotAfter().toInstant().isBefore(now.plus(d));
    }

    /** Reads and checks the files. @throws IllegalArgumentException naming the setting and what is wrong */
    public static TlsCredentials load(Path certFile, Path keyFile, Instant now) {
        return of(read(certFile, CERT_SETTING), certFile, read(keyFile, KEY_SETTING), keyFile, now);
    }

    /** Checks PEM text already read. @throws IllegalArgumentException naming the setting and what is wrong */
    public static TlsCredentials of(byte[] certPem, Path certFile, byte[] keyPem, Path keyFile, Instant now) {
        List<X509Certificate> chain = certificates(certPem, CERT_SETTING + ": " + certFile);
        String keyText = new String(keyPem, StandardCharsets.US_ASCII);
        if (!keyText.contains("-----BEGIN ") || !keyText.contains("PRIVATE KEY-----")) {
            throw new IllegalArgumentException(KEY_SETTING + ": " + keyFile + " holds no PEM private key (expected "
                    + "-----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
        }
        PrivateKey key;
        try {
            // Vert.x's own PEM reader, the one its TLS servers use; the certificate is given only to pair it with
            PemKeyCertOptions pem = new PemKeyCertOptions().setKeyValue(Buffer.buffer(keyPem))
                    .setCertValue(Buffer.buffer(pem(chain.get(0))));
            key = privateKey(pem.getKeyManagerFactory(null).getKeyManagers());
        } catch (Exception e) {
            if (keyText.contains("-----BEGIN EC PRIVATE KEY-----")) {
                throw new IllegalArgumentException(KEY_SETTING + ": " + keyFile + " is an EC key in OpenSSL's "
                        + "traditional format, which this hub does not read; convert it once with "
                        + "'openssl pkcs8 -topk8 -nocrypt -in OLD -out privkey.pem'");
            }
            throw new IllegalArgumentException(KEY_SETTING + ": " + keyFile + " is not a readable private key ("
                    + e.getClass().getSimpleName() + ")");
        }
        X509Certificate leaf = chain.get(0);
        if (!matches(key, leaf.getPublicKey())) {
            throw new IllegalArgumentException(KEY_SETTING + ": the key in " + keyFile + " does not belong to the "
                    + "certificate in " + certFile + " (subject '" + leaf.getSubjectX500Principal().getName()
                    + "'); give the privkey.pem issued together with that certificate");
        }
        if (leaf.getNotAfter().toInstant().isBefore(now)) {
            throw new IllegalArgumentException(CERT_SETTING + ": the certificate in " + certFile + " (subject '"
                    + leaf.getSubjectX500Principal().getName() + "') expired at " + leaf.getNotAfter().toInstant()
                    + "; renew it");
        }
        if (leaf.getNotBefore().toInstant().isAfter(now)) {
            throw new IllegalArgumentException(CERT_SETTING + ": the certificate in " + certFile
                    + " is not valid before " + leaf.getNotBefore().toInstant() + "; check this machine's clock");
        }
        return new TlsCredentials(key, chain, fingerprint(leaf));
    }

    /** The certificates in a PEM file (at least one). @throws IllegalArgumentException starting with {@code what} */
    public static List<X509Certificate> certificates(byte[] pem, String what) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(what + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            f.generateCertificates(new ByteArrayInputStream(pem)).forEach(c -> out.add((X509Certificate) c));
            if (out.isEmpty()) {
                throw new CertificateException("empty");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(what + " is not a readable X.509 certificate in PEM");
        }
    }

    /**
     * Reads a file for a setting. @throws IllegalArgumentException naming the setting and the file (cut to
     * {@value #NAME_SHOWN} characters) when it cannot; the reason never repeats the name
     */
    public static byte[] read(Path file, String setting) {
        String name = shown(file);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(setting + ": " + name + " does not exist");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(setting + ": " + name + " cannot be read by this user");
        } catch (FileSystemException e) {
            // its message repeats the whole file name; the reason alone says what went wrong
            String why = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
            throw new IllegalArgumentException(setting + ": " + name + " cannot be read (" + why + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": " + name + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** The longest file name a refusal shows. */
    static final int NAME_SHOWN = 200;

    private static String shown(Path file) {
        String s = file.toString();
        return s.length() <= NAME_SHOWN ? s : s.substring(0, NAME_SHOWN) + "...";
    }

    static String pem(X509Certificate c) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + java.util.Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey privateKey(KeyManager[] managers) {
        for (KeyManager m : managers) {
            if (m instanceof X509KeyManager x) {
                for (String type : List.of("RSA", "EC", "EdDSA", "Ed25519", "RSASSA-PSS")) {
                    String[] aliases = x.getServerAliases(type, null);
                    if (aliases != null && aliases.length > 0) {
                        return x.getPrivateKey(aliases[0]);
                    }
                }
            }
        }
        throw new IllegalArgumentException("no key");
    }

    /** Whether the private key belongs to the public key: a signature made with one verifies with the other. */
    private static boolean matches(PrivateKey key, PublicKey pub) {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
            return false;
        }
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature s = Signature.getInstance(alg);
            if (alg.equals("RSASSA-PSS")) {
                s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            if (alg.equals("RSASSA-PSS")) {
                v.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            v.initVerify(pub);
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "TlsCredentials[" + describe() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsCredentials t && t.fingerprint.equals(fingerprint)
                && Arrays.equals(t.key.getEncoded(), key.getEncoded());
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }
}
