package org.yizhan.hub.tls;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.HubConfig;
import org.yizhan.testing.TestCerts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The TLS settings are checked when the hub loads them: each bad file gets a message naming the setting. */
class TlsSettingsTest {

    private static TestCerts.Authority ca;
    private static TestCerts.Server server;

    @TempDir
    Path dir;

    @BeforeAll
    static void chain() {
        ca = TestCerts.authority("Union test CA");
        server = ca.server();
    }

    private HubConfig load(Map<String, String> env) throws Exception {
        return HubConfig.load(Optional.empty(), env);
    }

    private Map<String, String> tls(Path cert, Path key) {
        Map<String, String> env = new HashMap<>();
        env.put("YIZHAN_MQTT_TLS", "true");
        env.put("YIZHAN_TLS_CERT", cert.toString());
        env.put("YIZHAN_TLS_KEY", key.toString());
        return env;
    }

    @Test
    void acceptsLetsEncryptStyleFilesAndMovesMqttTo8883() throws Exception {
        server.writeTo(dir);
        HubConfig c = load(tls(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem")));
        assertThat(c.mqttTls()).isTrue();
        assertThat(c.mqttPort()).as("MQTT over TLS defaults to 8883").isEqualTo(8883);
        assertThat(c.hasTls()).isTrue();
        assertThat(c.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void keepsAnExplicitMqttPortWithTls() throws Exception {
        server.writeTo(dir);
        Map<String, String> env = tls(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"));
        env.put("YIZHAN_MQTT_PORT", "18883");
        assertThat(load(env).mqttPort()).isEqualTo(18883);
    }

    @Test
    void describesTheCertificateWithoutKeyMaterial() {
        server.writeTo(dir);
        TlsCredentials t = TlsCredentials.load(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"),
                java.time.Instant.now());
        assertThat(t.chain()).as("fullchain.pem: server then CA").hasSize(2);
        assertThat(t.describe()).contains("CN=localhost").contains("Union test CA").contains("valid until")
                .doesNotContain("PRIVATE");
    }

    @Test
    void traditionalEcKeyGetsTheConversionCommand() throws Exception {
        server.writeTo(dir);
        Path key = TestCerts.write(dir.resolve("ec.pem"), TestCerts.traditionalPem(server.keys().getPrivate()));
        assertThat(Files.readString(key)).contains("BEGIN EC PRIVATE KEY");
        assertThatThrownBy(() -> load(tls(dir.resolve("fullchain.pem"), key)))
                .hasMessageContaining("tls-key").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void tlsWithoutCertificateIsRefused() {
        assertThatThrownBy(() -> load(Map.of("YIZHAN_MQTT_TLS", "true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls-cert (YIZHAN_TLS_CERT)").hasMessageContaining("tls-key");
        assertThatThrownBy(() -> load(Map.of("YIZHAN_HTTP_TLS", "true")))
                .hasMessageContaining("http-tls is on");
    }

    @Test
    void missingCertificateFileIsNamed() {
        server.writeTo(dir);
        assertThatThrownBy(() -> load(tls(dir.resolve("nope.pem"), dir.resolve("privkey.pem"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls-cert (YIZHAN_TLS_CERT)").hasMessageContaining("nope.pem")
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> load(tls(dir.resolve("fullchain.pem"), dir.resolve("gone.pem"))))
                .hasMessageContaining("tls-key (YIZHAN_TLS_KEY)").hasMessageContaining("does not exist");
    }

    @Test
    void garbagePemIsRefused() throws Exception {
        server.writeTo(dir);
        Path junk = TestCerts.write(dir.resolve("junk.pem"), "hello, not a certificate\n");
        Path broken = TestCerts.write(dir.resolve("broken.pem"),
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> load(tls(junk, dir.resolve("privkey.pem"))))
                .hasMessageContaining("tls-cert").hasMessageContaining("holds no PEM certificate");
        assertThatThrownBy(() -> load(tls(broken, dir.resolve("privkey.pem"))))
                .hasMessageContaining("tls-cert").hasMessageContaining("not a readable X.509 certificate");
        assertThatThrownBy(() -> load(tls(dir.resolve("fullchain.pem"), junk)))
                .hasMessageContaining("tls-key").hasMessageContaining("holds no PEM private key");
        Path badKey = TestCerts.write(dir.resolve("badkey.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> load(tls(dir.resolve("fullchain.pem"), badKey)))
                .hasMessageContaining("tls-key").hasMessageContaining("not a readable private key")
                .hasMessageNotContaining("AAAAAAAA");
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws Exception {
        server.writeTo(dir);
        Path other = ca.server().writeTo(Files.createDirectory(dir.resolve("other")));
        assertThatThrownBy(() -> load(tls(dir.resolve("fullchain.pem"), other.resolve("privkey.pem"))))
                .hasMessageContaining("tls-key").hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void expiredCertificateIsRefused() throws Exception {
        ca.expiredServer().writeTo(dir);
        assertThatThrownBy(() -> load(tls(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"))))
                .hasMessageContaining("tls-cert").hasMessageContaining("expired");
    }

    @Test
    void caMustBeACertificate() throws Exception {
        server.writeTo(dir);
        Map<String, String> env = tls(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"));
        env.put("YIZHAN_TLS_CA", TestCerts.write(dir.resolve("ca.pem"), "nonsense").toString());
        assertThatThrownBy(() -> load(env)).hasMessageContaining("tls-ca (YIZHAN_TLS_CA)");
        env.put("YIZHAN_TLS_CA", ca.writeTo(dir.resolve("ca.pem")).toString());
        assertThat(load(env).tlsCa()).endsWith("ca.pem");
    }

    @Test
    void plainListenerOnlyBesideTls() throws Exception {
        assertThatThrownBy(() -> load(Map.of("YIZHAN_MQTT_PLAIN_PORT", "1883")))
                .hasMessageContaining("mqtt-plain-port");
        server.writeTo(dir);
        Map<String, String> env = tls(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"));
        env.put("YIZHAN_MQTT_PLAIN_PORT", "1883");
        assertThat(load(env).mqttPlainPort()).hasValue(1883);
        assertThat(load(tls(dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"))).mqttPlainPort()).isEmpty();
    }

    @Test
    void certificateWithoutKeyIsRefused() throws Exception {
        server.writeTo(dir);
        assertThatThrownBy(() -> load(Map.of("YIZHAN_TLS_CERT", dir.resolve("fullchain.pem").toString())))
                .hasMessageContaining("tls-cert and tls-key go together");
        assertThat(List.of(load(Map.of()).hasTls())).containsExactly(false);
    }
}
