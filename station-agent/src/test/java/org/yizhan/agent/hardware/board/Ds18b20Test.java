package org.yizhan.agent.hardware.board;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yizhan.agent.hardware.SensorException;
import org.yizhan.agent.hardware.Thermometers;
import org.yizhan.config.StationConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DS18B20 driver against files laid out as the kernel's w1-therm driver shows them under
 * {@code /sys/bus/w1/devices}, in a temporary directory. Register values are the datasheet's
 * (Maxim DS18B20, Table 1 "Temperature/Data Relationship").
 */
class Ds18b20Test {

    private static final String ID = "28-0316a2790c4f";

    @TempDir
    Path devices;

    @ParameterizedTest(name = "{0} °C <-> 0x{1}")
    @CsvSource({
            "125, 07D0",
            "25.0625, 0191",
            "10.125, 00A2",
            "0.5, 0008",
            "0, 0000",
            "-0.5, FFF8",
            "-10.125, FF5E",
            "-25.0625, FE6F",
            "-55, FC90"})
    void readsTheDatasheetTableFromW1SlaveFiles(double celsius, String hex) throws Exception {
        int raw = Integer.parseInt(hex, 16);
        W1Files.writeText(devices, ID, W1Files.w1Slave(raw, true));
        assertThat(Files.readString(devices.resolve(ID).resolve("w1_slave")))
                .as("scratchpad LSB first").startsWith(String.format("%02x %02x ", raw & 0xff, raw >> 8));
        assertThat(new Ds18b20(devices, ID).readCelsius()).isEqualTo(celsius);
        assertThat(Ds18b20.celsius(raw & 0xff, raw >> 8)).isEqualTo(celsius);
    }

    @Test
    void theDatasheets85DegreesParsesButAFreshSensorReadingItTwiceIsSuspect() throws Exception {
        W1Files.writeText(devices, ID, W1Files.w1Slave(0x0550, true));
        assertThat(Ds18b20.parseW1Slave(Files.readString(devices.resolve(ID).resolve("w1_slave")))).isEqualTo(85.0);
        assertThat(Ds18b20.celsius(0x50, 0x05)).isEqualTo(85.0);
        assertThatThrownBy(() -> new Ds18b20(devices, ID).readCelsius()).isInstanceOf(SensorException.class)
                .hasMessageContaining("power-on reset");
    }

    @Test
    void believes85DegreesWhenTheSensorWasAlreadyNearIt() throws Exception {
        Ds18b20 sensor = new Ds18b20(devices, ID);
        W1Files.write(devices, ID, 83.5);
        assertThat(sensor.readCelsius()).isEqualTo(83.5);
        W1Files.writeText(devices, ID, W1Files.w1Slave(0x0550, true));
        assertThat(sensor.readCelsius()).as("a heating port passing 85 °C").isEqualTo(85.0);
    }

    @Test
    void refusesAReadingWhoseCrcLineSaysNo() throws Exception {
        W1Files.writeText(devices, ID, W1Files.w1Slave(0x0191, false));
        assertThatThrownBy(() -> new Ds18b20(devices, ID).readCelsius()).isInstanceOf(SensorException.class)
                .hasMessageContaining("CRC check failed");
    }

    @Test
    void aMissingSensorIsASensorFailure() {
        assertThatThrownBy(() -> new Ds18b20(devices, ID).readCelsius()).isInstanceOf(SensorException.class)
                .hasMessageContaining("is not on the 1-Wire bus");
    }

    @Test
    void readsTheTemperatureFileOfNewerKernels() throws Exception {
        Files.createDirectories(devices.resolve(ID));
        Files.writeString(devices.resolve(ID).resolve("temperature"), "-10125\n");
        assertThat(new Ds18b20(devices, ID).readCelsius()).isEqualTo(-10.125);
    }

    @Test
    void refusesMalformedOrInconsistentFiles() {
        String good = W1Files.w1Slave(0x0191, true);
        List<String> bad = List.of(
                "",
                good.lines().findFirst().orElseThrow(),
                good.replace("t=25062", "t=31000"),
                good.replace("t=25062", "t=abc"),
                "91 01 4b 46 : crc=1c YES\n91 01 4b 46 t=25062\n",
                "zz 01 4b 46 7f ff 0c 10 1c : crc=1c YES\nzz 01 4b 46 7f ff 0c 10 1c t=25062\n");
        for (String text : bad) {
            assertThatThrownBy(() -> Ds18b20.parseW1Slave(text)).as(text).isInstanceOf(SensorException.class);
        }
        assertThat(Ds18b20.parseW1Slave(good)).isEqualTo(25.0625);
        assertThatThrownBy(() -> Ds18b20.parseMillidegrees("hot")).isInstanceOf(SensorException.class);
        assertThatThrownBy(() -> Ds18b20.celsius(0xff, 0x7f)).as("0x7FFF is outside -55..+125 °C")
                .isInstanceOf(SensorException.class);
    }

    @Test
    void wiresTheConfiguredSensorsToPortsCabinetAndRoom() throws Exception {
        StationConfig.Charger charger = new StationConfig.Charger(
                List.of(new StationConfig.Port(1, 5, OptionalInt.empty(), Optional.of(ID)),
                        new StationConfig.Port(2, 6)),
                StationConfig.Rules.DEFAULTS, StationConfig.Meter.NONE, Optional.of("28-00000a1b2c3d"),
                Optional.empty());
        W1Files.write(devices, ID, 31.5);
        W1Files.write(devices, "28-00000a1b2c3d", 27.25);
        Thermometers t = BoardHardware.ds18b20(devices, charger);
        assertThat(t.ports()).containsOnlyKeys(1);
        assertThat(t.ports().get(1).readCelsius()).isEqualTo(31.5);
        assertThat(t.cabinet().orElseThrow().readCelsius()).isEqualTo(27.25);
        assertThat(t.room()).isEmpty();
        assertThat(BoardHardware.ds18b20(devices, new StationConfig.Charger(List.of())).isEmpty()).isTrue();
    }
}
