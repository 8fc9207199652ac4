package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcStatsTest {

    @Test
    void readsUserPlusSystemTicksEvenWhenTheCommandNameHasSpacesAndParentheses() {
        String stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1234 0 0 0 731 169 0 0 20 0 37 0 "
                + "1000 4000000000 80000 18446744073709551615 1 1 0 0 0 0 0 4096 17610 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcStats.cpuTicksOf(stat)).as("utime 731 + stime 169").isEqualTo(900);
    }

    @Test
    void recognisesHotSpotsCompilerThreadsByTheirCutNames() {
        assertThat(ProcStats.isCompilerThread("C2 CompilerThre")).isTrue();
        assertThat(ProcStats.isCompilerThread("C1 CompilerThre")).isTrue();
        assertThat(ProcStats.isCompilerThread("vert.x-eventloo")).isFalse();
        assertThat(ProcStats.isCompilerThread("mosquitto")).isFalse();
    }

    @Test
    void readsMemoryLinesInKilobytes() {
        String status = "Name:\tjava\nVmHWM:\t  412340 kB\nVmRSS:\t  398000 kB\nThreads:\t37\n";

        assertThat(ProcStats.kbOf(status, "VmRSS")).isEqualTo(398000);
        assertThat(ProcStats.kbOf(status, "VmHWM")).isEqualTo(412340);
        assertThat(ProcStats.kbOf(status, "VmSwap")).isZero();
    }

    @Test
    void readsThisProcessFromProc() throws Exception {
        ProcStats self = ProcStats.read(ProcessHandle.current().pid());

        assertThat(self.vmRssKb()).as("a JVM uses more than 10 MiB").isGreaterThan(10_000);
        assertThat(self.vmHwmKb()).isGreaterThanOrEqualTo(self.vmRssKb());
        assertThat(self.cpuTicks()).isPositive();
        assertThat(self.compilerTicks()).as("this JVM's JIT threads").isBetween(0L, self.cpuTicks());
        assertThat(ProcStats.clockTicksPerSecond()).isPositive();
        assertThat(ProcStats.openFileLimit()).isGreaterThan(0);
    }
}
