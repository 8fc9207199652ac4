package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The connect-phase arithmetic and the TLS-against-plaintext table, on figures worked out by hand. */
class ResultTableTest {

    private static final BucketHistogram NO_LATENCY = BucketHistogram.empty(new double[] {Double.POSITIVE_INFINITY});

    /**
     * 1000 stations connected in 5 s with 3.0 s of server CPU; idle 10 % of a core (0.5 s over the phase); 200
     * messages sent meanwhile at the window's 500 µs/msg above idle (0.1 s): 2.4 s ÷ 1000 = 2.4 ms per connect.
     */
    @Test
    void connectCostIsThePhaseCpuAboveIdleLessTheMessagesPerStation() {
        ConnectPhase phase = new ConnectPhase(1000, 5.0, 3.0, 1.0, 200, 0);

        assertThat(phase.connectsPerSecond()).isEqualTo(200.0);
        assertThat(phase.cpuMillisPerConnect(10, 500)).isCloseTo(2.4, within(1e-9));
        assertThat(phase.cpuMillisPerConnect(10, Double.NaN)).as("messages not valued").isCloseTo(2.5, within(1e-9));
        assertThat(phase.cpuMillisPerConnect(100, 500)).as("never negative").isZero();
        assertThat(phase.cpuMillisPerConnectWithoutJit(10, 500)).as("less 1.0 s of JIT").isCloseTo(1.4, within(1e-9));
        assertThat(ConnectPhase.NONE.cpuMillisPerConnect(0, 1)).isNaN();
        assertThat(ConnectPhase.NONE.cpuMillisPerConnectWithoutJit(0, 1)).isNaN();
        assertThat(ConnectPhase.NONE.connectsPerSecond()).isNaN();
    }

    @Test
    void tlsTableComparesEachServerWithItselfInPlaintext() {
        // hub: window 10 s, 1000 messages; 2.0 s CPU plain, 3.0 s TLS; idle 0 → 2000 and 3000 µs/msg
        RunResult hub = result("hub", 2.0, 0, new ConnectPhase(100, 1, 0.5, 0, 0, 0),
                new ConnectPhase(100, 1, 0.3, 0.1, 0, 0));
        RunResult hubTls = result("hub-tls", 3.0, 0, new ConnectPhase(100, 2, 1.5, 0, 0, 3),
                new ConnectPhase(100, 1, 0.8, 0.2, 0, 0));
        RunResult mosquitto = result("mosquitto", 0.5, 0, new ConnectPhase(100, 1, 0.1, 0, 0, 0),
                new ConnectPhase(100, 1, 0.1, 0, 0, 0));
        RunResult mosquittoTls = result("mosquitto-tls", 1.0, 0, new ConnectPhase(100, 1, 0.2, 0, 0, 0),
                new ConnectPhase(100, 1, 0.25, 0, 0, 0));

        String md = ResultTable.markdown(List.of(hub, hubTls, mosquitto, mosquittoTls));

        // cold: 5.00 vs 15.00 ms per connect, reconnect: 3.00 vs 8.00, less JIT 2.00 vs 6.00; 100 and 50 connects/s
        assertThat(md).contains("| hub | 100 | 2000.0 | 3000.0 | 1.50 | 1.50 | 5.00 | 15.00 | 10.00 | 3.00 | 8.00 "
                + "| 5.00 | 2.00 | 6.00 | 4.00 | 100.0 | 50.0 |");
        assertThat(md).contains("| mosquitto | 100 | 500.0 | 1000.0 | 2.00 | 2.00 | 1.00 | 2.00 | 1.00 | 1.00 "
                + "| 2.50 | 1.50 | 1.00 | 2.50 | 1.50 | 100.0 | 100.0 |");
        assertThat(md).contains("| 100 | plain | 2000.0 | 500.0 | 4.00 | 4.00 |");
        assertThat(md).contains("| 100 | TLS | 3000.0 | 1000.0 | 3.00 | 3.00 |");
        assertThat(md).contains("- hub-tls: TLSv1.3 test").contains("- hub: plain TCP");
        assertThat(md).as("retried connects are shown beside the connect time")
                .contains("| 2.0 (3 retries) | 50.0 | 15.00 | 100.0 | 8.00 | 6.00 |")
                .contains("| 1.0 | 100.0 | 5.00 | 100.0 | 3.00 | 2.00 |");
    }

    @Test
    void ratiosOfCpuFiguresBelowTheClockResolutionAreNotShown() {
        RunResult busy = result("hub", 2.0, 0, ConnectPhase.NONE, ConnectPhase.NONE);
        RunResult quiet = result("mosquitto", 0.05, 0, ConnectPhase.NONE, ConnectPhase.NONE);
        RunResult idleEatsIt = result("mosquitto", 0.5, 4.5, ConnectPhase.NONE, ConnectPhase.NONE);

        assertThat(ResultTable.cpuRatio(busy, quiet, false)).isEqualTo("n/a");
        assertThat(ResultTable.cpuRatio(busy, idleEatsIt, false)).isEqualTo("4.00");
        assertThat(ResultTable.cpuRatio(busy, idleEatsIt, true)).as("0.05 s above idle").isEqualTo("n/a");
        assertThat(ResultTable.markdown(List.of(busy))).doesNotContain("TLS against plaintext");
    }

