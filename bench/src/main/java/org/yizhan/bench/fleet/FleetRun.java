package org.yizhan.bench.fleet;

import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One measured run: start the target, connect the fleet (ramped), let it warm up, take the target's figures
 * before and after the window, then disconnect every station and connect them all again (the connect cost of a
 * warm server), then disconnect the fleet and stop the target, also on failure.
 * Runs on the caller's thread and blocks it; never call it from an event loop.
 */
public final class FleetRun {

    /**
     * How long the server rests after provisioning before its idle CPU is sampled: right after it, the JIT is still
     * compiling and the registry still writing, which would count as "idle" and flatter the figures above idle.
     */
    private static final Duration IDLE_SETTLE = Duration.ofSeconds(20);
    private static final Duration IDLE_SAMPLE = Duration.ofSeconds(10);
    /** Between the fleet's goodbye and the reconnect, for the server to finish with the disconnects. */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Vertx vertx;
    private final FleetSettings settings;
    private final Duration warmup;
    private final Duration window;
    private final Consumer<String> progress;
    private final long clockTicksPerSecond;
    private Duration sampleEvery = Duration.ZERO;
    private java.nio.file.Path sampleDir;

    public FleetRun(Vertx vertx, FleetSettings settings, Duration warmup, Duration window, Consumer<String> progress) {
        this.vertx = vertx;
        this.settings = settings;
        this.warmup = warmup;
        this.window = window;
        this.progress = progress;
        this.clockTicksPerSecond = ProcStats.clockTicksPerSecond();
    }

    /**
     * A soak: every {@code every} of the window the server's memory and open files are sampled, written to
     * {@code dir/soak-<target>-<N>.csv} and judged at the end ({@link SoakSamples}); {@link Duration#ZERO}: off.
     */
    public FleetRun sampling(Duration every, java.nio.file.Path dir) {
        this.sampleEvery = every;
        this.sampleDir = dir;
        return this;
    }

    public RunResult run(Target target, int stations) throws Exception {
        String tag = "[" + target.name() + " N=" + stations + "] ";
        Consumer<String> out = s -> progress.accept(tag + s);
        Fleet fleet = null;
        try {
            List<StationCredentials> credentials = target.prepare(stations, out);
            String link = link(target, out);
            double idlePercent = idleCpuPercent(target, out);
            fleet = new Fleet(vertx, settings, target.mqttHost(), target.mqttPort(), target.tls(), credentials);
            ConnectPhase connect = connectPhase(fleet, target, out);
            FleetCounters c = fleet.counters();
            if (c.connected() == 0) {
                throw new IllegalStateException("no station could connect to " + target.name() + ": " + c.firstError());
            }
            out.accept(String.format("warming up %d s", warmup.toSeconds()));
            sleepWatching(warmup, fleet, target, out, false);
            Target.Snapshot before = target.snapshot();
            long sentBefore = c.sent();
            out.accept(String.format("measuring for %d s (expected %.1f msg/s)", window.toSeconds(),
                    settings.expectedRate((int) c.connected())));
            if (sampleEvery.isZero()) {
                sleepWatching(window, fleet, target, out, true);
            } else {
                soak(fleet, target, before, sentBefore, stations, out);
            }
            Target.Snapshot after = target.snapshot();
            long sentAfter = c.sent();
            long connected = c.connected();
            long failed = c.failed();
            long lost = c.lost();

            out.accept("reconnect: every station disconnects, then all connect again to the warm server");
            Fleet first = fleet;
            fleet = null;
            await(first.stop(), Duration.ofSeconds(60));
            Thread.sleep(SETTLE.toMillis());
            target.requireAlive();
            fleet = new Fleet(vertx, settings, target.mqttHost(), target.mqttPort(), target.tls(), credentials);
            ConnectPhase reconnect = connectPhase(fleet, target, out);

            double seconds = (after.atNanos() - before.atNanos()) / 1e9;
            long ticks = after.process().cpuTicks() - before.process().cpuTicks();
            RunResult r = new RunResult(target.name(), stations, connected, failed, lost, seconds,
                    sentAfter - sentBefore, after.messages() - before.messages(),
                    after.latencySeconds().minus(before.latencySeconds()), (double) ticks / clockTicksPerSecond,
                    after.process().vmRssKb(), after.process().vmHwmKb(), idlePercent, target.latencyMeaning(),
                    link, connect, reconnect, partsOver(before, after, clockTicksPerSecond));
            out.accept(String.format("done: sent %.1f/s, processed %.1f/s, CPU %.1f µs/msg; server CPU per "
                            + "connect %.2f ms (cold), %.2f ms (reconnect)", r.sentPerSecond(), r.processedPerSecond(),
                    r.cpuMicrosPerMessage(), r.cpuMillisPerConnect(), r.cpuMillisPerReconnect()));
            for (RunResult.PartResult p : r.parts()) {
                out.accept(String.format("  %s: CPU %.1f µs/msg, %.1f MiB resident, %d sockets", p.name(),
                        r.cpuMicrosPerMessage(p), p.vmRssKb() / 1024.0, p.sockets()));
            }
            return r;
        } finally {
            if (fleet != null) {
                out.accept("disconnecting " + fleet.size() + " stations");
                try {
                    await(fleet.stop(), Duration.ofSeconds(60));
                } catch (Exception e) {
                    out.accept("disconnect did not finish cleanly: " + e);
                }
            }
            target.close();
            out.accept("stopped");
        }
    }

