package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SoakSamplesTest {

    @Test
    void aFlatRunShowsNoChangeAndAGrowingOneShowsItsGrowth(@TempDir Path dir) throws Exception {
        SoakSamples flat = new SoakSamples();
        SoakSamples growing = new SoakSamples();
        for (int i = 0; i < 40; i++) {
            // the first quarter warms up: not judged
            long warm = i < 10 ? 100_000 + i * 10_000 : 200_000;
            flat.add(new SoakSamples.Sample(i * 60, warm, 1020, 1000, 1000));
            growing.add(new SoakSamples.Sample(i * 60, 200_000 + i * 2_000L, 1020 + i, 1000, 1000));
        }
        assertThat(flat.rssChangePercent()).isCloseTo(0, within(0.01));
        assertThat(flat.openFilesChange()).isZero();
        // second quarter's mean: 200,000 + 14.5 * 2,000; last quarter's: 200,000 + 34.5 * 2,000
        assertThat(growing.rssChangePercent()).isCloseTo(40_000 * 100.0 / 229_000, within(0.01));
        assertThat(growing.openFilesChange()).isEqualTo(20);
        assertThat(growing.summary()).contains("40 samples over 2340 s", "open files 1020..1059", "+20");

        Path csv = dir.resolve("soak.csv");
        flat.writeCsv(csv);
        assertThat(Files.readAllLines(csv)).hasSize(41).first().isEqualTo("seconds,rss_kb,open_files,"
                + "processed_per_s,sent_per_s");
        assertThat(Files.readAllLines(csv).get(40)).isEqualTo("2340,200000,1020,1000.0,1000.0");
    }

    @Test
    void tooFewSamplesAreNotJudged() {
        SoakSamples s = new SoakSamples();
        s.add(new SoakSamples.Sample(0, 1, 1, 1, 1));
        assertThat(s.summary()).contains("too few");
    }
}
