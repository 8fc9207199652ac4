package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Charger ports metered by Modbus RTU energy meters on one RS-485 line. */
class StationConfigModbusTest {

    private static JsonObject config(JsonObject meter, JsonArray ports) {
        return new JsonObject()
                .put("stationId", "st-001")
                .put("hub", new JsonObject().put("url", "https://hub.example.org"))
                .put("mqtt", new JsonObject().put("host", "hub.example.org").put("username", "st-001")
                        .put("password", "s3cret-Very-Long-Station-Password-42"))
                .put("profile", "pi4b-standard")
                .put("charger", new JsonObject().put("ports", ports).put("meter", meter));
    }

    private static JsonArray twoPorts(int address1, int address2) {
        return new JsonArray()
                .add(new JsonObject().put("port", 1).put("relayPin", 5).put("meterAddress", address1))
                .add(new JsonObject().put("port", 2).put("relayPin", 6).put("meterAddress", address2));
    }

    private static JsonObject modbus(JsonObject line) {
        return new JsonObject().put("type", "modbus-rtu").put("modbus", line);
    }

    private static List<String> problemsOf(JsonObject json) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> StationConfig.parse(json));
        assertThat(e).as("the configuration must be refused").isNotNull();
        return e.problems();
    }

    @Test
    void readsAnSdm120LineWithItsDefaultsAndWritesItBack() throws ConfigException {
        StationConfig c = StationConfig.parse(config(modbus(new JsonObject().put("device", "/dev/ttyUSB0")
                .put("model", "sdm120")), twoPorts(1, 2)));
        StationConfig.ModbusRtu line = c.charger().meter().modbus().orElseThrow();
        assertThat(line).isEqualTo(new StationConfig.ModbusRtu("/dev/ttyUSB0", 9600, "none", 1, 500,
                StationConfig.RegisterMap.SDM120));
        assertThat(line.registers().function()).as("SDM120 readings are input registers").isEqualTo(4);
        assertThat(line.registers().energy()).isEqualTo(0x0156);
        assertThat(c.charger().ports()).extracting(StationConfig.Port::meterAddress)
                .containsExactly(OptionalInt.of(1), OptionalInt.of(2));
        assertThat(StationConfig.parse(c.toJson())).as("JSON round trip").isEqualTo(c);
        assertThat(c.toJson().getJsonObject("charger").getJsonObject("meter").getJsonObject("modbus")
                .containsKey("registers")).as("a named model is written by name").isFalse();
    }

    @Test
    void readsANamedDdsu666AndACustomRegisterMap() throws ConfigException {
        StationConfig ddsu = StationConfig.parse(config(modbus(new JsonObject().put("device", "/dev/ttyAMA0")
                .put("baudRate", 2400).put("parity", "even").put("stopBits", 1).put("model", "ddsu666")),
                twoPorts(10, 11)));
        StationConfig.ModbusRtu line = ddsu.charger().meter().modbus().orElseThrow();
        assertThat(line.registers()).isEqualTo(StationConfig.RegisterMap.DDSU666);
        assertThat(line.registers().powerScale()).as("DDSU666 gives kW").isEqualTo(1000);
        assertThat(line.parity()).isEqualTo("even");

        JsonObject registers = new JsonObject().put("function", 3).put("voltage", 100).put("current", 102)
                .put("power", 110).put("energy", 200).put("powerScale", 1000).put("energyScale", 1000)
                .put("lowWordFirst", true);
        StationConfig custom = StationConfig.parse(config(modbus(new JsonObject().put("device", "/dev/ttyUSB1")
                .put("baudRate", 19200).put("stopBits", 2).put("timeoutMs", 250).put("registers", registers)),
                twoPorts(1, 2)));
        StationConfig.ModbusRtu c = custom.charger().meter().modbus().orElseThrow();
        assertThat(c.registers()).isEqualTo(new StationConfig.RegisterMap("custom", 3, 100, 102, 110, 200, 1000,
                1000, true));
        assertThat(c.stopBits()).isEqualTo(2);
        assertThat(c.timeoutMs()).isEqualTo(250);
        assertThat(StationConfig.parse(custom.toJson())).as("JSON round trip of a custom map").isEqualTo(custom);
    }

    @Test
    void refusesABadLineWithEveryProblemByPath() {
        List<String> problems = problemsOf(config(modbus(new JsonObject().put("device", "/dev/../etc/passwd")
                .put("baudRate", 9601).put("parity", "mark").put("stopBits", 3).put("timeoutMs", 10)
                .put("model", "sdm630")), twoPorts(0, 248)));
        assertThat(problems).containsExactlyInAnyOrder(
                "charger.meter.modbus.device: '/dev/../etc/passwd' must be a serial device under /dev, like "
                        + "/dev/ttyUSB0 or /dev/ttyAMA0",
                "charger.meter.modbus.baudRate: 9601 is not one of [1200, 2400, 4800, 9600, 19200, 38400, 57600, "
                        + "115200]",
                "charger.meter.modbus.parity: 'mark' is not one of [none, even, odd]",
                "charger.meter.modbus.stopBits: 3 is out of range, must be 1 to 2",
                "charger.meter.modbus.timeoutMs: 10 is out of range, must be 20 to 2000",
                "charger.meter.modbus.model: 'sdm630' is not one of [ddsu666, sdm120] or custom (with registers)",
                "charger.ports[0].meterAddress: 0 is out of range, must be 1 to 247",
                "charger.ports[1].meterAddress: 248 is out of range, must be 1 to 247");
    }

    @Test
    void refusesAModbusMeterWithoutItsLineAndALineOnAnotherMeterType() {
        assertThat(problemsOf(config(new JsonObject().put("type", "modbus-rtu"), twoPorts(1, 2)))).containsExactly(
                "charger.meter.modbus: is required for a modbus-rtu meter (device, baudRate, parity, stopBits, "
                        + "model)");
        assertThat(problemsOf(config(new JsonObject().put("type", "ina226")
                .put("modbus", new JsonObject().put("device", "/dev/ttyUSB0")), twoPorts(0x40, 0x41))))
                .containsExactly("charger.meter.modbus: is only for a modbus-rtu meter, the type is 'ina226'");
    }

    @Test
    void everyPortNeedsAnAddressOfItsOwnOnTheLine() {
        JsonArray ports = twoPorts(3, 3).add(new JsonObject().put("port", 3).put("relayPin", 12));
        assertThat(problemsOf(config(modbus(new JsonObject().put("device", "/dev/ttyUSB0")), ports)))
                .containsExactlyInAnyOrder(
                        "charger.ports: ports 1 and 2 both have meterAddress 3; each port's meter needs its own "
                                + "address",
                        "charger.ports: port 3 has no meterAddress, the modbus-rtu meter needs one");
    }

    @Test
    void refusesACustomMapWithMissingOrOverlappingRegistersOrANamedModelWithRegisters() {
        JsonObject overlapping = new JsonObject().put("function", 6).put("voltage", 0).put("current", 1)
                .put("power", 12);
        assertThat(problemsOf(config(modbus(new JsonObject().put("device", "/dev/ttyUSB0")
                .put("model", "custom").put("registers", overlapping)), twoPorts(1, 2))))
                .containsExactlyInAnyOrder(
                        "charger.meter.modbus.registers.function: 6 is out of range, must be 3 to 4",
                        "charger.meter.modbus.registers.energy: is required",
                        "charger.meter.modbus.registers.current: register 1 is also part of voltage; each value "
                                + "takes two registers of its own");
        assertThat(problemsOf(config(modbus(new JsonObject().put("device", "/dev/ttyUSB0").put("model", "custom")),
                twoPorts(1, 2)))).containsExactly("charger.meter.modbus.registers: model custom needs registers "
                + "{function, voltage, current, power, energy, powerScale, energyScale}");
        assertThat(problemsOf(config(modbus(new JsonObject().put("device", "/dev/ttyUSB0").put("model", "sdm120")
                .put("registers", new JsonObject())), twoPorts(1, 2)))).containsExactly(
                "charger.meter.modbus.registers: given with model 'sdm120'; give model custom with registers, "
                        + "or a named model alone");
    }

    @Test
    void refusesAPartOnTheUartPinsWhenTheMetersUseThePisOwnSerialPort() throws ConfigException {
        JsonArray ports = twoPorts(1, 2);
        ports.getJsonObject(1).put("relayPin", 14);
        JsonObject usb = modbus(new JsonObject().put("device", "/dev/ttyUSB0"));
        assertThat(StationConfig.parse(config(usb, ports)).charger().ports().get(1).relayPin())
                .as("a USB adapter leaves GPIO 14 free").isEqualTo(14);
        assertThat(problemsOf(config(modbus(new JsonObject().put("device", "/dev/ttyAMA0")), ports)))
                .containsExactly("pins: GPIO 14 is TXD of /dev/ttyAMA0, the serial line of the modbus-rtu meters, "
                        + "but the relay of port 2 is wired to it; wire the relay of port 2 to a free pin");
    }
}
