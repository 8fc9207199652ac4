package org.yizhan.bench.fleet;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Records latencies into geometric buckets (5 % apart, 1 µs to about 30 s) that any thread may update;
 * {@link #snapshot()} gives them as a {@link BucketHistogram} in seconds, like the hub's own histogram.
 */
public final class LatencyRecorder {

    private static final double FIRST_BOUND_SECONDS = 1e-6;
    private static final double FACTOR = 1.05;
    private static final double[] BOUNDS = bounds();

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length);

    private static double[] bounds() {
        int finite = (int) Math.ceil(Math.log(30.0 / FIRST_BOUND_SECONDS) / Math.log(FACTOR)) + 1;
        double[] b = new double[finite + 1];
        double v = FIRST_BOUND_SECONDS;
        for (int i = 0; i < finite; i++) {
            b[i] = v;
            v *= FACTOR;
        }
        b[finite] = Double.POSITIVE_INFINITY;
        return b;
    }

    /** Records one latency; negative values (clock steps) count as zero. */
    public void recordNanos(long nanos) {
        double s = Math.max(0, nanos) / 1e9;
        counts.incrementAndGet(bucketOf(s));
    }

    private static int bucketOf(double seconds) {
        if (seconds <= FIRST_BOUND_SECONDS) {
            return 0;
        }
        int i = (int) Math.ceil(Math.log(seconds / FIRST_BOUND_SECONDS) / Math.log(FACTOR));
        i = Math.min(Math.max(i, 0), BOUNDS.length - 1);
        // correct rounding at bucket edges
        while (i > 0 && seconds <= BOUNDS[i - 1]) {
            i--;
        }
        while (i < BOUNDS.length - 1 && seconds > BOUNDS[i]) {
            i++;
        }
        return i;
    }

    public BucketHistogram snapshot() {
        long[] cumulative = new long[BOUNDS.length];
        long sum = 0;
        for (int i = 0; i < BOUNDS.length; i++) {
            sum += counts.get(i);
            cumulative[i] = sum;
        }
        return new BucketHistogram(BOUNDS, cumulative);
    }
}
