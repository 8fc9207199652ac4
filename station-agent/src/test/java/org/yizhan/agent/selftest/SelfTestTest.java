package org.yizhan.agent.selftest;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.MeterException;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.agent.hardware.simulated.MockPi4j;
import org.yizhan.agent.hardware.simulated.SimulatedHardware;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commissioning self-test on Pi4J's mock platform: the door relay is pulsed and read back on the mock pin,
 * and a silent meter, a broken beam or an open door each fail their own check (and the whole test) with a detail.
 */
@ExtendWith(VertxExtension.class)
class SelfTestTest {

    private Gpio gpio;
    private Context pi4j;
    private SimulatedHardware sim;
    private StationHardware hw;
    private final AtomicBoolean meter2Broken = new AtomicBoolean();
    private final List<DigitalState> relayStates = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        StationConfig config = StationConfig.defaults("st-selftest", "Self-test", "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", 9, false, "st-selftest", "s3cret-selftest", 30), "simulated",
                3, 10, 10, 30);
        gpio = new Gpio(vertx, "selftest-" + System.nanoTime());
        pi4j = MockPi4j.context();
        sim = get(gpio.call(() -> new SimulatedHardware(pi4j, HardwareProfile.load("simulated"), config)));
        Map<Integer, PowerMeter> meters = new LinkedHashMap<>();
        sim.chargerRelays().keySet().forEach(port -> meters.put(port, () -> {
            if (port == 2 && meter2Broken.get()) {
                throw new MeterException("no answer from I2C address 0x41");
            }
            return new PowerReading(false, 0.4, OptionalDouble.empty(), OptionalDouble.empty());
        }));
        hw = withMeters(sim, meters);
        MockPi4j.output(pi4j, "door-relay").addListener(e -> relayStates.add(e.state()));
    }

    /** The simulated station with meters that answer as this test says. */
    private static StationHardware withMeters(StationHardware hw, Map<Integer, PowerMeter> meters) {
        return new StationHardware() {
            @Override
            public Relay doorRelay() {
                return hw.doorRelay();
            }

            @Override
            public BinaryInput doorContact() {
                return hw.doorContact();
            }

            @Override
            public BinaryInput exitButton() {
                return hw.exitButton();
            }

            @Override
            public BinaryInput beamOuter() {
                return hw.beamOuter();
            }

            @Override
            public BinaryInput beamInner() {
                return hw.beamInner();
            }

            @Override
            public BinaryInput pir() {
                return hw.pir();
            }

            @Override
            public BinaryInput smoke() {
                return hw.smoke();
            }

            @Override
            public Map<Integer, Relay> chargerRelays() {
                return hw.chargerRelays();
            }

            @Override
            public Map<Integer, PowerMeter> powerMeters() {
                return meters;
            }

            @Override
            public void close() {
                hw.close();
            }
        };
    }

    @AfterEach
    void tearDown() throws Exception {
        if (hw != null) {
            get(gpio.call(() -> {
                hw.close();
                pi4j.shutdown();
                return null;
            }));
        }
        get(gpio.close());
    }

    private JsonObject run(boolean uplink) throws Exception {
        return get(new SelfTest(gpio, hw, new SelfTest.Station(() -> uplink, () -> 4, () -> 2, Optional.empty(), true))
                .run());
    }

    private static Map<String, JsonObject> byName(JsonObject result) {
        return result.getJsonArray("checks").stream().map(o -> (JsonObject) o)
                .collect(Collectors.toMap(c -> c.getString("name"), c -> c));
    }

    private void mock(BinaryInput in, boolean active) {
        sim.drive(in, active);
    }

    @Test
    void passesEveryCheckOnHealthyHardwareAndPulsesTheDoorRelay() throws Exception {
        JsonObject result = run(true);
        Map<String, JsonObject> checks = byName(result);
        assertThat(checks.keySet()).as("the checklist").containsExactlyInAnyOrder("relay", "door-contact", "beam-outer",
                "beam-inner", "meter-1", "meter-2", "meter-3", "smoke", "camera", "uplink", "outbox");
        assertThat(checks.values()).allSatisfy(c -> assertThat(c.getBoolean("ok")).as(c.encode()).isTrue());
        assertThat(result.getBoolean("ok")).isTrue();
        assertThat(relayStates).as("the relay pin went high, then low again").containsExactly(DigitalState.HIGH, DigitalState.LOW);
        assertThat(hw.doorRelay().isClosed()).as("door locked after the test").isFalse();
        assertThat(checks.get("relay").getString("detail")).contains("read closed, then open");
        assertThat(checks.get("meter-2").getString("detail")).contains("0.4 W");
        assertThat(checks.get("camera").getString("detail")).contains("decoder");
        assertThat(checks.get("uplink").getString("detail")).contains("session 4");
    }

    @Test
    void aMeterThatDoesNotAnswerFailsItsCheckAndTheTest() throws Exception {
        meter2Broken.set(true);
        JsonObject result = run(true);
        Map<String, JsonObject> checks = byName(result);
        assertThat(checks.get("meter-2").getBoolean("ok")).isFalse();
        assertThat(checks.get("meter-2").getString("detail")).contains("does not answer").contains("0x41");
        assertThat(checks.get("meter-1").getBoolean("ok")).isTrue();
        assertThat(checks.get("meter-3").getBoolean("ok")).isTrue();
        assertThat(result.getBoolean("ok")).as("one failing check fails the test").isFalse();
    }

    @Test
    void aBrokenBeamAnOpenDoorAndNoUplinkEachFail() throws Exception {
        mock(hw.beamInner(), true);
        mock(hw.doorContact(), true);
        Map<String, JsonObject> checks = byName(run(false));
        assertThat(checks.get("beam-inner").getBoolean("ok")).isFalse();
        assertThat(checks.get("beam-inner").getString("detail")).contains("broken");
        assertThat(checks.get("beam-outer").getBoolean("ok")).isTrue();
        assertThat(checks.get("door-contact").getBoolean("ok")).isFalse();
        assertThat(checks.get("door-contact").getString("detail")).contains("shut the door");
        assertThat(checks.get("uplink").getBoolean("ok")).isFalse();
    }

    @Test
    void doesNotPulseARelayThatHoldsTheDoorOpen() throws Exception {
        get(gpio.set(hw.doorRelay(), true));
        relayStates.clear();
        Map<String, JsonObject> checks = byName(run(true));
        assertThat(checks.get("relay").getBoolean("ok")).isTrue();
        assertThat(checks.get("relay").getString("detail")).contains("not pulsed");
        assertThat(relayStates).as("the unlocked door was left alone").isEmpty();
        assertThat(hw.doorRelay().isClosed()).isTrue();
    }
}
