package org.yizhan.bench.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a process from Linux {@code /proc}: {@code utime + stime} (fields 14 and 15 of
 * {@code /proc/<pid>/stat}, in clock ticks, summed over all threads) and {@code VmRSS}/{@code VmHWM} of
 * {@code /proc/<pid>/status}.
 */
public record ProcStats(long cpuTicks, long vmRssKb, long vmHwmKb) {

    public static ProcStats read(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        return new ProcStats(cpuTicksOf(stat), kbOf(status, "VmRSS"), kbOf(status, "VmHWM"));
    }

    /** utime + stime from the text of {@code /proc/<pid>/stat}; the command name may contain spaces. */
    static long cpuTicksOf(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line");
        }
        String[] f = stat.substring(close + 2).trim().split("\\s+");
        // after ")": f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) is f[12]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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
