package org.yizhan.bench.access;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.Ed25519;
import org.yizhan.agent.camera.CameraScanner;
import org.yizhan.agent.camera.LumaFrame;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.door.DoorController;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.simulated.SimulatedHardware;
import org.yizhan.agent.pass.AccessControl;
import org.yizhan.agent.pass.AccessStore;
import org.yizhan.bench.MockPi4j;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The whole door decision, from a camera frame to the energised strike relay, wired as the agent wires it:
 * the frame is offered to the agent's {@link CameraScanner} (decode with {@link QrDecoder} on a worker), which
 * presents the text to {@link AccessControl} (parse, Ed25519 check on a worker, clock window, revocation list,
 * durable replay guard in the SQLite access store with synchronous=FULL, room and hours), whose grant makes
 * {@link DoorController} set the door relay through {@link Gpio} on the Pi4J mock platform. One invocation is
 * one new member's pass in a new 1280×720 frame (drawn before the invocation, not timed) and ends when the
 * relay is set. Events go to a counting sink here (the agent's outbox write does not delay the relay).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dorg.slf4j.simpleLogger.log.org.yizhan.bench=info"})
public class DoorPathBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(DoorPathBenchmark.class);

    private Vertx vertx;
    private Path dir;
    private com.pi4j.context.Context pi4j;
    private SimulatedHardware hardware;
    private Gpio gpio;
    private AccessStore store;
    private DoorController door;
    private AccessControl access;
    private CameraScanner scanner;
    private Passes passes;
    private PassFrames frames;
    private final byte[] luma = new byte[PassFrames.WIDTH * PassFrames.HEIGHT];
    private LumaFrame frame;
    private final AtomicReference<CompletableFuture<Void>> relaySet = new AtomicReference<>();
    private final AtomicLong events = new AtomicLong();
    private final QrDecoder checker = new QrDecoder();
    private long redrawn;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        vertx = Vertx.vertx();
        dir = Files.createTempDirectory("yizhan-bench-door");
        passes = new Passes();
        frames = new PassFrames(42);
        frame = new LumaFrame(luma, PassFrames.WIDTH, PassFrames.HEIGHT);
        StationConfig config = StationConfig.defaults("bench-door", "Bench door", "http://127.0.0.1:9",
                        new StationConfig.Mqtt("127.0.0.1", 9, false, "bench-door", "unused", 30),
                        "simulated", 0, 20, 10, 30)
                .withAccess(StationConfig.Access.DEFAULTS.withHubKeys(List.of(
                        new StationConfig.HubKey(Passes.KID, Ed25519.rawBase64(passes.key.getPublic())))));
        Context ctx = vertx.getOrCreateContext();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            gpio = new Gpio(vertx, "bench-door");
            pi4j = MockPi4j.context();
            gpio.call(() -> new SimulatedHardware(pi4j, HardwareProfile.load("simulated"), config)).compose(h -> {
                hardware = h;
                store = new AccessStore(vertx, dir.resolve("access.db"));
                return store.open();
            }).compose(x -> {
                door = new DoorController(vertx, gpio, hardware.doorRelay(), hardware.doorContact(),
                        hardware.exitButton(), config.door(), (type, data) -> events.incrementAndGet(), () -> { });
                access = new AccessControl(vertx, store, config.access(),
                        (type, data) -> events.incrementAndGet(), () -> false, this::release, Clock.systemUTC());
                scanner = new CameraScanner(vertx, new QrDecoder(), access, CameraScanner.DEFAULT_HELD_MILLIS,
                        System::currentTimeMillis);
                return door.start().compose(y -> access.start());
            }).onComplete(ar -> {
                if (ar.succeeded()) {
                    ready.complete(null);
                } else {
                    ready.completeExceptionally(ar.cause());
                }
            });
        });
        ready.get(30, TimeUnit.SECONDS);
    }

    private Future<Void> release(String method) {
        return door.unlock(door.defaultUnlockSeconds(), method).onComplete(ar -> {
            CompletableFuture<Void> waiting = relaySet.getAndSet(null);
            if (waiting == null) {
                return;
            }
            if (ar.succeeded() && hardware.doorRelay().isClosed()) {
                waiting.complete(null);
            } else {
                waiting.completeExceptionally(new IllegalStateException("the door relay was not set"));
            }
        });
    }

    /**
     * A new member's pass in the frame. The scanner reads frames upright and turned a quarter by turns; about one
     * synthetic frame in 170 does not read both ways in one go (the camera would read the next one): those are
     * redrawn with another pass, untimed, and counted.
     */
    @Setup(Level.Invocation)
    public void newPass() throws Exception {
        String text = passes.fresh();
        frames.draw(text, luma);
        while (!checker.decode(frame, false).equals(Optional.of(text))
                || !checker.decode(frame, true).equals(Optional.of(text))) {
            redrawn++;
            text = passes.fresh();
            frames.draw(text, luma);
        }
    }

    @Benchmark
    public void frameToRelay() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        relaySet.set(done);
        scanner.offer(frame);
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            JsonObject last = access.last().map(d -> d.toJson()).orElse(new JsonObject());
            throw new IllegalStateException("no relay within 5 s; last decision " + last.encode()
                    + ", dropped frames " + scanner.dropped(), e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        access.stop();
        door.lock()
                .eventually(() -> gpio.call(() -> {
                    hardware.close();
                    pi4j.shutdown();
                    return null;
                }))
                .eventually(() -> store.close())
                .eventually(() -> gpio.close())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("Door path: decisions {}, events {}, frames dropped {}, unreadable frames redrawn {}",
                access.counts().encode(), events.get(), scanner.dropped(), redrawn);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
