package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BucketHistogramTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void quantileInterpolatesInsideItsBucketAsHistogramQuantileDoes() {
        BucketHistogram h = new BucketHistogram(new double[] {1, 2, 4, INF}, new long[] {10, 30, 40, 40});

        assertThat(h.quantile(0.10).orElseThrow()).as("rank 4 of 10 in (0,1]").isCloseTo(0.4, within(1e-12));
        assertThat(h.quantile(0.50).orElseThrow()).as("rank 20: 10 of 20 in (1,2]").isCloseTo(1.5, within(1e-12));
        assertThat(h.quantile(0.95).orElseThrow()).as("rank 38: 8 of 10 in (2,4]").isCloseTo(3.6, within(1e-12));
    }

    @Test
    void quantileFallingInTheInfBucketGivesTheHighestFiniteBound() {
        BucketHistogram h = new BucketHistogram(new double[] {0.5, 1, INF}, new long[] {1, 2, 10});

        assertThat(h.quantile(0.99).orElseThrow()).isEqualTo(1.0);
    }

    @Test
    void emptyHistogramHasNoQuantile() {
        assertThat(BucketHistogram.empty(new double[] {1, INF}).quantile(0.5)).isEmpty();
    }

    @Test
    void minusLeavesOnlyTheObservationsOfTheWindow() {
        BucketHistogram before = new BucketHistogram(new double[] {1, 2, INF}, new long[] {5, 5, 5});
        BucketHistogram after = new BucketHistogram(new double[] {1, 2, INF}, new long[] {5, 15, 17});

        BucketHistogram window = after.minus(before);

        assertThat(window.cumulativeCounts()).containsExactly(0, 10, 12);
        assertThat(window.quantile(0.5).orElseThrow()).as("rank 6 of 10 in (1,2]").isCloseTo(1.6, within(1e-12));
    }

    @Test
    void plusAddsTwoServersBucketByBucketSoTheirWindowQuantilesAreOfAllMessages() {
        BucketHistogram hub1 = new BucketHistogram(new double[] {1, 2, INF}, new long[] {10, 10, 10});
        BucketHistogram hub2 = new BucketHistogram(new double[] {1, 2, INF}, new long[] {0, 10, 12});

        BucketHistogram both = hub1.plus(hub2);

        assertThat(both.cumulativeCounts()).containsExactly(10, 20, 22);
        assertThat(both.count()).isEqualTo(hub1.count() + hub2.count());
        assertThat(both.quantile(0.5).orElseThrow()).as("rank 11: 1 of 10 in (1,2]").isCloseTo(1.1, within(1e-12));
        assertThat(both.minus(hub1)).isEqualTo(hub2);
        assertThat(hub1.plus(BucketHistogram.empty(new double[] {1, 2, INF}))).isEqualTo(hub1);
        assertThatThrownBy(() -> hub1.plus(BucketHistogram.empty(new double[] {1, INF})))
                .hasMessageContaining("different buckets");
    }

    @Test
    void refusesMismatchedOrMalformedBuckets() {
        BucketHistogram a = BucketHistogram.empty(new double[] {1, INF});
        BucketHistogram b = BucketHistogram.empty(new double[] {2, INF});

        assertThatThrownBy(() -> a.minus(b)).hasMessageContaining("different buckets");
        assertThatThrownBy(() -> new BucketHistogram(new double[] {1, 2}, new long[] {0, 0}))
                .hasMessageContaining("+Inf");
        assertThatThrownBy(() -> new BucketHistogram(new double[] {2, 1, INF}, new long[] {0, 0, 0}))
                .hasMessageContaining("ascending at index 1");
        assertThatThrownBy(() -> a.quantile(1.0)).hasMessageContaining("q must be");
    }

    @Test
    void latencyRecorderQuantilesAreWithinItsFivePercentBuckets() {
        LatencyRecorder r = new LatencyRecorder();
        for (int i = 1; i <= 1000; i++) {
            r.recordNanos(i * 1_000L);   // 1 µs .. 1 ms, uniform
        }
        r.recordNanos(-5);   // a clock step counts as zero

        BucketHistogram h = r.snapshot();

        assertThat(h.count()).isEqualTo(1001);
        assertThat(h.quantile(0.50).orElseThrow()).isCloseTo(500e-6, within(500e-6 * 0.06));
        assertThat(h.quantile(0.99).orElseThrow()).isCloseTo(990e-6, within(990e-6 * 0.06));
    }
}
