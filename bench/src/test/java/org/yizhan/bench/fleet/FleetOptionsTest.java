package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FleetOptionsTest {

    @Test
    void defaultsAreTheContractRatesAndBothFleetSizes() {
        FleetOptions o = FleetOptions.parse();

        assertThat(o.stations()).containsExactly(1000, 5000);
        assertThat(o.windowSeconds()).isEqualTo(60);
        assertThat(o.fleet().heartbeatSeconds()).isEqualTo(10);
        assertThat(o.fleet().telemetrySeconds()).isEqualTo(30);
        assertThat(o.fleet().connectsPerSecond()).isEqualTo(200);
        assertThat(o.targets()).containsExactly("hub", "mosquitto");
        assertThat(o.needsTls()).isFalse();
        assertThat(o.tlsKey()).isEqualTo(BenchTls.KeyType.EC);
        assertThat(o.fleet().expectedRate(1000)).isCloseTo(133.33, org.assertj.core.api.Assertions.within(0.01));
    }

    @Test
    void parsesEveryOptionAndTheQuickMode() {
        FleetOptions o = FleetOptions.parse("--stations", "10,20", "--window", "5", "--warmup", "0", "--heartbeat",
                "2", "--telemetry", "4", "--targets", "mosquitto", "--hub-jar", "/x/hub.jar", "--hub-java-opts",
                "-Xmx256m -XX:+UseSerialGC", "--mosquitto", "/opt/mosquitto", "--out", "/tmp/o", "--connect-rate",
                "50");

        assertThat(o.stations()).containsExactly(10, 20);
        assertThat(o.fleet()).isEqualTo(new FleetSettings(2, 4, 50, 60, 3));
        assertThat(o.targets()).containsExactly("mosquitto");
        assertThat(o.hubJar()).isEqualTo(Path.of("/x/hub.jar"));
        assertThat(o.hubJavaOptions()).isEqualTo(List.of("-Xmx256m", "-XX:+UseSerialGC"));
        assertThat(o.outDir()).isEqualTo(Path.of("/tmp/o"));
        FleetOptions quick = FleetOptions.parse("--quick");
        assertThat(quick.stations()).containsExactly(200);
        assertThat(quick.windowSeconds()).isEqualTo(15);
    }

    @Test
    void hubStoresAreEmbeddedUnlessExternalIsAsked() {
        assertThat(FleetOptions.parse().externalStores()).isFalse();
        assertThat(FleetOptions.parse("--hub-stores", "embedded").externalStores()).isFalse();
        assertThat(FleetOptions.parse("--hub-stores", "external").externalStores()).isTrue();
        assertThatThrownBy(() -> FleetOptions.parse("--hub-stores", "remote"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--hub-stores");
    }

    @Test
    void tlsTargetsStandBesideThePlainOnesInOneRun() {
        FleetOptions o = FleetOptions.parse("--targets", "hub,hub-tls,mosquitto,mosquitto-tls");

        assertThat(o.targets()).containsExactly("hub", "hub-tls", "mosquitto", "mosquitto-tls");
        assertThat(o.needsTls()).isTrue();
        assertThat(o.targets().stream().filter(FleetOptions::isTls)).containsExactly("hub-tls", "mosquitto-tls");
        assertThat(FleetOptions.parse("--targets", "mosquitto-tls").needsTls()).isTrue();
        assertThat(FleetOptions.parse("--targets", "hub-tls", "--tls-key", "RSA").tlsKey())
                .isEqualTo(BenchTls.KeyType.RSA);
        assertThat(FleetOptions.parse("--tls-key", "ec").tlsKey()).isEqualTo(BenchTls.KeyType.EC);
    }

    @Test
    void brokerModeTargetsNameTheirReplicasAndFindTheClusterScript() {
        FleetOptions o = FleetOptions.parse("--targets", "hub,mosquitto,hub-broker-1,hub-broker-2",
                "--cluster-script", "/x/cluster.sh");

        assertThat(o.targets()).containsExactly("hub", "mosquitto", "hub-broker-1", "hub-broker-2");
        assertThat(o.needsTls()).isFalse();
        assertThat(o.clusterScript()).isEqualTo(Path.of("/x/cluster.sh"));
        assertThat(FleetOptions.replicas("hub-broker-1")).isEqualTo(1);
        assertThat(FleetOptions.replicas("hub-broker-2")).isEqualTo(2);
        assertThat(FleetOptions.replicas("hub")).isZero();
        assertThat(FleetOptions.replicas("mosquitto-tls")).isZero();
        assertThat(FleetOptions.parse().clusterScript().toString()).endsWith("deploy/cluster/cluster.sh");
        assertThatThrownBy(() -> FleetOptions.parse("--targets", "hub-broker-3"))
                .hasMessageContaining("--targets").hasMessageContaining("hub-broker-2");
        assertThat(FleetOptions.USAGE).contains("hub-broker-1").contains("--cluster-script");
    }

    @Test
    void aSoakSamplesWithinItsWindow() {
        assertThat(FleetOptions.parse().sampleSeconds()).as("off by default").isZero();
        assertThat(FleetOptions.parse("--window", "3600", "--sample", "30").sampleSeconds()).isEqualTo(30);
        assertThatThrownBy(() -> FleetOptions.parse("--window", "20", "--sample", "30"))
                .hasMessageContaining("--sample: 30 must be 0 (off) to the window (20)");
        assertThatThrownBy(() -> FleetOptions.parse("--sample", "-1")).hasMessageContaining("--sample");
    }

    @Test
    void refusesBadTlsOptions() {
        assertThatThrownBy(() -> FleetOptions.parse("--targets", "hub-ssl"))
                .hasMessageContaining("--targets").hasMessageContaining("hub-tls");
        assertThatThrownBy(() -> FleetOptions.parse("--targets", "hub,hub-tls,hub"))
                .hasMessageContaining("--targets").hasMessageContaining("twice");
        assertThatThrownBy(() -> FleetOptions.parse("--tls-key", "dsa"))
                .hasMessageContaining("--tls-key").hasMessageContaining("ec or rsa");
        assertThatThrownBy(() -> FleetOptions.parse("--tls-key")).hasMessageContaining("--tls-key: needs a value");
        assertThatThrownBy(() -> FleetOptions.parse("--targets", ",")).hasMessageContaining("--targets");
    }

    @Test
    void namesTheBadOption() {
        assertThatThrownBy(() -> FleetOptions.parse("--stations", "ten")).hasMessageContaining("--stations");
        assertThatThrownBy(() -> FleetOptions.parse("--targets", "emqx")).hasMessageContaining("--targets");
        assertThatThrownBy(() -> FleetOptions.parse("--window")).hasMessageContaining("--window: needs a value");
        assertThatThrownBy(() -> FleetOptions.parse("--heartbeat", "0")).hasMessageContaining("heartbeatSeconds");
        assertThatThrownBy(() -> FleetOptions.parse("--bogus", "1")).hasMessageContaining("--bogus: unknown option");
    }
}
