package org.yizhan.bench.fleet;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The generator against the hub in broker mode as {@code deploy/cluster/cluster.sh} deploys it, with two replicas:
 * the stations provisioned through HAProxy connect to Mosquitto, the replicas between them handle what was sent,
 * every part is measured, and everything the script started is stopped at the end.
 */
@ExtendWith(VertxExtension.class)
class FleetRunReplicaIT {

    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("deploy/cluster/cluster.sh");
    private static final Path JAR = Path.of("").toAbsolutePath().getParent()
            .resolve("hub-server/target/yizhan-hub.jar");
    // under target/, not a private temp folder: when run as root, PostgreSQL's own user must reach its data
    private static final Path DIR = Path.of("target", "fleet-replica-it").toAbsolutePath();

    @BeforeAll
    static void needsTheClustersPrograms() {
        for (String exe : List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto_ctrl",
                "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so", "/usr/lib/postgresql/15/bin/initdb",
                "/usr/lib/postgresql/15/bin/pg_ctl", "/usr/sbin/haproxy", "/usr/bin/openssl", "/usr/bin/curl")) {
            assumeTrue(Files.exists(Path.of(exe)), "the local cluster needs " + exe
                    + " (Debian's mosquitto, mosquitto-clients, postgresql, haproxy, openssl, curl; .ci/run installs them)");
        }
        assertThat(JAR).as("the hub jar: build through 'package' first").isRegularFile();
    }

    @Test
    void twoReplicasBehindMosquittoHandleWhatTheFleetSentAndEveryPartIsMeasured(Vertx vertx) throws Exception {
        FleetSettings settings = new FleetSettings(1, 2, 200, 30, 3);
        List<String> progress = new CopyOnWriteArrayList<>();
        FleetRun run = new FleetRun(vertx, settings, Duration.ofSeconds(5), Duration.ofSeconds(5), progress::add);
        ReplicaTarget target = new ReplicaTarget(SCRIPT, JAR, DIR, 2, List.of("-Xmx256m"));

        RunResult r = run.run(target, 20);

        assertThat(r.target()).isEqualTo("hub-broker-2");
        assertThat(r.connected()).as("stations connected to the broker").isEqualTo(20);
        assertThat(r.failed()).isZero();
        assertThat(r.lost()).isZero();
        assertThat(r.reconnect().connected()).as("all reconnected after the window").isEqualTo(20);
        // the window's edges cut messages in flight between station, broker and replica: a few, not a share
        assertThat(r.sentInWindow()).as("sent in the 5 s window at 30 msg/s").isGreaterThan(100);
        assertThat(r.processedInWindow()).as("handled by the two replicas vs sent in the window")
                .isCloseTo(r.sentInWindow(), within(Math.max(10, r.sentInWindow() * 0.1)));
        assertThat(r.latencySeconds().count()).as("latency samples of both replicas").isPositive();
        assertThat(r.parts()).extracting(RunResult.PartResult::name)
                .containsExactly("mosquitto", "hub-1", "hub-2", "questdb", "postgres");
        assertThat(r.parts()).allSatisfy(p -> {
            if (p.name().equals("postgres")) {
                // telemetry needs no registry write: in a 5 s window PostgreSQL may stay below one clock tick
                // (10 ms) of CPU, as one CI run saw; it is measured, not required to work
                assertThat(p.cpuSeconds()).as(p.name() + " CPU in the window").isNotNegative();
            } else {
                // the broker relays, each replica handles, QuestDB stores every message of the window
                assertThat(p.cpuSeconds()).as(p.name() + " CPU in the window").isPositive();
            }
            assertThat(p.vmRssKb()).as(p.name() + " resident memory").isPositive();
        });
        RunResult.PartResult broker = r.parts().get(0);
        assertThat(broker.sockets()).as("the broker holds the stations' connections").isGreaterThanOrEqualTo(20);
        assertThat(r.serverCpuSeconds()).as("the whole deployment is the sum of its parts")
                .isCloseTo(r.parts().stream().mapToDouble(RunResult.PartResult::cpuSeconds).sum(), within(1e-9));
        assertThat(ResultTable.markdown(List.of(r))).contains("Parts of hub-broker-2 at 20 stations")
                .contains("| hub-broker-2 | 20 | 20 |");
        assertThat(progress).anyMatch(s -> s.contains("cluster is up"));
        try (Stream<Path> left = Files.list(DIR.resolve("hub-broker-2-20").resolve("pids"))) {
            assertThat(left).as("cluster.sh stop stopped every part (it removes a part's pid file once stopped)")
                    .isEmpty();
        }
    }
}
