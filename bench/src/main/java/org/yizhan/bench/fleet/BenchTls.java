package org.yizhan.bench.fleet;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClientOptions;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * TLS material made fresh for one bench run with BouncyCastle: a certificate authority and a server certificate
 * it signs for {@code localhost} and {@code 127.0.0.1}, written as PEM files the way a deployment has them
 * ({@code server-chain.pem}: server certificate then CA, as Let's Encrypt's {@code fullchain.pem};
 * {@code server-key.pem}: PKCS#8; {@code ca.pem}). The servers get the files, the simulated stations trust only
 * the CA and check the host name, as the station agent does.
 */
public final class BenchTls {

    /** The server key's algorithm: ECDSA P-256 (what the README's openssl recipe and certbot make) or RSA 2048. */
    public enum KeyType {
        EC("ECDSA P-256"), RSA("RSA 2048");

        private final String label;

        KeyType(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** {@code ec} or {@code rsa}, any case. */
        public static KeyType parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "ec" -> EC;
                case "rsa" -> RSA;
                default -> throw new IllegalArgumentException("'" + s + "' must be ec or rsa");
            };
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyType keyType;
    private final String caPem;
    private final X509Certificate ca;
    private final Path caFile;
    private final Path chainFile;
    private final Path keyFile;

    private BenchTls(KeyType keyType, String caPem, X509Certificate ca, Path caFile, Path chainFile, Path keyFile) {
        this.keyType = keyType;
        this.caPem = caPem;
        this.ca = ca;
        this.caFile = caFile;
        this.chainFile = chainFile;
        this.keyFile = keyFile;
    }

    /**
     * Makes a new CA (always ECDSA P-256) and a server certificate with a {@code keyType} key, valid from an hour
     * ago for 30 days, and writes {@code ca.pem}, {@code server-chain.pem} and {@code server-key.pem} (owner-only)
     * into {@code dir}.
     */
    public static BenchTls create(Path dir, KeyType keyType) throws IOException {
        try {
            Files.createDirectories(dir);
            Instant from = Instant.now().minus(Duration.ofHours(1));
            Instant to = Instant.now().plus(Duration.ofDays(30));
            KeyPair caKeys = keys(KeyType.EC);
            X500Name caName = new X500Name("CN=Yizhan bench CA,O=Yizhan bench");
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, serial(), Date.from(from), Date.from(to),
                    caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(caKeys.getPublic())), caKeys.getPrivate());
            KeyPair serverKeys = keys(keyType);
            int usage = keyType == KeyType.RSA ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                    : KeyUsage.digitalSignature;
            X509Certificate server = sign(new JcaX509v3CertificateBuilder(ca, serial(), Date.from(from),
                    Date.from(to), new X500Name("CN=localhost"), serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(serverKeys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")})), caKeys.getPrivate());
            String caPem = pem("CERTIFICATE", ca.getEncoded());
            Path caFile = write(dir.resolve("ca.pem"), caPem);
            Path chainFile = write(dir.resolve("server-chain.pem"), pem("CERTIFICATE", server.getEncoded()) + caPem);
            Path keyFile = dir.resolve("server-key.pem");
            Files.deleteIfExists(keyFile);
            try {
                Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the temporary directory is the only protection
            }
            write(keyFile, pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
            return new BenchTls(keyType, caPem, ca, caFile, chainFile, keyFile);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the bench's TLS certificates: " + e.getMessage(), e);
        }
    }

    public KeyType keyType() {
        return keyType;
    }

    public String caPem() {
        return caPem;
    }

    public Path caFile() {
        return caFile;
    }

    public Path chainFile() {
        return chainFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** Makes {@code options} speak TLS, trusting only the bench CA and checking the host name (as the agent does). */
    public MqttClientOptions applyTo(MqttClientOptions options) {
        options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem, "US-ASCII")));
        return options;
    }

    /**
     * One TLS handshake with the server at {@code host:port} from the JDK's client, trusting only the bench CA and
     * checking the host name: what was negotiated, e.g. {@code TLSv1.3 TLS_AES_256_GCM_SHA384}. Blocking.
     *
     * @throws IOException if the handshake fails (not TLS, wrong certificate, ...)
     */
    public String probe(String host, int port) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("bench-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress(host, port), 5000);
                s.setSoTimeout(10_000);
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                if (!Character.isDigit(host.charAt(0))) {
                    p.setServerNames(List.of(new SNIHostName(host)));
                }
                s.setSSLParameters(p);
                s.startHandshake();
                SSLSession session = s.getSession();
                return session.getProtocol() + " " + session.getCipherSuite();
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS probe of " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** What the servers present, for the report: e.g. {@code ECDSA P-256 server key, CA-signed, no client certificates}. */
    public String describe() {
        return keyType.label() + " server key signed by a fresh bench CA (ECDSA P-256), stations verify chain and host name";
    }

    private static KeyPair keys(KeyType type) throws GeneralSecurityException {
        if (type == KeyType.RSA) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, RANDOM);
            return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    static String pem(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