    /**
     * Each part's CPU over the window between two snapshots, and its memory and sockets at the end; parts are
     * matched by name (one the first snapshot lacks counts from zero).
     */
    static List<RunResult.PartResult> partsOver(Target.Snapshot before, Target.Snapshot after, long ticksPerSecond) {
        List<RunResult.PartResult> out = new ArrayList<>();
        for (Target.Part p : after.parts()) {
            long ticksBefore = before.parts().stream().filter(b -> b.name().equals(p.name()))
                    .mapToLong(b -> b.process().cpuTicks()).findFirst().orElse(0);
            out.add(new RunResult.PartResult(p.name(), (double) (p.process().cpuTicks() - ticksBefore) / ticksPerSecond,
                    p.process().vmRssKb(), p.sockets()));
        }
        return out;
    }

    /** Starts the fleet's stations connecting and measures the server until all are connected (or gave up). */
    private ConnectPhase connectPhase(Fleet fleet, Target target, Consumer<String> out) throws Exception {
        Target.Snapshot before = target.snapshot();
        await(fleet.start(), Duration.ofSeconds(30));
        connectAll(fleet, target, out);
        Target.Snapshot after = target.snapshot();
        FleetCounters c = fleet.counters();
        double seconds = (after.atNanos() - before.atNanos()) / 1e9;
        double cpu = (double) (after.process().cpuTicks() - before.process().cpuTicks()) / clockTicksPerSecond;
        double jit = (double) Math.max(0, after.process().compilerTicks() - before.process().compilerTicks())
                / clockTicksPerSecond;
        out.accept(String.format("connect phase: %.1f s, %d retries, server CPU %.2f s of which JIT %.2f s (%.2f ms "
                        + "per station connected, before subtracting idle and messages)", seconds, c.retries(), cpu,
                jit, c.connected() > 0 ? cpu * 1000 / c.connected() : 0));
        if (c.retries() > 0) {
            out.accept("WARNING: " + c.retries() + " connect attempts failed and were retried (first error: "
                    + c.firstError() + "): the CPU per connect includes their work; lower --connect-rate");
        }
        return new ConnectPhase(c.connected(), seconds, cpu, jit, c.sent(), c.retries());
    }

    /**
     * How the stations will talk to the target: "plain TCP", or for a TLS target what one handshake with the JDK's
     * client (trusting only the bench CA, checking the host name) negotiated; fails if that handshake fails.
     */
    private static String link(Target target, Consumer<String> out) throws Exception {
        if (target.tls().isEmpty()) {
            return "plain TCP";
        }
        BenchTls tls = target.tls().get();
        String negotiated = tls.probe(target.mqttHost(), target.mqttPort());
        String link = negotiated + ", " + tls.describe();
        out.accept("TLS: " + link);
        return link;
    }

