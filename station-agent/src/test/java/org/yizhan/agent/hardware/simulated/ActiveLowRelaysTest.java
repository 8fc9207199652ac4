package org.yizhan.agent.hardware.simulated;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relays on an active-low board (energised by a LOW pin) against the usual active-high HAT, on Pi4J's mock
 * platform: each idles de-energised from the moment it is opened, closes on its own "on" level, and is left
 * de-energised when the agent shuts Pi4J down, so neither the door strike nor a charger port is powered at boot or
 * stop.
 */
class ActiveLowRelaysTest {

    private final Context pi4j = MockPi4j.context();
    private SimulatedHardware hw;

    @AfterEach
    void shutDown() {
        if (hw != null) {
            hw.close();
        }
        if (!pi4j.isShutdown()) {
            pi4j.shutdown();
        }
    }

    @Test
    void activeLowRelaysIdleHighCloseLowAndAreLeftOpenAtShutdown() throws Exception {
        StationConfig base = StationConfig.defaults("st-relays", "Relays", "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", 9, false, "st-relays", "s3cret-st-relays", 30), "simulated",
                2, 10, 10, 30);
        JsonObject json = base.toJson();
        json.getJsonObject("door").put("relayActiveLow", true);
        json.getJsonObject("charger").put("relayActiveLow", true);
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(1).put("relayActiveLow", false);
        StationConfig config = StationConfig.parse(json);
        assertThat(config.door().relayActiveLow()).isTrue();
        assertThat(config.charger().ports()).extracting(StationConfig.Port::relayActiveLow).containsExactly(true, false);

        hw = new SimulatedHardware(pi4j, HardwareProfile.load("simulated"), config);
        assertThat(pin("door-relay")).as("active-low door relay at start").isEqualTo(DigitalState.HIGH);
        assertThat(pin("charger-relay-1")).as("active-low port relay at start").isEqualTo(DigitalState.HIGH);
        assertThat(pin("charger-relay-2")).as("active-high port relay at start").isEqualTo(DigitalState.LOW);
        assertThat(hw.doorRelay().isClosed()).isFalse();
        assertThat(hw.chargerRelays().values()).noneMatch(r -> r.isClosed());

        hw.doorRelay().set(true);
        hw.chargerRelays().get(1).set(true);
        hw.chargerRelays().get(2).set(true);
        assertThat(pin("door-relay")).isEqualTo(DigitalState.LOW);
        assertThat(pin("charger-relay-1")).isEqualTo(DigitalState.LOW);
        assertThat(pin("charger-relay-2")).isEqualTo(DigitalState.HIGH);
        assertThat(hw.doorRelay().isClosed()).isTrue();
        assertThat(hw.chargerRelays().values()).allMatch(r -> r.isClosed());

        hw.chargerRelays().get(1).set(false);
        assertThat(pin("charger-relay-1")).isEqualTo(DigitalState.HIGH);
        assertThat(hw.chargerRelays().get(1).isClosed()).isFalse();

        var door = MockPi4j.output(pi4j, "door-relay");
        var port2 = MockPi4j.output(pi4j, "charger-relay-2");
        pi4j.shutdown();
        assertThat(door.state()).as("door relay after shutdown").isEqualTo(DigitalState.HIGH);
        assertThat(port2.state()).as("active-high port relay after shutdown").isEqualTo(DigitalState.LOW);
        hw = null;
    }

    private DigitalState pin(String id) {
        return MockPi4j.output(pi4j, id).state();
    }
}
