package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server made of a process tree (PostgreSQL: a postmaster and its backends) measured whole, on a fake
 * {@code /proc} written by the test, and on this machine's.
 */
class ProcessTreeTest {

    /**
     * 100 (a postmaster: 5 + 2 ticks, 30 + 10 of children it waited for) has children 101 and 102, and 102 has
     * 103; 200 is unrelated and has child 201. 100's tree: (5 + 2 + 30 + 10) + (7 + 3) + (11 + 0) + (1 + 1) = 70
     * ticks, 4 × 1000 kB resident, sockets 2 + 1 + 0 + 1.
     */
    @Test
    void sumsCpuMemoryAndSocketsOverAProcessAndAllItsDescendants(@TempDir Path proc) throws Exception {
        process(proc, 1, 0, 1, 1, 0, 0, 0);
        process(proc, 100, 1, 5, 2, 30, 10, 2);
        process(proc, 101, 100, 7, 3, 0, 0, 1);
        process(proc, 102, 100, 11, 0, 0, 0, 0);
        process(proc, 103, 102, 1, 1, 0, 0, 1);
        process(proc, 200, 1, 50, 50, 0, 0, 3);
        process(proc, 201, 200, 9, 9, 0, 0, 0);
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("uptime"), "1000.00 2000.00\n");

        ProcessTree tree = ProcessTree.scan(proc);

        assertThat(tree.under(100)).containsExactlyInAnyOrder(100L, 101L, 102L, 103L).first().isEqualTo(100L);
        assertThat(tree.under(200)).containsExactlyInAnyOrder(200L, 201L);
        assertThat(tree.under(103)).containsExactly(103L);
        ProcStats stats = tree.stats(100);
        assertThat(stats.cpuTicks()).isEqualTo(70);
        assertThat(stats.vmRssKb()).isEqualTo(4000);
        assertThat(stats.vmHwmKb()).isEqualTo(4 * 1500);
        assertThat(tree.sockets(100)).as("sockets, not the pipe or the file").isEqualTo(4);
        assertThat(tree.sockets(103)).isEqualTo(1);
        assertThat(tree.stats(103).cpuTicks()).isEqualTo(2);
    }

    @Test
    void aChildThatEndedBetweenTheScanAndTheReadIsLeftOutButTheRootMustBeThere(@TempDir Path proc)
            throws Exception {
        process(proc, 100, 1, 5, 5, 0, 0, 0);
        ProcessTree tree = ProcessTree.of(proc, Map.of(100L, 1L, 101L, 100L));

        assertThat(tree.stats(100).cpuTicks()).as("101 has no stat any more").isEqualTo(10);
        assertThat(tree.sockets(100)).isZero();
        assertThatThrownBy(() -> tree.stats(999)).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void readsTheParentAndTheCpuOfWaitedForChildrenFromAStatLine() {
        String stat = "4242 (postgres: yizhan) S 17 4242 4242 0 -1 4194560 1234 0 0 0 731 169 40 2 20 0 1 0 "
                + "1000 4000000000 80000 18446744073709551615 1 1 0 0 0 0 0 4096 17610 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcStats.parentOf(stat)).isEqualTo(17);
        assertThat(ProcStats.cpuTicksOf(stat)).as("utime + stime").isEqualTo(900);
        assertThat(ProcStats.cpuTicksWithWaitedChildrenOf(stat)).as("+ cutime 40 + cstime 2").isEqualTo(942);
    }

    @Test
    void thisJvmIsItsOwnTreeAndHoldsTheSocketItOpens() throws Exception {
        long self = ProcessHandle.current().pid();
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            long earlier = ProcStats.read(self).cpuTicks();
            ProcessTree tree = ProcessTree.scan();

            assertThat(tree.under(self)).contains(self);
            assertThat(tree.stats(self).cpuTicks()).isGreaterThanOrEqualTo(earlier);
            assertThat(tree.sockets(self)).as("at least the listening socket").isPositive();
            assertThat(tree.under(1)).as("init is everyone's ancestor").contains(self);
        }
    }

    /** A fake {@code /proc/<pid>}: stat, status (1000 kB resident, 1500 kB peak) and fd links. */
    private static void process(Path proc, long pid, long parent, long utime, long stime, long cutime, long cstime,
                                int sockets) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (p " + pid + ") S " + parent + " " + pid + " " + pid
                + " 0 -1 4194560 0 0 0 0 " + utime + " " + stime + " " + cutime + " " + cstime
                + " 20 0 1 0 1000 4000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        Files.writeString(dir.resolve("status"), "Name:\tp\nVmHWM:\t    1500 kB\nVmRSS:\t    1000 kB\n");
        Path fd = Files.createDirectories(dir.resolve("fd"));
        Files.createSymbolicLink(fd.resolve("0"), Path.of("/dev/null"));
        Files.createSymbolicLink(fd.resolve("1"), Path.of("pipe:[7]"));
        for (int i = 0; i < sockets; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(10 + i)), Path.of("socket:[" + (1000 + i) + "]"));
        }
    }
}
