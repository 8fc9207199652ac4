package org.yizhan.agent.charger;

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
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.agent.hardware.TemperatureSensor;
import org.yizhan.agent.hardware.Thermometers;
import org.yizhan.agent.hardware.board.Ds18b20;
import org.yizhan.agent.hardware.board.W1Files;
import org.yizhan.agent.hardware.simulated.MockPi4j;
import org.yizhan.agent.hardware.simulated.SimulatedHardware;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Telemetry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Charger temperature from DS18B20 sensors (files as the kernel's w1-therm shows them, in a temporary
 * directory) through the safety path to Pi4J mock relays: a port's or the cabinet's over-temperature and a
 * failed sensor cut off and fault exactly the ports concerned; the room sensor only informs.
 */
@ExtendWith(VertxExtension.class)
class ChargerTemperatureTest {

    private static final String PORT1 = "28-0000000000a1";
    private static final String CABINET = "28-0000000000cb";
    private static final String ROOM = "28-00000000007a";

    @TempDir
    Path dir;
    private Path devices;
    private Context pi4j;
    private SimulatedHardware hw;
    private Gpio gpio;
    private Chargers chargers;
    private final List<JsonObject> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        devices = Files.createDirectories(dir.resolve("w1"));
        StationConfig config = StationConfig.defaults("st-temp", "Temp", "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", 9, false, "st-temp", "s3cret-st-temp", 30), "simulated",
                2, 10, 10, 30);
        gpio = new Gpio(vertx, "temp-test-" + dir);
        pi4j = MockPi4j.context();
        hw = get(gpio.call(() -> new SimulatedHardware(pi4j, HardwareProfile.load("simulated"), config)));
        W1Files.write(devices, PORT1, 30);
        W1Files.write(devices, CABINET, 28);
        W1Files.write(devices, ROOM, 24.5);
        Map<Integer, PowerMeter> meters = new LinkedHashMap<>();
        hw.chargerRelays().forEach((port, relay) -> meters.put(port,
                () -> new PowerReading(true, relay.isClosed() ? 180 : 0, OptionalDouble.empty(), OptionalDouble.empty())));
        Map<Integer, TemperatureSensor> portSensors = Map.of(1, new Ds18b20(devices, PORT1));
        Thermometers thermometers = new Thermometers(portSensors, Optional.of(new Ds18b20(devices, CABINET)),
                Optional.of(new Ds18b20(devices, ROOM)));
        DailyQuota quota = new DailyQuota(vertx, dir.resolve("quota.json"), ZoneId.of("Asia/Shanghai"));
        get(quota.load());
        chargers = new Chargers(gpio, "temp-test", hw.chargerRelays(), meters, thermometers,
                config.charger().rules(), quota, (type, data) -> events.add(new JsonObject().put("type", type)
                .put("data", data)), () -> { }, System::currentTimeMillis);
        get(chargers.start());
        get(chargers.startSession(1, "m-one", 60));
        get(chargers.startSession(2, "m-two", 60));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(relay(1)).isEqualTo(DigitalState.HIGH);
            assertThat(relay(2)).isEqualTo(DigitalState.HIGH);
            assertThat(chargers.roomTempC()).hasValue(24.5);
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        if (chargers != null) {
            get(chargers.stop());
        }
        if (hw != null) {
            get(gpio.call(() -> {
                hw.close();
                pi4j.shutdown();
                return null;
            }));
            get(gpio.close());
        }
    }

    private DigitalState relay(int port) {
        return MockPi4j.output(pi4j, "charger-relay-" + port).state();
    }

    private List<JsonObject> cutoffs() {
        return events.stream().filter(e -> e.getString("type").equals("charger.safety_cutoff"))
                .map(e -> e.getJsonObject("data")).toList();
    }

    private ChargerState state(int port) {
        return chargers.port(port).orElseThrow().state();
    }

    @Test
    void reportsPortCabinetAndRoomTemperatures() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<Telemetry.Charger> t = chargers.telemetry();
            assertThat(t.get(0).tempC()).as("port 1 from its own sensor").hasValue(30.0);
            assertThat(t.get(1).tempC()).as("port 2 from the cabinet sensor").hasValue(28.0);
        });
        assertThat(chargers.status().getDouble("cabinetTempC")).isEqualTo(28.0);
        assertThat(chargers.status().getDouble("roomTempC")).isEqualTo(24.5);
        assertThat(cutoffs()).isEmpty();
    }

    @Test
    void portOverTemperatureCutsOffOnlyThatPortUntilItCoolsAndAnOperatorClearsIt() throws Exception {
        W1Files.write(devices, PORT1, 75);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(relay(1)).isEqualTo(DigitalState.LOW);
            assertThat(state(1)).isEqualTo(ChargerState.FAULTED);
        });
        assertThat(relay(2)).as("the other port charges on").isEqualTo(DigitalState.HIGH);
        assertThat(state(2)).isEqualTo(ChargerState.CHARGING);
        JsonObject cut = cutoffs().get(0);
        assertThat(cut.getInteger("port")).isEqualTo(1);
        assertThat(cut.getString("cause")).isEqualTo("over-temperature");
        assertThat(cut.getJsonObject("reading").getMap()).containsEntry("sensor", PORT1).containsEntry("tempC", 75.0);
        assertThat(cutoffs()).hasSize(1);

        Throwable refused = chargers.enable(1, true).toCompletionStage().toCompletableFuture()
                .handle((v, e) -> e).get(5, TimeUnit.SECONDS);
        assertThat(refused).isInstanceOf(ChargerException.class).hasMessageContaining("still at 75.0 °C");
        assertThat(((ChargerException) refused).code()).isEqualTo("fault-persists");

        W1Files.write(devices, PORT1, 40);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(chargers.enable(1, true).toCompletionStage().toCompletableFuture()
                        .handle((v, e) -> e == null).get(5, TimeUnit.SECONDS)).isTrue());
        assertThat(state(1)).isEqualTo(ChargerState.OCCUPIED);
    }

    @Test
    void cabinetOverTemperatureCutsOffEveryPort() throws Exception {
        W1Files.writeText(devices, CABINET, W1Files.w1Slave(W1Files.raw(66.5), true));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(relay(1)).isEqualTo(DigitalState.LOW);
            assertThat(relay(2)).isEqualTo(DigitalState.LOW);
            assertThat(state(1)).isEqualTo(ChargerState.FAULTED);
            assertThat(state(2)).isEqualTo(ChargerState.FAULTED);
        });
        assertThat(cutoffs()).extracting(c -> c.getInteger("port")).containsExactlyInAnyOrder(1, 2);
        assertThat(cutoffs()).allSatisfy(c -> {
            assertThat(c.getString("cause")).isEqualTo("over-temperature");
            assertThat(c.getJsonObject("reading").getMap()).containsEntry("place", "cabinet")
                    .containsEntry("tempC", 66.5);
        });
        assertThat(events).filteredOn(e -> e.getString("type").equals("charger.session_ended"))
                .extracting(e -> e.getJsonObject("data").getString("reason"))
                .containsExactly("safety-cutoff", "safety-cutoff");
    }

    @Test
    void aPortSensorThatStopsAnsweringFaultsItsPortLikeASilentMeter() throws Exception {
        Files.delete(devices.resolve(PORT1).resolve("w1_slave"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(relay(1)).isEqualTo(DigitalState.LOW);
            assertThat(state(1)).isEqualTo(ChargerState.FAULTED);
        });
        assertThat(relay(2)).isEqualTo(DigitalState.HIGH);
        JsonObject cut = cutoffs().get(0);
        assertThat(cut.getString("cause")).isEqualTo("temp-sensor-failed");
        assertThat(cut.getJsonObject("reading").getString("error")).contains("is not on the 1-Wire bus");
        Throwable refused = chargers.enable(1, true).toCompletionStage().toCompletableFuture()
                .handle((v, e) -> e).get(5, TimeUnit.SECONDS);
        assertThat(refused).hasMessageContaining("temperature sensor does not answer");
    }

    @Test
    void aCabinetSensorWithABadChecksumFaultsEveryPort() throws Exception {
        W1Files.writeText(devices, CABINET, W1Files.w1Slave(W1Files.raw(30), false));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(state(1)).isEqualTo(ChargerState.FAULTED);
            assertThat(state(2)).isEqualTo(ChargerState.FAULTED);
        });
        assertThat(relay(1)).isEqualTo(DigitalState.LOW);
        assertThat(relay(2)).isEqualTo(DigitalState.LOW);
        assertThat(cutoffs()).extracting(c -> c.getString("cause")).containsOnly("temp-sensor-failed");
    }

    @Test
    void aFailedRoomSensorCutsNothingAndIsNoLongerReported() throws Exception {
        Files.delete(devices.resolve(ROOM).resolve("w1_slave"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(chargers.roomTempC()).isEmpty());
        assertThat(relay(1)).isEqualTo(DigitalState.HIGH);
        assertThat(relay(2)).isEqualTo(DigitalState.HIGH);
        assertThat(cutoffs()).isEmpty();
    }
}
