package org.yizhan.bench.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A soak's samples of the server through the measured window ({@code --sample}): resident memory, open files and
 * throughput, so that "memory and open files stay flat" is shown by numbers. Flatness compares the mean of the
 * window's last quarter with its second quarter (the first is left to the JIT and the heap's growth to its working
 * size).
 */
final class SoakSamples {

    record Sample(double seconds, long rssKb, long openFiles, double processedPerSecond, double sentPerSecond) {
    }

    private final List<Sample> samples = new ArrayList<>();

    void add(Sample s) {
        samples.add(s);
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** {@code seconds,rss_kb,open_files,processed_per_s,sent_per_s}, one line per sample. */
    void writeCsv(Path file) throws IOException {
        StringBuilder b = new StringBuilder("seconds,rss_kb,open_files,processed_per_s,sent_per_s\n");
        for (Sample s : samples) {
            b.append(String.format(Locale.ROOT, "%.0f,%d,%d,%.1f,%.1f%n", s.seconds(), s.rssKb(), s.openFiles(),
                    s.processedPerSecond(), s.sentPerSecond()));
        }
        Files.writeString(file, b);
    }

    /** The change of the last quarter's mean resident memory against the second quarter's, in percent. */
    double rssChangePercent() {
        double second = meanRss(1);
        return second == 0 ? 0 : (meanRss(3) - second) * 100 / second;
    }

    /** The change of the last quarter's highest open-file count against the second quarter's highest. */
    long openFilesChange() {
        return maxOpenFiles(3) - maxOpenFiles(1);
    }

    String summary() {
        if (samples.size() < 4) {
            return samples.size() + " samples: too few to judge (give a window of at least four samples)";
        }
        long minRss = samples.stream().mapToLong(Sample::rssKb).min().orElse(0);
        long maxRss = samples.stream().mapToLong(Sample::rssKb).max().orElse(0);
        long minFiles = samples.stream().mapToLong(Sample::openFiles).min().orElse(0);
        long maxFiles = samples.stream().mapToLong(Sample::openFiles).max().orElse(0);
        double minRate = samples.stream().mapToDouble(Sample::processedPerSecond).min().orElse(0);
        double maxRate = samples.stream().mapToDouble(Sample::processedPerSecond).max().orElse(0);
        return String.format(Locale.ROOT, "%d samples over %.0f s: resident %.1f..%.1f MiB, mean of the last quarter "
                        + "%+.1f %% against the second; open files %d..%d, the last quarter's highest %+d against the "
                        + "second's; processed %.1f..%.1f msg/s", samples.size(),
                samples.get(samples.size() - 1).seconds(), minRss / 1024.0, maxRss / 1024.0, rssChangePercent(),
                minFiles, maxFiles, openFilesChange(), minRate, maxRate);
    }

    private List<Sample> quarter(int q) {
        int n = samples.size();
        return samples.subList(q * n / 4, (q + 1) * n / 4);
    }

    private double meanRss(int q) {
        return quarter(q).stream().mapToLong(Sample::rssKb).average().orElse(0);
    }

    private long maxOpenFiles(int q) {
        return quarter(q).stream().mapToLong(Sample::openFiles).max().orElse(0);
    }
}
