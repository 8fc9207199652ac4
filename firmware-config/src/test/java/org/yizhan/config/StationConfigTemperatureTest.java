package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The optional DS18B20 temperature sensors of the charger ports, the cabinet and the room. */
class StationConfigTemperatureTest {

    private static final String PORT1 = "28-0316a2790c4f";
    private static final String CABINET = "28-00000a1b2c3d";
    private static final String ROOM = "28-ffffffffff01";

    private static JsonObject config(JsonObject charger) {
        return new JsonObject()
                .put("stationId", "st-001")
                .put("hub", new JsonObject().put("url", "https://hub.example.org"))
                .put("mqtt", new JsonObject().put("host", "hub.example.org").put("username", "st-001")
                        .put("password", "s3cret-Very-Long-Station-Password-42"))
                .put("profile", "pi4b-standard")
                .put("charger", charger);
    }

    private static JsonObject port(int number, int pin) {
        return new JsonObject().put("port", number).put("relayPin", pin);
    }

    private static List<String> problemsOf(JsonObject json) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> StationConfig.parse(json));
        assertThat(e).as("the configuration must be refused").isNotNull();
        return e.problems();
    }

    @Test
    void aConfigurationWithoutSensorsStillParsesAndHasNone() throws ConfigException {
        StationConfig c = StationConfig.parse(config(new JsonObject().put("ports",
                new JsonArray().add(port(1, 5)).add(port(2, 6)))));
        assertThat(c.charger().ports()).extracting(StationConfig.Port::tempSensor)
                .containsExactly(Optional.empty(), Optional.empty());
        assertThat(c.charger().cabinetTempSensor()).isEmpty();
        assertThat(c.charger().roomTempSensor()).isEmpty();
        assertThat(c.toJson().getJsonObject("charger").containsKey("cabinetTempSensor")).isFalse();
        assertThat(c.toJson().getJsonObject("charger").getJsonArray("ports").getJsonObject(0).containsKey("tempSensor"))
                .isFalse();
    }

    @Test
    void readsPortCabinetAndRoomSensorsAndWritesThemBack() throws ConfigException {
        StationConfig c = StationConfig.parse(config(new JsonObject()
                .put("ports", new JsonArray().add(port(1, 5).put("tempSensor", PORT1)).add(port(2, 6)))
                .put("cabinetTempSensor", CABINET).put("roomTempSensor", ROOM)));
        assertThat(c.charger().ports().get(0).tempSensor()).contains(PORT1);
        assertThat(c.charger().ports().get(1).tempSensor()).isEmpty();
        assertThat(c.charger().cabinetTempSensor()).contains(CABINET);
        assertThat(c.charger().roomTempSensor()).contains(ROOM);
        assertThat(StationConfig.parse(c.toJson())).as("JSON round trip").isEqualTo(c);
    }

    @Test
    void refusesSensorIdsThatAreNotDs18b20IdsByPath() {
        List<String> problems = problemsOf(config(new JsonObject()
                .put("ports", new JsonArray().add(port(1, 5).put("tempSensor", "10-0316a2790c4f"))
                        .add(port(2, 6).put("tempSensor", 28)))
                .put("cabinetTempSensor", "28-0316A2790C4F").put("roomTempSensor", "../../etc")));
        assertThat(problems).containsExactlyInAnyOrder(
                "charger.ports[0].tempSensor: '10-0316a2790c4f' is not a DS18B20 1-Wire id like 28-0316a2790c4f "
                        + "(as listed under /sys/bus/w1/devices)",
                "charger.ports[1].tempSensor: must be a non-empty text",
                "charger.cabinetTempSensor: '28-0316A2790C4F' is not a DS18B20 1-Wire id like 28-0316a2790c4f "
                        + "(as listed under /sys/bus/w1/devices)",
                "charger.roomTempSensor: '../../etc' is not a DS18B20 1-Wire id like 28-0316a2790c4f "
                        + "(as listed under /sys/bus/w1/devices)");
    }

    @Test
    void refusesOneSensorGivenToTwoPlaces() {
        List<String> problems = problemsOf(config(new JsonObject()
                .put("ports", new JsonArray().add(port(1, 5).put("tempSensor", PORT1))
                        .add(port(2, 6).put("tempSensor", PORT1)))
                .put("cabinetTempSensor", CABINET).put("roomTempSensor", CABINET)));
        assertThat(problems).containsExactly(
                "charger: temperature sensor " + PORT1 + " is given to the port 1 and to the port 2; "
                        + "each sensor measures one place",
                "charger: temperature sensor " + CABINET + " is given to the cabinet and to the room; "
                        + "each sensor measures one place");
    }
}
