package org.yizhan.bench.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a process from Linux {@code /proc}: {@code utime + stime} (fields 14 and 15 of
 * {@code /proc/<pid>/stat}, in clock ticks, summed over all threads), the part of it spent by the JVM's JIT
 * compiler threads ({@code C1 CompilerThread*}, {@code C2 CompilerThread*} in {@code /proc/<pid>/task/*}; 0 for
 * a process without them, and only counting compiler threads alive at the moment) and {@code VmRSS}/{@code VmHWM}
 * of {@code /proc/<pid>/status}.
 */
public record ProcStats(long cpuTicks, long compilerTicks, long vmRssKb, long vmHwmKb) {

    static final Path PROC = Path.of("/proc");

    public static ProcStats read(long pid) throws IOException {
        return read(PROC, pid, false);
    }

    /**
     * One process under {@code proc} (a {@code /proc}-like directory); with {@code withWaitedChildren} its CPU
     * includes {@code cutime + cstime} (fields 16 and 17): the CPU of its children that ended and were waited for,
     * so that in a sum over a process tree the work of a process that ended stays counted in its parent.
     */
    static ProcStats read(Path proc, long pid, boolean withWaitedChildren) throws IOException {
        Path dir = proc.resolve(Long.toString(pid));
        String stat = Files.readString(dir.resolve("stat"));
        String status = Files.readString(dir.resolve("status"));
        long cpu = withWaitedChildren ? cpuTicksWithWaitedChildrenOf(stat) : cpuTicksOf(stat);
        return new ProcStats(cpu, compilerTicks(dir), kbOf(status, "VmRSS"), kbOf(status, "VmHWM"));
    }

    /** The figures of two processes added up (a part made of several processes, or several parts). */
    public ProcStats plus(ProcStats other) {
        return new ProcStats(cpuTicks + other.cpuTicks, compilerTicks + other.compilerTicks, vmRssKb + other.vmRssKb,
                vmHwmKb + other.vmHwmKb);
    }

    /** CPU ticks of the JIT compiler threads of the process; threads that end while being read are skipped. */
    static long compilerTicks(Path processDir) throws IOException {
        long sum = 0;
        Path taskDir = processDir.resolve("task");
        if (!Files.isDirectory(taskDir)) {
            return 0;
        }
        try (var tasks = Files.newDirectoryStream(taskDir)) {
            for (Path task : tasks) {
                try {
                    if (isCompilerThread(Files.readString(task.resolve("comm")).trim())) {
                        sum += cpuTicksOf(Files.readString(task.resolve("stat")));
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return sum;
    }

    /** HotSpot's JIT threads: {@code C1 CompilerThre}, {@code C2 CompilerThre} (names cut to 15 characters). */
    static boolean isCompilerThread(String comm) {
        return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
    }

    /** utime + stime from the text of {@code /proc/<pid>/stat}; the command name may contain spaces. */
    static long cpuTicksOf(String stat) {
        String[] f = fieldsAfterName(stat);
        // after ")": f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) is f[12]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** utime + stime + cutime + cstime (fields 14 to 17) from the text of {@code /proc/<pid>/stat}. */
    static long cpuTicksWithWaitedChildrenOf(String stat) {
        String[] f = fieldsAfterName(stat);
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /** The parent's pid (field 4) from the text of {@code /proc/<pid>/stat}. */
    static long parentOf(String stat) {
        return Long.parseLong(fieldsAfterName(stat)[1]);
    }

    /** The fields of a {@code /proc/<pid>/stat} line from field 3 (state) on: after the command name's ")". */
    private static String[] fieldsAfterName(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line");
        }
        return stat.substring(close + 2).trim().split("\\s+");
    }

    /** A {@code Name:   1234 kB} line of {@code /proc/<pid>/status}; 0 when absent (a zombie). */
    static long kbOf(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String v = line.substring(name.length() + 1).trim();
                int sp = v.indexOf(' ');
                return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
            }
        }
        return 0;
    }

    /** Clock ticks per second ({@code getconf CLK_TCK}); 100 on Linux when getconf cannot be run. */
    public static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the Linux default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    /** The soft limit on open files of this process, from {@code /proc/self/limits}; -1 if unknown. */
    public static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
