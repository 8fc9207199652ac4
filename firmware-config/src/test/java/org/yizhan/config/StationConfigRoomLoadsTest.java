package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Lights, water heater and air conditioning on relays, switched off at night in an empty room. */
class StationConfigRoomLoadsTest {

    private static JsonObject config(JsonObject roomLoads) {
        return new JsonObject()
                .put("stationId", "st-001")
                .put("hub", new JsonObject().put("url", "https://hub.example.org"))
                .put("mqtt", new JsonObject().put("host", "hub.example.org").put("username", "st-001")
                        .put("password", "s3cret-Very-Long-Station-Password-42"))
                .put("profile", "pi4b-standard")
                .put("charger", new JsonObject().put("ports", new JsonArray()
                        .add(new JsonObject().put("port", 1).put("relayPin", 5))
                        .add(new JsonObject().put("port", 2).put("relayPin", 6))))
                .put("roomLoads", roomLoads);
    }

    private static JsonObject load(String name, int pin) {
        return new JsonObject().put("name", name).put("relayPin", pin);
    }

    private static JsonObject threeLoads() {
        return new JsonObject().put("nightHours", "23:00-06:00").put("emptyMinutes", 20)
                .put("loads", new JsonArray().add(load("lights", 18)).add(load("water-heater", 7))
                        .add(load("air-conditioner", 8).put("normallyClosed", false).put("relayActiveLow", true)));
    }

    private static List<String> problemsOf(JsonObject json) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> StationConfig.parse(json));
        assertThat(e).as("the configuration must be refused").isNotNull();
        return e.problems();
    }

    @Test
    void aConfigurationWithoutLoadsHasNoneAndWritesNone() throws ConfigException {
        StationConfig c = StationConfig.parse(config(new JsonObject()).put("roomLoads", null));
        assertThat(c.roomLoads()).isEqualTo(StationConfig.RoomLoads.NONE);
        assertThat(c.toJson().containsKey("roomLoads")).as("a hub or agent before room loads sees nothing new")
                .isFalse();
    }

    @Test
    void readsLoadsWithTheirWiringAndWritesThemBack() throws ConfigException {
        StationConfig c = StationConfig.parse(config(threeLoads()));
        assertThat(c.roomLoads().nightHours()).isEqualTo("23:00-06:00");
        assertThat(c.roomLoads().emptyMinutes()).isEqualTo(20);
        assertThat(c.roomLoads().loads()).containsExactly(
                new StationConfig.Load("lights", 18, false, true),
                new StationConfig.Load("water-heater", 7, false, true),
                new StationConfig.Load("air-conditioner", 8, true, false));
        assertThat(c.roomLoads().loads().get(0).energisedWhen(false))
                .as("a load on the normally-closed contact is switched off by energising the relay").isTrue();
        assertThat(c.roomLoads().loads().get(2).energisedWhen(true))
                .as("a load on the normally-open contact is switched on by energising the relay").isTrue();
        assertThat(StationConfig.parse(c.toJson())).as("JSON round trip").isEqualTo(c);
    }

    @Test
    void refusesALoadOnAPinThatIsTakenByPartOrByOtherLoads() {
        JsonObject loads = new JsonObject().put("loads", new JsonArray().add(load("lights", 26))
                .add(load("water-heater", 5)).add(load("air-conditioner", 18)).add(load("fan", 18))
                .add(load("heater", 40)));
        assertThat(problemsOf(config(loads))).containsExactly(
                "roomLoads.loads[0].relayPin: pin 26 is already used by the door relay",
                "roomLoads.loads[1].relayPin: pin 5 is already used by the relay of port 1",
                "roomLoads.loads[3].relayPin: pin 18 is already used by the relay of the air-conditioner",
                "roomLoads.loads[4].relayPin: pin 40 does not exist on pi4b");
    }

    @Test
    void refusesALoadOnTheOneWireAndI2cPinsWhenThoseBusesAreUsed() throws ConfigException {
        JsonObject json = config(new JsonObject().put("loads", new JsonArray().add(load("lights", 4))
                .add(load("water-heater", 2))));
        assertThat(StationConfig.parse(json).roomLoads().loads()).as("no 1-Wire sensor and no I2C meter").hasSize(2);
        json.getJsonObject("charger").put("roomTempSensor", "28-0316a2790c4f")
                .put("meter", new JsonObject().put("type", "ina226").put("i2cBus", 1));
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(0).put("meterAddress", 0x40);
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(1).put("meterAddress", 0x41);
        assertThat(problemsOf(json)).containsExactly(
                "pins: GPIO 4 carries the 1-Wire bus of the temperature sensors (dtoverlay=w1-gpio) but profile "
                        + "pi4b-standard, charger.ports or roomLoads puts the relay of the lights on it; wire the "
                        + "relay of the lights to a free pin",
                "pins: GPIO 2 is SDA of I2C bus 1, which the ina226 meters use, but the relay of the water-heater is "
                        + "wired to it; wire the relay of the water-heater to a free pin");
    }

    @Test
    void refusesBadNamesNightHoursAndDelaysByPath() {
        JsonObject loads = new JsonObject().put("nightHours", "23:00-23:00").put("emptyMinutes", 0)
                .put("relayActiveLow", "yes")
                .put("loads", new JsonArray().add(load("Lights", 18)).add(load("heater", 7)).add(load("heater", 8))
                        .add(new JsonObject().put("name", "fan")).add("lamp"));
        assertThat(problemsOf(config(loads))).containsExactlyInAnyOrder(
                "roomLoads.nightHours: '23:00-23:00' starts and ends at the same time; the night needs a length, "
                        + "like 23:00-06:00",
                "roomLoads.emptyMinutes: 0 is out of range, must be 1 to 1440",
                "roomLoads.relayActiveLow: must be true or false",
                "roomLoads.loads[0].name: 'Lights' must be lower-case letters, digits and '-', like lights or "
                        + "water-heater",
                "roomLoads.loads[2].name: 'heater' is listed twice",
                "roomLoads.loads[3].relayPin: is required",
                "roomLoads.loads[4]: must be an object with name and relayPin");
        assertThat(problemsOf(config(new JsonObject().put("nightHours", "11pm-6am"))))
                .containsExactly("roomLoads.nightHours: '11pm-6am' must be HH:MM-HH:MM, like 23:00-06:00");
    }
}
