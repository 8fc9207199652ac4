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
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;

import java.security.PublicKey;
import java.util.concurrent.TimeUnit;

/**
 * How long the station takes to read a rider pass from its QR text and check its Ed25519 signature with the
 * hub key from its configuration ({@link RiderPass#parse} then {@link RiderPass#verify}), as the door does it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PassVerifyBenchmark {

    private String text;
    private PublicKey key;

    @Setup
    public void setUp() throws Exception {
        Passes passes = new Passes();
        text = passes.fresh();
        // loaded the way the station loads its configured key: from the raw 32 bytes in base64
        key = Ed25519.publicKey(Ed25519.rawBase64(passes.key.getPublic()));
        if (!parseAndVerify()) {
            throw new IllegalStateException("the benchmark pass does not verify");
        }
    }

    @Benchmark
    public boolean parseAndVerify() {
        return RiderPass.parse(text).map(p -> p.verify(key)).orElse(false);
    }

    @Benchmark
    public boolean parseOnly() {
        return RiderPass.parse(text).isPresent();
    }
}
