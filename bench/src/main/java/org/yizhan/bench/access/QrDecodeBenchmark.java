package org.yizhan.bench.access;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.yizhan.agent.camera.LumaFrame;
import org.yizhan.agent.camera.QrDecoder;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How long the door camera's decoder takes for one 1280×720 frame: with a rider pass in it (the decode a rider
 * waits for) and without one (what every idle frame costs). The decoder is the agent's {@link QrDecoder} with
 * the settings the camera path uses ({@code new QrDecoder()}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class QrDecodeBenchmark {

    private final QrDecoder decoder = new QrDecoder();
    private LumaFrame withPass;
    private LumaFrame empty;
    private String expected;

    @Setup
    public void setUp() throws Exception {
        PassFrames frames = new PassFrames(42);
        expected = new Passes().fresh();
        withPass = frames.frame(expected);
        empty = frames.background();
        Optional<String> text = decoder.decode(withPass, false);
        if (!text.equals(Optional.of(expected))) {
            throw new IllegalStateException("the benchmark frame does not decode to its pass: " + text);
        }
        if (decoder.decode(empty).isPresent()) {
            throw new IllegalStateException("the empty frame decodes to something");
        }
    }

    @Benchmark
    public Optional<String> decodeFrameWithPass() {
        return decoder.decode(withPass, false);
    }

    @Benchmark
    public Optional<String> decodeFrameWithoutPass() {
        return decoder.decode(empty, false);
    }
}