    /**
     * 1000 messages in a 10 s window. Mosquitto alone: 0.5 s → 500 µs/msg; the one-process hub 2.0 s → 2000.
     * hub-broker-2: broker 1.0 s (1000 µs/msg, ×2.00), hubs 0.6 + 0.4 s (1000, ×2.00), QuestDB 0.3 s, PostgreSQL
     * 0.2 s: 2.5 s in all (2500 µs/msg, ×5.00 Mosquitto alone, ×1.25 the hub). hub-broker-1: broker 0.8 s,
     * hub 0.05 s (below the clock's resolution: no ratio), 1.2 s in all.
     */
    @Test
    void brokerModeIsShownPartByPartAndAgainstMosquittoAloneAndTheOneProcessHub() {
        RunResult mosquitto = result("mosquitto", 0.5, 0, ConnectPhase.NONE, ConnectPhase.NONE);
        RunResult hub = result("hub", 2.0, 0, ConnectPhase.NONE, ConnectPhase.NONE);
        RunResult two = replicas("hub-broker-2", List.of(new RunResult.PartResult("mosquitto", 1.0, 10 * 1024, 1006),
                new RunResult.PartResult("hub-1", 0.6, 300 * 1024, 25),
                new RunResult.PartResult("hub-2", 0.4, 280 * 1024, 24),
                new RunResult.PartResult("questdb", 0.3, 400 * 1024, 6),
                new RunResult.PartResult("postgres", 0.2, 100 * 1024, 31)));
        RunResult one = replicas("hub-broker-1", List.of(new RunResult.PartResult("mosquitto", 0.8, 10 * 1024, 1004),
                new RunResult.PartResult("hub-1", 0.05, 300 * 1024, 25),
                new RunResult.PartResult("questdb", 0.3, 400 * 1024, 6),
                new RunResult.PartResult("postgres", 0.05, 100 * 1024, 21)));

        String md = ResultTable.markdown(List.of(hub, mosquitto, one, two));

        assertThat(md).contains("Parts of hub-broker-2 at 100 stations (CPU over the 10.0 s window ÷ the 1000 "
                + "messages processed");
        assertThat(md).contains("| mosquitto | 1000.0 | 10.0 | 10.0 | 1006 |")
                .contains("| hub-1 | 600.0 | 6.0 | 300.0 | 25 |")
                .contains("| hub-2 | 400.0 | 4.0 | 280.0 | 24 |")
                .contains("| postgres | 200.0 | 2.0 | 100.0 | 31 |")
                .contains("| all | 2500.0 | 25.0 | 1090.0 | 1092 |");
        assertThat(md).contains("| 100 | hub-broker-2 | 500.0 | 1000.0 | 2.00 | 1000.0 | 2.00 | 2500.0 | 5.00 | 2000.0 "
                + "| 1.25 |");
        assertThat(md).contains("| 100 | hub-broker-1 | 500.0 | 800.0 | 1.60 | 50.0 | n/a | 1200.0 | 2.40 | 2000.0 "
                + "| 0.60 |");
        assertThat(md).as("one-process targets keep their output").contains("| 100 | plain | 2000.0 | 500.0 | 4.00 |")
                .doesNotContain("Parts of hub at").doesNotContain("Parts of mosquitto at");
        assertThat(ResultTable.markdown(List.of(hub, mosquitto))).doesNotContain("Parts of")
                .doesNotContain("Broker mode");
        assertThat(ResultTable.brokerMode(List.of(two), List.of(100))).as("without Mosquitto alone or the hub")
                .contains("| 100 | hub-broker-2 | n/a | 1000.0 | n/a | 1000.0 | n/a | 2500.0 | n/a | n/a | n/a |");
    }

    @Test
    void partsAreTheWindowsDifferencesMatchedByName() {
        BucketHistogram none = NO_LATENCY;
        Target.Snapshot before = new Target.Snapshot(0, 0, none, new ProcStats(30, 0, 0, 0),
                List.of(new Target.Part("mosquitto", new ProcStats(10, 0, 900, 900), 5),
                        new Target.Part("hub-1", new ProcStats(20, 0, 1000, 1000), 7)));
        Target.Snapshot after = new Target.Snapshot(10, 0, none, new ProcStats(80, 0, 0, 0),
                List.of(new Target.Part("mosquitto", new ProcStats(35, 0, 1024, 1024), 105),
                        new Target.Part("hub-1", new ProcStats(45, 0, 2048, 2048), 8),
                        new Target.Part("postgres", new ProcStats(4, 0, 512, 512), 3)));

        assertThat(FleetRun.partsOver(before, after, 100)).containsExactly(
                new RunResult.PartResult("mosquitto", 0.25, 1024, 105),
                new RunResult.PartResult("hub-1", 0.25, 2048, 8),
                new RunResult.PartResult("postgres", 0.04, 512, 3));
        assertThat(new Target.Snapshot(0, 0, none, new ProcStats(1, 0, 0, 0)).parts()).isEmpty();
    }

    private static RunResult replicas(String target, List<RunResult.PartResult> parts) {
        double cpu = parts.stream().mapToDouble(RunResult.PartResult::cpuSeconds).sum();
        long rss = parts.stream().mapToLong(RunResult.PartResult::vmRssKb).sum();
        return new RunResult(target, 100, 100, 0, 0, 10.0, 1000, 1000, NO_LATENCY, cpu, rss, rss, 0, "test",
                "plain TCP", ConnectPhase.NONE, ConnectPhase.NONE, parts);
    }

    private static RunResult result(String target, double cpuSeconds, double idlePercent, ConnectPhase connect,
                                    ConnectPhase reconnect) {
        return new RunResult(target, 100, 100, 0, 0, 10.0, 1000, 1000, NO_LATENCY, cpuSeconds, 1024, 2048,
                idlePercent, "test", target.endsWith("-tls") ? "TLSv1.3 test" : "plain TCP", connect, reconnect);
    }
}
