package org.yizhan.agent.door;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
import org.yizhan.protocol.EventType;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * The door on its own, on Pi4J's mock platform: the strike relay is read on its mock pin, the door contact and
 * the exit button are driven as the simulator drives them. No agent, no servers.
 */
@ExtendWith(VertxExtension.class)
class DoorControllerTest {

    private static final int HELD_OPEN_SECONDS = 1;

    private final List<JsonObject> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger changes = new AtomicInteger();
    private Context pi4j;
    private Gpio gpio;
    private SimulatedHardware hw;
    private DoorController door;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        StationConfig config = StationConfig.defaults("st-door", "Door", "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", 9, false, "st-door", "s3cret-st-door", 30), "simulated",
                0, 10, 10, 30);
        pi4j = MockPi4j.context();
        gpio = new Gpio(vertx, "door-test-" + System.nanoTime());
        hw = get(gpio.call(() -> new SimulatedHardware(pi4j, HardwareProfile.load("simulated"), config)));
        door = new DoorController(vertx, gpio, hw.doorRelay(), hw.doorContact(), hw.exitButton(),
                new StationConfig.Door(5, HELD_OPEN_SECONDS),
                (type, data) -> events.add(new JsonObject().put("type", type).put("data", data)),
                changes::incrementAndGet);
        get(onStation(door::start));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (door != null) {
            get(onStation(door::lock));
        }
        if (hw != null) {
            get(gpio.call(() -> {
                hw.close();
                pi4j.shutdown();
                return null;
            }));
        }
        get(gpio.close());
    }

    /** Runs {@code call} on the station's context, where the door is driven in the agent. */
    private <T> Future<T> onStation(Supplier<Future<T>> call) {
        Promise<T> p = Promise.promise();
        gpio.context().runOnContext(v -> call.get().onComplete(p));
        return p.future();
    }

    private DigitalState relay() {
        return MockPi4j.output(pi4j, "door-relay").state();
    }

    private void drive(boolean open) throws Exception {
        get(gpio.call(() -> {
            hw.drive(hw.doorContact(), open);
            return null;
        }));
    }

    private List<String> types() {
        return events.stream().map(e -> e.getString("type")).toList();
    }

    @Test
    void startsLockedWithTheStrikeRelayOpen() {
        assertThat(relay()).as("strike relay after start").isEqualTo(DigitalState.LOW);
        assertThat(events).isEmpty();
    }

    @Test
    void unlockReleasesTheStrikeAndRelocksAfterItsSeconds() throws Exception {
        get(onStation(() -> door.unlock(1, "qr")));

        assertThat(relay()).as("strike released").isEqualTo(DigitalState.HIGH);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(relay()).as("strike relay after the pulse").isEqualTo(DigitalState.LOW);
            assertThat(changes.get()).as("telemetry asked for at unlock and at relock").isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void doorOpenedAfterAnUnlockIsAuthorisedAndNamesHowItWasUnlocked() throws Exception {
        get(onStation(() -> door.unlock(5, "qr")));

        drive(true);
        await().atMost(Duration.ofSeconds(3)).until(() -> types().contains(EventType.DOOR_OPENED));
        drive(false);
        await().atMost(Duration.ofSeconds(3)).until(() -> types().contains(EventType.DOOR_CLOSED));

        JsonObject opened = events.get(types().indexOf(EventType.DOOR_OPENED)).getJsonObject("data");
        assertThat(opened.getBoolean("authorised")).as("opened %s", opened).isTrue();
        assertThat(opened.getString("via")).isEqualTo("qr");
        assertThat(types()).as("no alarm for an authorised entry").doesNotContain(EventType.DOOR_FORCED);
    }

    @Test
    void doorOpenedWhileLockedRaisesForcedOpen() throws Exception {
        drive(true);

        await().atMost(Duration.ofSeconds(3)).until(() -> types().contains(EventType.DOOR_FORCED));
        JsonObject opened = events.get(types().indexOf(EventType.DOOR_OPENED)).getJsonObject("data");
        assertThat(opened.getBoolean("authorised")).isFalse();
        assertThat(opened.getString("via")).isEqualTo("none");
        assertThat(relay()).as("a forced door does not release the strike").isEqualTo(DigitalState.LOW);
    }

    @Test
    void doorLeftOpenRaisesHeldOpenButNotOnceClosedInTime() throws Exception {
        get(onStation(() -> door.unlock(5, "remote")));
        drive(true);

        await().atMost(Duration.ofSeconds(HELD_OPEN_SECONDS + 3)).until(() -> types().contains(EventType.DOOR_HELD_OPEN));
        JsonObject held = events.get(types().indexOf(EventType.DOOR_HELD_OPEN)).getJsonObject("data");
        assertThat(held.getInteger("seconds")).isEqualTo(HELD_OPEN_SECONDS);

        drive(false);
        await().atMost(Duration.ofSeconds(3)).until(() -> types().contains(EventType.DOOR_CLOSED));
        events.clear();
        drive(true);
        await().atMost(Duration.ofSeconds(3)).until(() -> types().contains(EventType.DOOR_OPENED));
        drive(false);
        await().atMost(Duration.ofSeconds(3)).until(() -> types().contains(EventType.DOOR_CLOSED));
        // the held-open timer of the short opening must not fire after the door closed
        await().during(Duration.ofMillis(HELD_OPEN_SECONDS * 1000L + 500)).atMost(Duration.ofSeconds(HELD_OPEN_SECONDS + 3))
                .until(() -> !types().contains(EventType.DOOR_HELD_OPEN));
    }

    @Test
    void exitButtonReleasesTheStrike() throws Exception {
        get(gpio.call(() -> {
            hw.drive(hw.exitButton(), true);
            hw.drive(hw.exitButton(), false);
            return null;
        }));

        await().atMost(Duration.ofSeconds(3)).until(() -> relay() == DigitalState.HIGH);
    }

    @Test
    void lockLocksAtOnce() throws Exception {
        get(onStation(() -> door.unlock(30, "remote")));
        assertThat(relay()).isEqualTo(DigitalState.HIGH);

        get(onStation(door::lock));

        assertThat(relay()).as("locked at once").isEqualTo(DigitalState.LOW);
    }
}
