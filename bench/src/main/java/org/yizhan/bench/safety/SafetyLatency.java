package org.yizhan.bench.safety;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.charger.Chargers;
import org.yizhan.agent.charger.DailyQuota;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.agent.hardware.simulated.SimulatedHardware;
import org.yizhan.bench.MockPi4j;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * Time from a dangerous reading to the relay command on the station agent, measured over many readings
 * through the agent's own code: {@link Chargers} with its metering thread and {@code SafetyGuard}, on Pi4J's
 * mock platform (the relay is a Pi4J {@code DigitalOutput}).
 * <ul>
 *   <li><b>meter</b>: a port's meter answers with 75 °C (over the 60 °C limit); t0 is when the meter's read
 *   returns on the metering thread, t1 when the relay's {@code set(false)} has returned.</li>
 *   <li><b>smoke</b>: the smoke input goes HIGH through {@code MockDigitalInput.mockState}; its Pi4J listener
 *   calls {@code Chargers.smokeInput} as the agent wires it; t0 before {@code mockState}, t1 when every
 *   relay's {@code set(false)} has returned.</li>
 * </ul>
 * Usage: {@code SafetyLatency [readings]} (default 5000 per path, after 500 warm-up). Prints percentiles in µs.
 */
public final class SafetyLatency {

    /** A meter whose next answer the bench sets, recording when it answered. */
    static final class ScriptedMeter implements PowerMeter {
        volatile PowerReading next = new PowerReading(false, 0, OptionalDouble.empty(), OptionalDouble.of(25));
        volatile long answeredAt;

        @Override
        public PowerReading read() {
            PowerReading r = next;
            answeredAt = System.nanoTime();
            return r;
        }
    }

    /** The Pi4J relay with a timestamp of its last open command having returned. */
    static final class TimedRelay implements Relay {
        final Relay relay;
        volatile long openedAt;
        volatile String openedBy = "";

        TimedRelay(Relay relay) {
            this.relay = relay;
        }

        /** Closes the relay directly (as a running session would have it) and forgets the last opening. */
        void closeForNextRound() {
            openedAt = 0;
            openedBy = "";
            relay.set(true);
        }

        @Override
        public void set(boolean closed) {
            boolean was = relay.isClosed();
            relay.set(closed);
            if (!closed && was) {
                openedAt = System.nanoTime();
                openedBy = Thread.currentThread().getName();
            }
        }

        @Override
        public boolean isClosed() {
            return relay.isClosed();
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int warm = 500;
        Vertx vertx = Vertx.vertx();
        Path dir = Files.createTempDirectory("yizhan-safety-bench");
        StationConfig config = StationConfig.defaults("bench-safety", "bench", "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", 9, false, "bench-safety", "x", 30), "simulated", 4, 20, 10, 30);
        Map<Integer, ScriptedMeter> meters = new LinkedHashMap<>();
        Context pi4j = MockPi4j.context();
        SimulatedHardware hw = new SimulatedHardware(pi4j, HardwareProfile.load("simulated"), config);
        hw.chargerRelays().keySet().forEach(p -> meters.put(p, new ScriptedMeter()));
        Map<Integer, TimedRelay> relays = new LinkedHashMap<>();
        hw.chargerRelays().forEach((p, r) -> relays.put(p, new TimedRelay(r)));
        Gpio gpio = new Gpio(vertx, "bench");
        DailyQuota quota = new DailyQuota(vertx, dir.resolve("quota.json"), ZoneId.systemDefault());
        Chargers chargers = new Chargers(gpio, "bench", Map.copyOf(relays), Map.copyOf(meters),
                config.charger().rules(), quota, (type, data) -> { }, () -> { }, System::currentTimeMillis);
        await(chargers.start().toCompletionStage().toCompletableFuture());
        hw.smoke().onChange(chargers::smokeInput);

        PowerReading safe = new PowerReading(true, 180, OptionalDouble.of(0.8), OptionalDouble.of(30));
        PowerReading hot = new PowerReading(true, 180, OptionalDouble.of(0.8), OptionalDouble.of(75));
        ScriptedMeter meter = meters.get(1);
        TimedRelay relay = relays.get(1);
        long[] meterNs = new long[n];
        int preempted = 0;
        for (int i = -warm; i < n; i++) {
            relay.closeForNextRound();
            meter.next = hot;
            await(chargers.sampleNow().toCompletionStage().toCompletableFuture());
            if (relay.relay.isClosed()) {
                throw new IllegalStateException("the relay did not open on a dangerous reading (" + i + ")");
            }
            if (!relay.openedBy.startsWith("yizhan-metering")) {
                // the once-a-second poll or the GPIO worker opened it first: not this path's figure
                preempted++;
                i--;
            } else if (i >= 0) {
                meterNs[i] = relay.openedAt - meter.answeredAt;
            }
            meter.next = safe;
            await(chargers.sampleNow().toCompletionStage().toCompletableFuture());
            chargers.guard().clear(1);
        }

        MockDigitalInput smoke = (MockDigitalInput) pi4j.registry().get("smoke", DigitalInput.class);
        long[] smokeNs = new long[n];
        String self = Thread.currentThread().getName();
        for (int i = -warm; i < n; i++) {
            relays.values().forEach(TimedRelay::closeForNextRound);
            long t0 = System.nanoTime();
            smoke.mockState(DigitalState.HIGH);
            if (relays.values().stream().anyMatch(r -> r.relay.isClosed())) {
                throw new IllegalStateException("a relay stayed closed on smoke (" + i + ")");
            }
            if (relays.values().stream().anyMatch(r -> !self.equals(r.openedBy))) {
                preempted++;
                i--;
            } else if (i >= 0) {
                smokeNs[i] = relays.values().stream().mapToLong(r -> r.openedAt).max().orElseThrow() - t0;
            }
            smoke.mockState(DigitalState.LOW);
            await(chargers.sampleNow().toCompletionStage().toCompletableFuture());
            relays.keySet().forEach(p -> chargers.guard().clear(p));
        }

        JsonObject out = new JsonObject().put("readings", n).put("meter", summary(meterNs))
                .put("smoke", summary(smokeNs)).put("cutoffsCounted", chargers.guard().stats().getLong("cutoffs")).put("preemptedRetried", preempted);
        System.out.println(out.encodePrettily());
        await(chargers.stop().toCompletionStage().toCompletableFuture());
        hw.close();
        pi4j.shutdown();
        await(vertx.close().toCompletionStage().toCompletableFuture());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static JsonObject summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new JsonObject().put("p50us", us(s, 0.50)).put("p90us", us(s, 0.90)).put("p99us", us(s, 0.99))
                .put("p999us", us(s, 0.999)).put("maxUs", s[s.length - 1] / 1000.0);
    }

    private static double us(long[] sorted, double q) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return Math.round(sorted[Math.max(0, i)] / 100.0) / 10.0;
    }
}
