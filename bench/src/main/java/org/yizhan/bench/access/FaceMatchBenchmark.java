package org.yizhan.bench.access;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.yizhan.agent.face.FaceMatcher;

import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * 1:N face matching on the station: one probe embedding against {@code templates} enrolled 512-d templates
 * with the agent's {@link FaceMatcher} (cosine similarity over L2-normalised vectors, best match above the
 * threshold). The probe is an enrolled member's template with noise, so the search finds a match; the
 * whole array is scanned either way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FaceMatchBenchmark {

    static final int DIMENSION = 512;

    @Param("10000")
    public int templates;

    private FaceMatcher matcher;
    private float[] probe;

    @Setup
    public void setUp() {
        Random rnd = new Random(1);
        matcher = new FaceMatcher(DIMENSION, 0.6f);
        float[] chosen = null;
        for (int i = 0; i < templates; i++) {
            float[] t = new float[DIMENSION];
            for (int j = 0; j < DIMENSION; j++) {
                t[j] = (float) rnd.nextGaussian();
            }
            if (i == templates / 3) {
                chosen = t;
            }
            matcher.add(String.format("m-%016d", i), t);
        }
        probe = new float[DIMENSION];
        for (int j = 0; j < DIMENSION; j++) {
            probe[j] = chosen[j] + 0.4f * (float) rnd.nextGaussian();
        }
        if (matcher.match(probe).isEmpty()) {
            throw new IllegalStateException("the probe does not match its member");
        }
    }

    @Benchmark
    public Optional<FaceMatcher.Match> match1toN() {
        return matcher.match(probe);
    }
}
