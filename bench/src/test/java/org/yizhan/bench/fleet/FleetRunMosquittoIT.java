package org.yizhan.bench.fleet;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The generator against a real Mosquitto on loopback: what the stations send is what the subscriber counts. */
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
    }
}
