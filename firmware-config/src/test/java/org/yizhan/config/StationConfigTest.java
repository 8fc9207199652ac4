package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class StationConfigTest {

    private static final String SECRET = "s3cret-Very-Long-Station-Password-42";
    private static final StationConfig.Mqtt MQTT =
            new StationConfig.Mqtt("hub.example.org", 8883, true, "st-001", SECRET, 30);

    static List<String> builtInProfiles() {
        return HardwareProfile.BUILT_IN;
    }

    /** A valid configuration for pi4b-standard with three charger ports. */
    private static JsonObject valid() {
        return new JsonObject()
                .put("version", 3)
                .put("stationId", "st-001")
                .put("name", "朝阳门驿站")
                .put("hub", new JsonObject().put("url", "https://hub.example.org"))
                .put("mqtt", new JsonObject().put("host", "hub.example.org").put("port", 8883).put("tls", true)
                        .put("username", "st-001").put("password", SECRET).put("keepAliveSeconds", 30))
                .put("heartbeatSeconds", 10)
                .put("telemetrySeconds", 30)
                .put("profile", "pi4b-standard")
                .put("door", new JsonObject().put("unlockSeconds", 5).put("heldOpenSeconds", 60))
                .put("charger", new JsonObject().put("ports", new JsonArray()
                        .add(port(1, 5)).add(port(2, 6)).add(port(3, 12))))
                .put("occupancy", new JsonObject().put("capacity", 20))
                .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 8088));
    }

    private static JsonObject port(int number, int pin) {
        return new JsonObject().put("port", number).put("relayPin", pin);
    }

    private static List<String> problemsOf(JsonObject json) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> StationConfig.parse(json));
        assertThat(e).as("the configuration must be refused").isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join("; ", e.problems()));
        return e.problems();
    }

    private static List<String> problemsOf(String text) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> StationConfig.parse(text));
        assertThat(e).as("the configuration must be refused").isNotNull();
        return e.problems();
    }

    @Test
    void parsesAValidConfiguration() throws ConfigException {
        StationConfig c = StationConfig.parse(valid());
        assertThat(c.stationId()).isEqualTo("st-001");
        assertThat(c.name()).isEqualTo("朝阳门驿站");
        assertThat(c.mqtt()).isEqualTo(MQTT);
        assertThat(c.charger().ports()).containsExactly(new StationConfig.Port(1, 5), new StationConfig.Port(2, 6),
                new StationConfig.Port(3, 12));
        assertThat(c.http()).isEqualTo(new StationConfig.LocalHttp("127.0.0.1", 8088));
        assertThat(StationConfig.parse(c.toJson())).isEqualTo(c);
        assertThat(StationConfig.parse(c.toJson().encode())).isEqualTo(c);
    }

    @Test
    void fillsDefaultsForOptionalBlocks() throws ConfigException {
        JsonObject json = valid();
        for (String optional : List.of("version", "name", "heartbeatSeconds", "telemetrySeconds", "door", "charger",
                "occupancy", "http")) {
            json.remove(optional);
        }
        json.getJsonObject("mqtt").remove("port");
        json.getJsonObject("mqtt").remove("tls");
        json.getJsonObject("mqtt").remove("keepAliveSeconds");
        StationConfig c = StationConfig.parse(json);
        assertThat(c.version()).isEqualTo(1);
        assertThat(c.name()).isEqualTo("st-001");
        assertThat(c.heartbeatSeconds()).isEqualTo(StationConfig.DEFAULT_HEARTBEAT_SECONDS);
        assertThat(c.telemetrySeconds()).isEqualTo(StationConfig.DEFAULT_TELEMETRY_SECONDS);
        assertThat(c.door()).isEqualTo(new StationConfig.Door(5, 60));
        assertThat(c.charger().ports()).isEmpty();
        assertThat(c.occupancy().capacity()).isEqualTo(20);
        assertThat(c.mqtt().port()).isEqualTo(1883);
        assertThat(c.mqtt().tls()).isFalse();
        assertThat(c.mqtt().eventAcks()).as("a config from a hub before contract 1.1 deletes on PUBACK").isFalse();
        assertThat(c.mqtt().eventAckTimeoutSeconds()).isEqualTo(30);
        assertThat(c.http()).isEqualTo(new StationConfig.LocalHttp("127.0.0.1", 8088));
    }

    @Test
    void readsAndWritesTheEventAckSettings() throws ConfigException {
        JsonObject json = valid();
        json.getJsonObject("mqtt").put("eventAcks", true).put("eventAckTimeoutSeconds", 7);
        StationConfig c = StationConfig.parse(json);
        assertThat(c.mqtt().eventAcks()).isTrue();
        assertThat(c.mqtt().eventAckTimeoutSeconds()).isEqualTo(7);
        assertThat(StationConfig.parse(c.toJson()).mqtt()).isEqualTo(c.mqtt());
        assertThat(c.mqtt().withCaPem("pem").eventAcks()).isTrue();
        assertThat(c.mqtt().toString()).contains("eventAcks=true");
    }

    @Test
    void refusesBadEventAckSettings() {
        JsonObject json = valid();
        json.getJsonObject("mqtt").put("eventAcks", "yes").put("eventAckTimeoutSeconds", 0);
        assertThat(problemsOf(json)).containsExactlyInAnyOrder(
                "mqtt.eventAcks: must be true or false",
                "mqtt.eventAckTimeoutSeconds: 0 is out of range, must be 1 to 3600");
    }

    @ParameterizedTest
    @MethodSource("builtInProfiles")
    void defaultsOfEveryBuiltInProfileParseBackEqual(String profile) throws ConfigException {
        HardwareProfile p = HardwareProfile.load(profile);
        int ports = p.chargerRelayPins().size();
        StationConfig c = StationConfig.defaults("st-001", "测试站", "http://127.0.0.1:8080", MQTT, profile, ports, 12,
                15, 45);
        assertThat(c.profile()).isEqualTo(profile);
        assertThat(c.charger().ports()).hasSize(ports);
        assertThat(c.charger().ports()).extracting(StationConfig.Port::relayPin)
                .containsExactlyElementsOf(p.chargerRelayPins());
        assertThat(c.charger().ports()).extracting(StationConfig.Port::port).first().isEqualTo(1);
        assertThat(c.heartbeatSeconds()).isEqualTo(15);
        assertThat(c.telemetrySeconds()).isEqualTo(45);
        assertThat(c.occupancy().capacity()).isEqualTo(12);
        assertThat(StationConfig.parse(c.toJson())).isEqualTo(c);
        assertThat(StationConfig.parse(c.toJson().encodePrettily())).isEqualTo(c);
    }

    @Test
    void defaultsRefuseMorePortsThanTheProfileWires() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> StationConfig.defaults("st-001", "x",
                "http://h", MQTT, "pi4b-standard", 9, 10, 10, 30));
        assertThat(e.problems()).containsExactly(
                "ports: profile pi4b-standard wires at most 8 charger ports, asked for 9");
        assertThat(catchThrowableOfType(ConfigException.class, () -> StationConfig.defaults("st-001", "x",
                "http://h", MQTT, "pi4b-standard", -1, 10, 10, 30))).isNotNull();
    }

    @Test
    void namesAPinTheBoardDoesNotHave() {
        JsonObject json = valid();
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(2).put("relayPin", 40);
        assertThat(problemsOf(json)).containsExactly("charger.ports[2].relayPin: pin 40 does not exist on pi4b");
    }

    @Test
    void refusesARelayOnTheDoorRelayPin() throws ConfigException {
        int doorRelay = HardwareProfile.load("pi4b-standard").doorRelayPin();
        JsonObject json = valid();
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(0).put("relayPin", doorRelay);
        assertThat(problemsOf(json)).containsExactly(
                "charger.ports[0].relayPin: pin " + doorRelay + " is already used by the door relay");
    }

    @Test
    void refusesTwoPortsOnOneRelayPinAndOnePortNumberTwice() {
        JsonObject json = valid();
        JsonArray ports = json.getJsonObject("charger").getJsonArray("ports");
        ports.getJsonObject(1).put("relayPin", 5);
        ports.getJsonObject(2).put("port", 1);
        assertThat(problemsOf(json)).containsExactly(
                "charger.ports[1].relayPin: pin 5 is already used by the relay of port 1",
                "charger.ports[2].port: port 1 is listed twice");
    }

    @Test
    void checksPinsAgainstTheChosenProfile() throws ConfigException {
        JsonObject json = valid();
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(2).put("relayPin", 30);
        assertThat(problemsOf(json)).containsExactly("charger.ports[2].relayPin: pin 30 does not exist on pi4b");
        json.put("profile", "simulated");
        assertThat(StationConfig.parse(json).charger().ports()).contains(new StationConfig.Port(3, 30));
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(0).put("relayPin", 26);
        json.put("profile", "pi5-standard");
        assertThat(problemsOf(json)).containsExactly(
                "charger.ports[0].relayPin: pin 26 is already used by the door relay",
                "charger.ports[2].relayPin: pin 30 does not exist on pi5");
    }

    @Test
    void readsActiveLowRelaysPerOutputAndWritesThemBack() throws ConfigException {
        assertThat(StationConfig.parse(valid()).door().relayActiveLow()).as("active-high unless said").isFalse();
        JsonObject json = valid();
        json.getJsonObject("door").put("relayActiveLow", true);
        json.getJsonObject("charger").put("relayActiveLow", true);
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(1).put("relayActiveLow", false);
        StationConfig c = StationConfig.parse(json);
        assertThat(c.door().relayActiveLow()).isTrue();
        assertThat(c.charger().ports()).extracting(StationConfig.Port::relayActiveLow)
                .containsExactly(true, false, true);
        assertThat(StationConfig.parse(c.toJson())).isEqualTo(c);
        json.getJsonObject("door").put("relayActiveLow", "yes");
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(0).put("relayActiveLow", 0);
        assertThat(problemsOf(json)).containsExactly("door.relayActiveLow: must be true or false",
                "charger.ports[0].relayActiveLow: must be true or false");
    }

    @Test
    void refusesAPartOnTheOneWirePinOnlyWhenTemperatureSensorsAreWired() throws ConfigException {
        JsonObject json = valid();
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(0).put("relayPin", 4);
        assertThat(StationConfig.parse(json).charger().ports().get(0).relayPin()).as("no 1-Wire bus: pin 4 is free")
                .isEqualTo(4);
        json.getJsonObject("charger").put("roomTempSensor", "28-0316a2790c4f");
        assertThat(problemsOf(json)).containsExactly("pins: GPIO 4 carries the 1-Wire bus of the temperature sensors "
                + "(dtoverlay=w1-gpio) but profile pi4b-standard, charger.ports or roomLoads puts the relay of port 1 on it; "
                + "wire the relay of port 1 to a free pin");
    }

    @Test
    void refusesAPartOnThePinsOfTheMetersI2cBus() throws ConfigException {
        JsonObject json = valid();
        JsonArray ports = json.getJsonObject("charger").getJsonArray("ports");
        for (int i = 0; i < ports.size(); i++) {
            ports.getJsonObject(i).put("meterAddress", 0x40 + i);
        }
        ports.getJsonObject(0).put("relayPin", 3);
        json.getJsonObject("charger").put("meter", new JsonObject().put("type", "ina226").put("i2cBus", 1));
        assertThat(problemsOf(json)).containsExactly("pins: GPIO 3 is SCL of I2C bus 1, which the ina226 meters use, "
                + "but the relay of port 1 is wired to it; wire the relay of port 1 to a free pin");
        ports.getJsonObject(0).put("relayPin", 7);
        json.getJsonObject("charger").getJsonObject("meter").put("i2cBus", 6);
        assertThat(problemsOf(json)).as("bus 6 is on GPIO 22 and 23, the beams of pi4b-standard").containsExactly(
                "pins: GPIO 22 is SDA of I2C bus 6, which the ina226 meters use, but the outer beam is wired to it; "
                        + "wire the outer beam to a free pin",
                "pins: GPIO 23 is SCL of I2C bus 6, which the ina226 meters use, but the inner beam is wired to it; "
                        + "wire the inner beam to a free pin");
        json.getJsonObject("charger").getJsonObject("meter").put("i2cBus", 11);
        assertThat(StationConfig.parse(json).charger().meter().i2cBus()).as("a USB adapter's bus takes no GPIO pin")
                .isEqualTo(11);
    }

    @ParameterizedTest
    @MethodSource("builtInProfiles")
    void everyBuiltInProfileLeavesTheOneWireAndI2cPinsFree(String profile) throws ConfigException {
        JsonObject json = valid().put("profile", profile);
        JsonArray ports = json.getJsonObject("charger").getJsonArray("ports");
        for (int i = 0; i < ports.size(); i++) {
            ports.getJsonObject(i).put("meterAddress", 0x40 + i);
        }
        json.getJsonObject("charger").put("roomTempSensor", "28-0316a2790c4f")
                .put("meter", new JsonObject().put("type", "ina226").put("i2cBus", 1));
        StationConfig c = StationConfig.parse(json);
        HardwareProfile p = HardwareProfile.load(profile);
        assertThat(List.of(p.doorRelayPin(), p.doorContactPin(), p.exitButtonPin(), p.beamOuterPin(),
                p.beamInnerPin(), p.pirPin(), p.smokePin())).doesNotContain(2, 3, 4);
        assertThat(c.charger().meter().type()).isEqualTo("ina226");
    }

    @Test
    void reportsEveryProblemAtOnceWithItsPath() {
        JsonObject json = valid();
        json.put("stationId", "ST 001");
        json.getJsonObject("hub").put("url", "ftp://hub");
        json.getJsonObject("mqtt").put("port", 70000).remove("host");
        json.put("heartbeatSeconds", "10");
        json.getJsonObject("door").put("unlockSeconds", 0);
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(1).put("relayPin", 40);
        json.getJsonObject("occupancy").put("capacity", 2.5);
        json.getJsonObject("http").put("port", -1);
        List<String> problems = problemsOf(json);
        assertThat(problems).containsExactlyInAnyOrder(
                "stationId: 'ST 001' must be 3 to 40 of a-z, 0-9 and '-'",
                "hub.url: 'ftp://hub' must be an http:// or https:// address with a host",
                "mqtt.host: is required",
                "mqtt.port: 70000 is out of range, must be 1 to 65535",
                "mqtt.username: must equal stationId 'ST 001'",
                "heartbeatSeconds: must be a whole number, was '10'",
                "door.unlockSeconds: 0 is out of range, must be 1 to 60",
                "charger.ports[1].relayPin: pin 40 does not exist on pi4b",
                "occupancy.capacity: must be a whole number, was 2.5",
                "http.port: -1 is out of range, must be 0 to 65535");
    }

    @Test
    void reportsMissingRequiredBlocks() {
        assertThat(problemsOf(new JsonObject())).containsExactlyInAnyOrder(
                "stationId: is required", "hub: is required", "hub.url: is required", "mqtt: is required",
                "mqtt.host: is required", "mqtt.username: is required", "mqtt.password: is required",
                "profile: is required");
    }

    @Test
    void refusesAnUnknownProfile() {
        JsonObject json = valid().put("profile", "pi3-legacy");
        assertThat(problemsOf(json)).containsExactly(
                "profile: unknown hardware profile 'pi3-legacy', known are [pi4b-standard, pi5-standard, simulated]");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> HardwareProfile.load("../etc/passwd"));
        assertThat(e.problems()).singleElement().asString().startsWith("profile: unknown hardware profile");
    }

    @Test
    void refusesWrongTypes() {
        JsonObject json = valid();
        json.put("hub", "https://hub.example.org");
        json.getJsonObject("mqtt").put("tls", "yes").put("keepAliveSeconds", "30").put("password", 42);
        json.put("charger", new JsonObject().put("ports", new JsonObject()));
        json.put("door", new JsonArray());
        json.put("name", "");
        assertThat(problemsOf(json)).containsExactlyInAnyOrder(
                "hub: must be an object",
                "hub.url: is required",
                "mqtt.tls: must be true or false",
                "mqtt.keepAliveSeconds: must be a whole number, was '30'",
                "mqtt.password: must be a non-empty text",
                "charger.ports: must be a list",
                "door: must be an object",
                "name: must be a non-empty text");
    }

    @Test
    void refusesPortEntriesThatAreNotObjectsOrLackFields() {
        JsonObject json = valid();
        json.getJsonObject("charger").put("ports", new JsonArray().add(7).add(new JsonObject().put("port", 2))
                .add(new JsonObject().put("port", 3).put("relayPin", 64)));
        assertThat(problemsOf(json)).containsExactly(
                "charger.ports[0]: must be an object with port and relayPin",
                "charger.ports[1].relayPin: is required",
                "charger.ports[2].relayPin: 64 is out of range, must be 0 to 63");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2,3]", "{\"stationId\":", "null", "42"})
    void refusesTextThatIsNotAJsonObject(String text) {
        List<String> problems = problemsOf(text);
        assertThat(problems).singleElement().asString().startsWith("$: not a JSON object");
    }

    @Test
    void refusesNullText() {
        assertThat(problemsOf((String) null)).singleElement().asString().startsWith("$: not a JSON object");
    }

    @Test
    void requiresTheMqttUsernameToBeTheStationId() {
        JsonObject json = valid();
        json.getJsonObject("mqtt").put("username", "st-002");
        assertThat(problemsOf(json)).containsExactly("mqtt.username: must equal stationId 'st-001'");
    }

    @Test
    void neverShowsThePasswordInText() throws ConfigException {
        StationConfig c = StationConfig.parse(valid());
        assertThat(c.toString()).doesNotContain(SECRET).contains("password=***").contains("st-001");
        assertThat(c.mqtt().toString()).doesNotContain(SECRET);
        JsonObject json = valid();
        json.getJsonObject("mqtt").put("port", "x");
        assertThat(problemsOf(json).toString()).doesNotContain(SECRET);
    }

    @Test
    void keepsThePasswordInTheJsonForm() throws ConfigException {
        StationConfig c = StationConfig.parse(valid());
        assertThat(c.toJson().getJsonObject("mqtt").getString("password")).isEqualTo(SECRET);
    }

    @Test
    void replacesMqttAndHttpSettings() throws ConfigException {
        StationConfig c = StationConfig.parse(valid());
        StationConfig.Mqtt other = new StationConfig.Mqtt("10.0.0.2", 1883, false, "st-001", "x", 60);
        assertThat(c.withMqtt(other).mqtt()).isEqualTo(other);
        assertThat(c.withMqtt(other).charger()).isEqualTo(c.charger());
        assertThat(c.withHttp(new StationConfig.LocalHttp("0.0.0.0", 0)).http().port()).isZero();
    }

    @Test
    void givesChargerRulesAndDriftTheTradeDefaultsWhenAbsent() throws ConfigException {
        StationConfig c = StationConfig.parse(valid());
        StationConfig.Rules r = c.charger().rules();
        assertThat(r).isEqualTo(StationConfig.Rules.DEFAULTS);
        assertThat(r.fullThresholdW()).isEqualTo(30.0);
        assertThat(r.fullAfterSeconds()).isEqualTo(600);
        assertThat(r.floatMaxSeconds()).isEqualTo(3600);
        assertThat(r.sessionLimitMinutes()).isEqualTo(240);
        assertThat(c.charger().meter()).isEqualTo(StationConfig.Meter.NONE);
        assertThat(c.occupancy().driftMinutes()).isEqualTo(30);
    }

    @Test
    void readsChargerRulesMeterWiringAndDriftAndWritesThemBack() throws ConfigException {
        JsonObject json = valid();
        JsonObject charger = json.getJsonObject("charger");
        charger.put("fullThresholdW", 25.5).put("fullAfterSeconds", 2).put("floatMaxSeconds", 0)
                .put("sessionLimitMinutes", 300).put("portMaxW", 800).put("portMaxCurrentA", 4.5)
                .put("portMaxTempC", 55).put("cabinetMaxW", 2000).put("cabinetReserveW", 250)
                .put("dailySessions", 2).put("dailyEnergyWh", 1500)
                .put("meter", new JsonObject().put("type", "ina226").put("i2cBus", 1).put("shuntOhms", 0.002)
                        .put("maxCurrentA", 10).put("busScale", 3));
        charger.getJsonArray("ports").forEach(p -> ((JsonObject) p).put("meterAddress",
                0x3F + ((JsonObject) p).getInteger("port")));
        json.getJsonObject("occupancy").put("driftMinutes", 45);
        StationConfig c = StationConfig.parse(json);
        assertThat(c.charger().rules()).isEqualTo(new StationConfig.Rules(25.5, 2, 0, 300, 800, 4.5, 55, 2000, 250,
                2, 1500));
        assertThat(c.charger().meter()).isEqualTo(new StationConfig.Meter("ina226", 1, 0.002, 10, 3));
        assertThat(c.charger().ports().get(0).meterAddress()).hasValue(0x40);
        assertThat(c.occupancy().driftMinutes()).isEqualTo(45);
        assertThat(StationConfig.parse(c.toJson().encode())).isEqualTo(c);
    }

    @Test
    void refusesBadChargerRulesAndMeterWiringByName() {
        JsonObject json = valid();
        json.getJsonObject("charger").put("fullThresholdW", "low").put("sessionLimitMinutes", 721)
                .put("portMaxCurrentA", -1).put("meter", new JsonObject().put("type", "ina226"));
        json.getJsonObject("charger").getJsonArray("ports").getJsonObject(0).put("meterAddress", 0x90);
        json.getJsonObject("occupancy").put("driftMinutes", 0);
        assertThat(problemsOf(json)).anyMatch(p -> p.startsWith("charger.fullThresholdW: must be a number"))
                .anyMatch(p -> p.startsWith("charger.sessionLimitMinutes: 721 is out of range"))
                .anyMatch(p -> p.startsWith("charger.portMaxCurrentA: -1.0 is out of range"))
                .anyMatch(p -> p.startsWith("charger.ports[0].meterAddress: 144 is out of range"))
                .anyMatch(p -> p.contains("port 2 has no meterAddress"))
                .anyMatch(p -> p.startsWith("occupancy.driftMinutes: 0 is out of range"));
        JsonObject unknown = valid();
        unknown.getJsonObject("charger").put("meter", new JsonObject().put("type", "bl0942"));
        assertThat(problemsOf(unknown)).anyMatch(p -> p.startsWith("charger.meter.type: 'bl0942' is not one of"));
    }

    @Test
    void defaultsTheOutboxLimitsForAnSdCard() throws ConfigException {
        StationConfig c = StationConfig.parse(valid());
        assertThat(c.outbox()).isEqualTo(new StationConfig.OutboxLimits(1_000_000, 256 * 1024 * 1024, 10_000,
                16 * 1024 * 1024));
        JsonObject json = valid().put("outbox", new JsonObject().put("maxEvents", 5000).put("maxBytes", 8 << 20));
        StationConfig small = StationConfig.parse(json);
        assertThat(small.outbox().maxEvents()).isEqualTo(5000);
        assertThat(small.outbox().memoryEvents()).as("the memory queue is never larger than the outbox").isEqualTo(5000);
        assertThat(StationConfig.parse(small.toJson())).isEqualTo(small);
    }

    @Test
    void refusesBadOutboxLimitsByName() {
        JsonObject json = valid().put("outbox", new JsonObject().put("maxEvents", 0).put("maxBytes", "lots")
                .put("memoryEvents", 2_000_000));
        assertThat(problemsOf(json)).anyMatch(p -> p.startsWith("outbox.maxEvents: 0 is out of range"))
                .anyMatch(p -> p.startsWith("outbox.maxBytes: must be a whole number, was 'lots'"))
                .anyMatch(p -> p.startsWith("outbox.memoryEvents: 2000000 is out of range"));
        JsonObject bigger = valid().put("outbox", new JsonObject().put("maxEvents", 100).put("memoryEvents", 500));
        assertThat(problemsOf(bigger)).contains("outbox.memoryEvents: 500 is more than outbox.maxEvents (100)");
    }
}
