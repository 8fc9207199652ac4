package org.yizhan.agent.loads;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.simulated.MockPi4j;
import org.yizhan.agent.hardware.simulated.SimulatedHardware;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Telemetry;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * The night rule of the room loads with a clock the test sets, on Pi4J's mock platform: the relays are the simulated
 * station's, opened from the configuration, and read on their mock pins. Night 23:00 to 06:00 in Asia/Shanghai, 20
 * minutes' empty-room delay. The lights and the water heater hang on normally-closed contacts of an active-high
 * board (off = relay energised = pin HIGH); the air conditioner on the normally-open contact of an active-low relay
 * (on = energised = pin LOW).
 */
@ExtendWith(VertxExtension.class)
class RoomLoadsTest {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger changes = new AtomicInteger();
    private Context pi4j;
    private Gpio gpio;
    private SimulatedHardware hw;
    private RoomLoads loads;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        JsonObject json = StationConfig.defaults("st-loads", "Loads", "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", 9, false, "st-loads", "s3cret-st-loads", 30), "simulated",
                0, 10, 10, 30).toJson().put("roomLoads", new JsonObject().put("nightHours", "23:00-06:00")
                .put("emptyMinutes", 20).put("loads", new JsonArray()
                        .add(new JsonObject().put("name", "lights").put("relayPin", 18))
                        .add(new JsonObject().put("name", "water-heater").put("relayPin", 7))
                        .add(new JsonObject().put("name", "air-conditioner").put("relayPin", 8)
                                .put("relayActiveLow", true).put("normallyClosed", false))));
        StationConfig config = StationConfig.parse(json);
        pi4j = MockPi4j.context();
        gpio = new Gpio(vertx, "loads-test-" + System.nanoTime());
        hw = get(gpio.call(() -> new SimulatedHardware(pi4j, HardwareProfile.load("simulated"), config)));
        at(2026, 1, 5, 22, 50);
        loads = new RoomLoads(gpio, hw.loadRelays(), config.roomLoads(), ZONE, count::get,
                changes::incrementAndGet, now::get);
        onStation(loads::start);
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

    private void at(int year, int month, int day, int hour, int minute) {
        now.set(LocalDateTime.of(year, month, day, hour, minute).atZone(ZONE).toInstant().toEpochMilli());
    }

    /** Runs {@code work} on the station's context, where the agent drives the loads, and waits for it. */
    private void onStation(Runnable work) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        gpio.context().runOnContext(v -> {
            try {
                work.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        done.get(10, TimeUnit.SECONDS);
    }

    private void evaluateAt(int day, int hour, int minute) throws Exception {
        at(2026, 1, day, hour, minute);
        onStation(loads::evaluate);
    }

    private DigitalState pin(String load) {
        return MockPi4j.output(pi4j, "load-" + load).state();
    }

    /** Waits until the relays show every load {@code on} or off, and the reported state says the same. */
    private void assertAll(boolean on) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(pin("lights")).as("lights relay (NC contact, active-high)")
                    .isEqualTo(on ? DigitalState.LOW : DigitalState.HIGH);
            assertThat(pin("water-heater")).as("water heater relay (NC contact, active-high)")
                    .isEqualTo(on ? DigitalState.LOW : DigitalState.HIGH);
            assertThat(pin("air-conditioner")).as("air conditioner relay (NO contact, active-low)")
                    .isEqualTo(on ? DigitalState.LOW : DigitalState.HIGH);
        });
        assertThat(loads.telemetry()).extracting(Telemetry.Load::on).as("reported").containsOnly(on);
    }

    @Test
    void switchesOffWhenTheRoomHasBeenEmptyForTheDelayAtNight() throws Exception {
        assertAll(true);
        evaluateAt(5, 23, 0);
        assertAll(true);
        evaluateAt(5, 23, 9);
        assertAll(true);
        evaluateAt(5, 23, 10);
        assertAll(false);
        long off = now.get();
        assertThat(loads.telemetry()).containsExactly(new Telemetry.Load("lights", false, off),
                new Telemetry.Load("water-heater", false, off), new Telemetry.Load("air-conditioner", false, off));
        assertThat(changes.get()).as("one change reported for the switch").isEqualTo(1);
        assertThat(loads.status().getBoolean("night")).isTrue();
    }

    @Test
    void staysOnByDayHoweverLongTheRoomIsEmpty() throws Exception {
        evaluateAt(6, 6, 0);
        assertAll(true);
        evaluateAt(6, 14, 0);
        assertAll(true);
        evaluateAt(6, 22, 59);
        assertAll(true);
        assertThat(changes.get()).isZero();
    }

    @Test
    void comesOnAtTheFirstEntryAndGoesOffAgainWhenTheRoomHasBeenEmptyAgainForTheDelay() throws Exception {
        evaluateAt(6, 1, 0);
        assertAll(false);
        count.set(1);
        evaluateAt(6, 2, 0);
        assertAll(true);
        evaluateAt(6, 3, 0);
        assertAll(true);
        count.set(0);
        evaluateAt(6, 3, 5);
        evaluateAt(6, 3, 24);
        assertAll(true);
        evaluateAt(6, 3, 25);
        assertAll(false);
    }

    @Test
    void accessGrantedSwitchesOnBeforeTheCountRisesAndTheDelayStartsAgain() throws Exception {
        evaluateAt(6, 1, 0);
        assertAll(false);
        at(2026, 1, 6, 1, 30);
        onStation(loads::entry);
        assertAll(true);
        evaluateAt(6, 1, 49);
        assertAll(true);
        evaluateAt(6, 1, 50);
        assertAll(false);
    }

    @Test
    void comesOnWhenTheNightEnds() throws Exception {
        evaluateAt(6, 5, 59);
        assertAll(false);
        evaluateAt(6, 6, 0);
        assertAll(true);
        assertThat(loads.status().getBoolean("night")).isFalse();
    }

    @Test
    void readsTheNightHoursInTheStationsTimeZoneAcrossMidnight() throws Exception {
        assertThat(loads.isNight(now.get())).as("22:50 Shanghai").isFalse();
        at(2026, 1, 5, 23, 0);
        assertThat(loads.isNight(now.get())).isTrue();
        at(2026, 1, 6, 0, 0);
        assertThat(loads.isNight(now.get())).isTrue();
        at(2026, 1, 6, 5, 59);
        assertThat(loads.isNight(now.get())).isTrue();
        at(2026, 1, 6, 6, 0);
        assertThat(loads.isNight(now.get())).isFalse();
        onStation(() -> loads.configure(new StationConfig.RoomLoads(java.util.List.of(), "23:00-06:00", 20),
                ZoneId.of("Europe/Berlin")));
        at(2026, 1, 6, 6, 0);
        assertThat(loads.isNight(now.get())).as("06:00 in Shanghai is 23:00 in Berlin").isTrue();
        assertThat(loads.status().getBoolean("night")).isTrue();
    }
}
