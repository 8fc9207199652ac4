package org.yizhan.bench.fleet;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bench's certificates are a real chain the servers can serve and the stations verify. */
@ExtendWith(VertxExtension.class)
class BenchTlsTest {

    @Test
    void writesACaAndAServerChainForLocalhostWithAMatchingOwnerOnlyKey(@TempDir Path dir) throws Exception {
        BenchTls tls = BenchTls.create(dir, BenchTls.KeyType.EC);

        List<X509Certificate> chain = certificates(tls.chainFile());
        X509Certificate ca = certificates(tls.caFile()).get(0);
        assertThat(chain).hasSize(2);
        assertThat(chain.get(1)).isEqualTo(ca);
        X509Certificate server = chain.get(0);
        server.verify(ca.getPublicKey());
        ca.verify(ca.getPublicKey());
        server.checkValidity();
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(server.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))))
                .containsExactlyInAnyOrder("localhost", "127.0.0.1");
        assertThat(server.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(signs(privateKey(tls.keyFile(), "EC"), server, "SHA256withECDSA")).isTrue();
        assertThat(Files.getPosixFilePermissions(tls.keyFile()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(tls.caPem()).isEqualTo(Files.readString(tls.caFile()));
    }

    @Test
    void rsaServerKeyOnRequest(@TempDir Path dir) throws Exception {
        BenchTls tls = BenchTls.create(dir, BenchTls.KeyType.RSA);

        X509Certificate server = certificates(tls.chainFile()).get(0);
        assertThat(server.getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(signs(privateKey(tls.keyFile(), "RSA"), server, "SHA256withRSA")).isTrue();
        assertThat(tls.describe()).startsWith("RSA 2048");
        assertThatThrownBy(() -> BenchTls.KeyType.parse("ed25519")).hasMessageContaining("ec or rsa");
    }

    @Test
    void probeNegotiatesWithAServerUsingTheFilesAndRefusesAnotherCaOrPlaintext(Vertx vertx, @TempDir Path dir)
            throws Exception {
        BenchTls tls = BenchTls.create(dir.resolve("a"), BenchTls.KeyType.EC);
        BenchTls other = BenchTls.create(dir.resolve("b"), BenchTls.KeyType.EC);
        NetServer server = FleetRun.await(vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0)
                        .setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                                .setCertPath(tls.chainFile().toString()).setKeyPath(tls.keyFile().toString())))
                .connectHandler(s -> { })
                .listen(), java.time.Duration.ofSeconds(10));
        NetServer plain = FleetRun.await(vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
                .connectHandler(s -> s.close()).listen(), java.time.Duration.ofSeconds(10));

        assertThat(tls.probe("127.0.0.1", server.actualPort())).startsWith("TLSv1.");
        assertThat(tls.probe("localhost", server.actualPort())).startsWith("TLSv1.");
        assertThatThrownBy(() -> other.probe("127.0.0.1", server.actualPort())).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> tls.probe("127.0.0.1", plain.actualPort())).isInstanceOf(IOException.class);
    }

    @Test
    void stationsTrustOnlyTheBenchCaAndCheckTheHostName(@TempDir Path dir) throws Exception {
        BenchTls tls = BenchTls.create(dir, BenchTls.KeyType.EC);

        MqttClientOptions o = tls.applyTo(new MqttClientOptions());

        assertThat(o.isSsl()).isTrue();
        assertThat(o.isTrustAll()).isFalse();
        assertThat(o.getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(o.getTrustOptions()).isInstanceOf(PemTrustOptions.class);
        assertThat(((PemTrustOptions) o.getTrustOptions()).getCertValues())
                .extracting(b -> b.toString(StandardCharsets.US_ASCII)).containsExactly(tls.caPem());
    }

    private static List<X509Certificate> certificates(Path pem) throws Exception {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        f.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))
                .forEach(c -> out.add((X509Certificate) c));
        return out;
    }

    private static PrivateKey privateKey(Path pem, String algorithm) throws Exception {
        String text = Files.readString(pem);
        assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----");
        String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    private static boolean signs(PrivateKey key, X509Certificate cert, String algorithm) throws Exception {
        byte[] data = "yizhan".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(data);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(algorithm);
        v.initVerify(cert.getPublicKey());
        v.update(data);
        return v.verify(sig);
    }
}
