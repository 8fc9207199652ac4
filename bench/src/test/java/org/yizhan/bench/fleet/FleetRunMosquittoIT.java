package org.yizhan.bench.fleet;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The generator against a real Mosquitto on loopback, in plaintext and over TLS with the bench's certificates:
 * what the stations send is what the subscriber counts.
 */
@ExtendWith(VertxExtension.class)
class FleetRunMosquittoIT {

    @BeforeAll
    static void needsMosquitto() {
        assumeTrue(Files.isExecutable(MosquittoTarget.DEFAULT_BINARY),
                MosquittoTarget.DEFAULT_BINARY + " is absent: install it with `apt-get install -y mosquitto`");
    }

    @Test
    void subscriberCountsMessagesAtTheContractRateOfTheFleet(Vertx vertx, @TempDir Path dir) throws Exception {
        FleetSettings settings = new FleetSettings(1, 2, 200, 30, 3);
        List<String> progress = new CopyOnWriteArrayList<>();
        FleetRun run = new FleetRun(vertx, settings, Duration.ofSeconds(1), Duration.ofSeconds(5), progress::add);
        MosquittoTarget target = new MosquittoTarget(vertx, MosquittoTarget.DEFAULT_BINARY, dir);

        RunResult r = run.run(target, 20);

        double expected = settings.expectedRate(20);   // 20 × (1/1 + 1/2) = 30 msg/s
        assertThat(r.connected()).as("stations connected").isEqualTo(20);
        assertThat(r.failed()).isZero();
        assertThat(r.lost()).isZero();
        assertThat(r.windowSeconds()).isCloseTo(5.0, within(0.5));
        assertThat(r.sentPerSecond()).as("sent msg/s").isCloseTo(expected, within(expected * 0.15));
        assertThat(r.processedPerSecond()).as("received msg/s").isCloseTo(expected, within(expected * 0.15));
        assertThat(r.processedInWindow()).as("received vs sent in the window")
                .isCloseTo(r.sentInWindow(), within(Math.max(3, r.sentInWindow() * 0.05)));
        assertThat(r.latencySeconds().count()).as("latency samples").isEqualTo((long) r.processedInWindow());
        assertThat(r.latencyMillis(0.5).orElseThrow()).as("p50 ms on loopback").isBetween(0.0, 1000.0);
        assertThat(r.serverCpuSeconds()).isGreaterThanOrEqualTo(0);
        assertThat(r.vmRssKb()).as("broker resident memory").isPositive();
        assertThat(target.malformed()).isZero();
        assertThat(progress).anyMatch(s -> s.contains("connected 20/20"));
        assertThat(ResultTable.markdown(List.of(r))).contains("| mosquitto | 20 | 20 |");
        assertThat(r.link()).isEqualTo("plain TCP");
        assertThat(r.connect().connected()).isEqualTo(20);
        assertThat(r.reconnect().connected()).as("all reconnected after the window").isEqualTo(20);
    }

    @Test
    void tlsFleetConnectsTwiceWithFullHandshakesAndIsCountedLikeThePlainOne(Vertx vertx, @TempDir Path dir)
            throws Exception {
        BenchTls tls = BenchTls.create(dir.resolve("tls"), BenchTls.KeyType.EC);
        FleetSettings settings = new FleetSettings(1, 2, 200, 30, 3);
        List<String> progress = new CopyOnWriteArrayList<>();
        FleetRun run = new FleetRun(vertx, settings, Duration.ofSeconds(1), Duration.ofSeconds(3), progress::add);
        MosquittoTarget target = new MosquittoTarget(vertx, MosquittoTarget.DEFAULT_BINARY, dir, Optional.of(tls));

        RunResult r = run.run(target, 10);

        double expected = settings.expectedRate(10);   // 15 msg/s
        assertThat(r.target()).isEqualTo("mosquitto-tls");
        assertThat(r.link()).as("what the probe negotiated").startsWith("TLSv1.").contains("ECDSA P-256");
        assertThat(r.connected()).as("stations connected over TLS").isEqualTo(10);
        assertThat(r.failed()).isZero();
        assertThat(r.lost()).isZero();
        assertThat(r.reconnect().connected()).as("all reconnected over TLS").isEqualTo(10);
        assertThat(r.connect().seconds()).isPositive();
        assertThat(r.connect().retries()).as("every handshake succeeded at the first attempt").isZero();
        assertThat(r.connect().serverCpuSeconds()).isGreaterThanOrEqualTo(0);
        assertThat(r.sentPerSecond()).as("sent msg/s").isCloseTo(expected, within(expected * 0.2));
        assertThat(r.processedInWindow()).as("received over TLS vs sent in the window")
                .isCloseTo(r.sentInWindow(), within(Math.max(3, r.sentInWindow() * 0.05)));
        assertThat(target.malformed()).isZero();
        assertThat(progress).anyMatch(s -> s.contains("TLS: TLSv1."));
    }

    @Test
    void tlsListenerRefusesPlaintextAndAStationTrustingAnotherCa(Vertx vertx, @TempDir Path dir) throws Exception {
        BenchTls tls = BenchTls.create(dir.resolve("tls"), BenchTls.KeyType.EC);
        BenchTls other = BenchTls.create(dir.resolve("other"), BenchTls.KeyType.EC);
        try (MosquittoTarget target = new MosquittoTarget(vertx, MosquittoTarget.DEFAULT_BINARY, dir,
                Optional.of(tls))) {
            target.prepare(1, s -> { });
            int port = target.mqttPort();

            assertThatThrownBy(() -> connect(vertx, new MqttClientOptions(), port)).as("plaintext client")
                    .hasMessageContaining("Closed");
            assertThatThrownBy(() -> connect(vertx, other.applyTo(new MqttClientOptions()), port))
                    .as("client trusting another CA").hasCauseInstanceOf(SSLHandshakeException.class)
                    .hasStackTraceContaining("PKIX path validation failed");
            connect(vertx, tls.applyTo(new MqttClientOptions()), port);
            target.requireAlive();
        }
    }

    private static void connect(Vertx vertx, MqttClientOptions options, int port) throws Exception {
        options.setClientId("probe-" + System.nanoTime()).setConnectTimeout(5000);
        MqttClient c = MqttClient.create(vertx, options);
        FleetRun.await(c.connect(port, "127.0.0.1").timeout(10, TimeUnit.SECONDS), Duration.ofSeconds(15));
        FleetRun.await(c.disconnect(), Duration.ofSeconds(5));
    }
}
