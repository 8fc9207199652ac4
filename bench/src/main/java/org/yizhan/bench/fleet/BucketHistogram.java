package org.yizhan.bench.fleet;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * A cumulative histogram as Prometheus exposes it: ascending upper bounds (the last one {@code +Inf}) and, for
 * each, how many observations were at most that bound. Two snapshots subtract to give the histogram of a window.
 */
public record BucketHistogram(double[] upperBounds, long[] cumulativeCounts) {

    public BucketHistogram {
        if (upperBounds.length == 0 || upperBounds.length != cumulativeCounts.length) {
            throw new IllegalArgumentException("upperBounds and cumulativeCounts must be non-empty and of equal length");
        }
        if (upperBounds[upperBounds.length - 1] != Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("the last upper bound must be +Inf");
        }
        for (int i = 1; i < upperBounds.length; i++) {
            if (!(upperBounds[i] > upperBounds[i - 1])) {
                throw new IllegalArgumentException("upperBounds must be strictly ascending at index " + i);
            }
        }
        upperBounds = upperBounds.clone();
        cumulativeCounts = cumulativeCounts.clone();
    }

    /** A histogram with the given bounds and no observations. */
    public static BucketHistogram empty(double[] upperBounds) {
        return new BucketHistogram(upperBounds, new long[upperBounds.length]);
    }

    public long count() {
        return cumulativeCounts[cumulativeCounts.length - 1];
    }

    /** The observations made after {@code earlier}; both must have the same bounds. */
    public BucketHistogram minus(BucketHistogram earlier) {
        if (!Arrays.equals(upperBounds, earlier.upperBounds)) {
            throw new IllegalArgumentException("histograms have different buckets");
        }
        long[] d = new long[cumulativeCounts.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(0, cumulativeCounts[i] - earlier.cumulativeCounts[i]);
        }
        return new BucketHistogram(upperBounds, d);
    }

    /**
     * The observations of both, bucket by bucket: the histogram of several servers measuring the same thing with
     * the same buckets (hub replicas). Both must have the same bounds.
     */
    public BucketHistogram plus(BucketHistogram other) {
        if (!Arrays.equals(upperBounds, other.upperBounds)) {
            throw new IllegalArgumentException("histograms have different buckets");
        }
        long[] s = new long[cumulativeCounts.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = cumulativeCounts[i] + other.cumulativeCounts[i];
        }
        return new BucketHistogram(upperBounds, s);
    }

    /**
     * The q-quantile (0 &lt; q &lt; 1) estimated as Prometheus' {@code histogram_quantile} does: find the bucket
     * holding rank q × count and interpolate linearly inside it (the first bucket starts at 0). A rank in the
     * {@code +Inf} bucket gives the highest finite bound. Empty when there are no observations.
     */
    public OptionalDouble quantile(double q) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("q must be between 0 and 1, was " + q);
        }
        long total = count();
        if (total == 0) {
            return OptionalDouble.empty();
        }
        double rank = q * total;
        int i = 0;
        while (cumulativeCounts[i] < rank) {
            i++;
        }
        double upper = upperBounds[i];
        double lower = i == 0 ? 0 : upperBounds[i - 1];
        if (upper == Double.POSITIVE_INFINITY) {
            return OptionalDouble.of(lower);
        }
        long below = i == 0 ? 0 : cumulativeCounts[i - 1];
        long inBucket = cumulativeCounts[i] - below;
        return OptionalDouble.of(lower + (upper - lower) * ((rank - below) / inBucket));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BucketHistogram h && Arrays.equals(upperBounds, h.upperBounds)
                && Arrays.equals(cumulativeCounts, h.cumulativeCounts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(upperBounds) + Arrays.hashCode(cumulativeCounts);
    }

    @Override
    public String toString() {
        return "BucketHistogram[count=" + count() + ", buckets=" + upperBounds.length + "]";
    }
}
