package org.yizhan.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Real X.509 chains built at test time with BouncyCastle: a certificate authority, and server certificates it
 * signs for given host names and IP addresses, valid or expired. Written as PEM the way Let's Encrypt writes them
 * ({@code fullchain.pem}: the server certificate then the CA; {@code privkey.pem}: PKCS#8).
 */
public final class TestCerts {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCerts() {
    }

    /** A certificate authority that can sign server certificates. */
    public record Authority(String name, KeyPair keys, X509Certificate certificate) {

        /** The CA certificate as PEM, as handed to stations or to {@code mosquitto_pub --cafile}. */
        public String pem() {
            return TestCerts.pem(certificate);
        }

        /** A server certificate for {@code localhost} and {@code 127.0.0.1}, valid from an hour ago for a year. */
        public Server server() {
            return server(List.of("localhost"), List.of("127.0.0.1"), Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(365)));
        }

        /** A server certificate for these names, valid between the two instants. */
        public Server server(List<String> dnsNames, List<String> ips, Instant notBefore, Instant notAfter) {
            try {
                KeyPair kp = ecKeys();
                List<GeneralName> names = new ArrayList<>();
                dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
                ips.forEach(n -> names.add(new GeneralName(GeneralName.iPAddress, n)));
                String cn = dnsNames.isEmpty() ? ips.get(0) : dnsNames.get(0);
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate,
                        serial(), Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + cn), kp.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, false,
                                new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                        .addExtension(Extension.subjectKeyIdentifier, false,
                                ext.createSubjectKeyIdentifier(kp.getPublic()))
                        .addExtension(Extension.authorityKeyIdentifier, false,
                                ext.createAuthorityKeyIdentifier(certificate));
                if (!names.isEmpty()) {
                    b.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)));
                }
                return new Server(kp, sign(b, keys.getPrivate()), certificate);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A server certificate for localhost that expired yesterday. */
        public Server expiredServer() {
            return server(List.of("localhost"), List.of("127.0.0.1"), Instant.now().minus(Duration.ofDays(30)),
                    Instant.now().minus(Duration.ofDays(1)));
        }

        /** A valid server certificate for another host name only (no localhost, no 127.0.0.1). */
        public Server serverFor(String host) {
            return server(List.of(host), List.of(), Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(365)));
        }

        /** Writes the CA certificate to {@code file}; the file. */
        public Path writeTo(Path file) {
            return write(file, pem());
        }
    }

    /** A server's key and certificate, and the CA that signed it. */
    public record Server(KeyPair keys, X509Certificate certificate, X509Certificate issuer) {

        /** The certificate then its issuer, as in Let's Encrypt's {@code fullchain.pem}. */
        public String chainPem() {
            return pem(certificate) + pem(issuer);
        }

        /** The private key as PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
        public String keyPem() {
            return TestCerts.pem("PRIVATE KEY", keys.getPrivate().getEncoded());
        }

        /** Writes {@code fullchain.pem} and {@code privkey.pem} into {@code dir} (replacing them); the dir. */
        public Path writeTo(Path dir) {
            write(dir.resolve("fullchain.pem"), chainPem());
            write(dir.resolve("privkey.pem"), keyPem());
            return dir;
        }
    }

    /** A new self-signed certificate authority, valid from an hour ago for ten years. */
    public static Authority authority(String name) {
        try {
            KeyPair kp = ecKeys();
            X500Name subject = new X500Name("CN=" + name + ",O=Yizhan test");
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().plus(Duration.ofDays(3650))), subject, kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new Authority(name, kp, sign(b, kp.getPrivate()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(X509Certificate c) {
        try {
            return pem("CERTIFICATE", c.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#1 ({@code -----BEGIN RSA PRIVATE KEY-----}) or SEC1 key as OpenSSL's traditional format writes it. */
    public static String traditionalPem(PrivateKey key) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    static String pem(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    public static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
            X509CertificateHolder holder = b.build(signer);
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
