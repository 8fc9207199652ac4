package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What the TLS targets hand their servers: Mosquitto's listener settings and the hub's environment. */
class TargetConfigTest {

    @Test
    void mosquittoTlsListenerUsesTheBenchFilesAndPlainHasNone(@TempDir Path dir) throws Exception {
        BenchTls tls = BenchTls.create(dir, BenchTls.KeyType.EC);

        String plain = MosquittoTarget.config(41883, Optional.empty());
        String secure = MosquittoTarget.config(48883, Optional.of(tls));

        assertThat(plain).contains("listener 41883 127.0.0.1\n").doesNotContain("certfile").doesNotContain("cafile");
        assertThat(secure).contains("listener 48883 127.0.0.1\ncafile " + tls.caFile().toAbsolutePath() + "\n")
                .contains("\ncertfile " + tls.chainFile().toAbsolutePath() + "\n")
                .contains("\nkeyfile " + tls.keyFile().toAbsolutePath() + "\n")
                .contains("\nrequire_certificate false\n")
                .contains("\nuser " + System.getProperty("user.name") + "\n");
        assertThat(secure.lines().filter(l -> l.startsWith("listener"))).as("no plaintext listener beside").hasSize(1);
    }

    @Test
    void hubTlsGetsMqttTlsWithTheBenchFilesAndPlainHubNothing(@TempDir Path dir) throws Exception {
        BenchTls tls = BenchTls.create(dir, BenchTls.KeyType.EC);

        assertThat(HubTarget.tlsEnvironment(Optional.empty())).isEmpty();
        assertThat(HubTarget.tlsEnvironment(Optional.of(tls)))
                .containsEntry("YIZHAN_MQTT_TLS", "true")
                .containsEntry("YIZHAN_TLS_CERT", tls.chainFile().toAbsolutePath().toString())
                .containsEntry("YIZHAN_TLS_KEY", tls.keyFile().toAbsolutePath().toString())
                .containsEntry("YIZHAN_TLS_CA", tls.caFile().toAbsolutePath().toString())
                .doesNotContainKey("YIZHAN_HTTP_TLS");
        HubTarget hub = new HubTarget(Path.of("hub.jar"), dir, java.util.List.of(), Optional.of(tls));
        assertThat(hub.name()).isEqualTo("hub-tls");
        assertThat(hub.tls()).contains(tls);
        assertThat(new HubTarget(Path.of("hub.jar"), dir, java.util.List.of(), Optional.empty()).name()).isEqualTo("hub");
    }
}