    /**
     * The server's CPU use with no station connected, in percent of one core, over {@link #IDLE_SAMPLE} after
     * {@link #IDLE_SETTLE}.
     */
    private double idleCpuPercent(Target target, Consumer<String> out) throws Exception {
        Thread.sleep(IDLE_SETTLE.toMillis());
        Target.Snapshot a = target.snapshot();
        Thread.sleep(IDLE_SAMPLE.toMillis());
        Target.Snapshot b = target.snapshot();
        double seconds = (b.atNanos() - a.atNanos()) / 1e9;
        double percent = (double) (b.process().cpuTicks() - a.process().cpuTicks()) / clockTicksPerSecond / seconds * 100;
        out.accept(String.format("idle server CPU before the fleet connects: %.1f %% of one core", percent));
        return percent;
    }

    private void connectAll(Fleet fleet, Target target, Consumer<String> out) throws Exception {
        FleetCounters c = fleet.counters();
        int n = fleet.size();
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(60 + 3L * n / settings.connectsPerSecond());
        long nextReport = started + PROGRESS_EVERY_NANOS;
        while (c.connected() + c.failed() < n) {
            if (System.nanoTime() > deadline) {
                out.accept(String.format("connect phase timed out: %d connected, %d failed, %d pending",
                        c.connected(), c.failed(), n - c.connected() - c.failed()));
                break;
            }
            if (System.nanoTime() >= nextReport) {
                target.requireAlive();
                out.accept(String.format("connecting: %d/%d connected, %d failed", c.connected(), n, c.failed()));
                nextReport += PROGRESS_EVERY_NANOS;
            }
            Thread.sleep(50);
        }
        out.accept(String.format("connected %d/%d in %.1f s, %d failed%s", c.connected(), n,
                (System.nanoTime() - started) / 1e9, c.failed(),
                c.firstError().isEmpty() ? "" : " (first error: " + c.firstError() + ")"));
    }

    /** Waits out a phase, checking the server is alive and printing the fleet's progress now and then. */
    /** The window as a soak: a sample every {@link #sampleEvery}, the CSV and the judgement at the end. */
    private void soak(Fleet fleet, Target target, Target.Snapshot start, long sentAtStart, int stations,
                      Consumer<String> out) throws Exception {
        SoakSamples samples = new SoakSamples();
        long begin = start.atNanos();
        long end = begin + window.toNanos();
        Target.Snapshot previous = start;
        long sentBefore = sentAtStart;
        for (long next = begin + sampleEvery.toNanos(); next <= end; next += sampleEvery.toNanos()) {
            sleepWatching(Duration.ofNanos(Math.max(0, next - System.nanoTime())), fleet, target, out, false);
            Target.Snapshot now = target.snapshot();
            long sent = fleet.counters().sent();
            double seconds = (now.atNanos() - previous.atNanos()) / 1e9;
            SoakSamples.Sample s = new SoakSamples.Sample((now.atNanos() - begin) / 1e9, now.process().vmRssKb(),
                    target.openFiles(), (now.messages() - previous.messages()) / seconds,
                    (sent - sentBefore) / seconds);
            samples.add(s);
            out.accept(String.format("soak %4.0f s: resident %.1f MiB, %d open files, processed %.1f msg/s, "
                            + "%d connections lost", s.seconds(), s.rssKb() / 1024.0, s.openFiles(),
                    s.processedPerSecond(), fleet.counters().lost()));
            previous = now;
            sentBefore = sent;
        }
        java.nio.file.Path csv = sampleDir.resolve("soak-" + target.name() + "-" + stations + ".csv");
        java.nio.file.Files.createDirectories(sampleDir);
        samples.writeCsv(csv);
        out.accept("soak: " + samples.summary() + " (" + csv + ")");
    }

    private static void sleepWatching(Duration d, Fleet fleet, Target target, Consumer<String> out, boolean report)
            throws Exception {
        long start = System.nanoTime();
        long end = start + d.toNanos();
        long nextReport = start + 2 * PROGRESS_EVERY_NANOS;
        long sentAtStart = fleet.counters().sent();
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            if (report && now >= nextReport) {
                target.requireAlive();
                FleetCounters c = fleet.counters();
                out.accept(String.format("%3d s: sent %.1f msg/s, %d connections lost, %d publish errors",
                        (now - start) / 1_000_000_000L, (c.sent() - sentAtStart) / ((now - start) / 1e9), c.lost(),
                        c.publishErrors()));
                nextReport += 2 * PROGRESS_EVERY_NANOS;
            }
            Thread.sleep(Math.min(200, Math.max(1, (end - now) / 1_000_000)));
        }
    }

    static <T> T await(io.vertx.core.Future<T> f, Duration timeout) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
