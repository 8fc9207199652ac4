package org.yizhan.agent.hardware.board;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2C;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yizhan.agent.hardware.MeterException;
import org.yizhan.agent.hardware.PowerReading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The INA226 driver against Pi4J's mock I2C device: register bytes go in as the chip would hold them, and the
 * driver's writes are read back from the mock. Values come from TI's INA226 datasheet (SBOS547), Table 1
 * "Configure/Measure/Calculate Example": load 10 A, VCM = VBUS = 12 V, RSHUNT = 2 mΩ, Current_LSB = 1 mA.
 */
class Ina226Test {

    private Context pi4j;
    private I2C chip;

    @BeforeEach
    void setUp() {
        pi4j = Pi4J.newContextBuilder().add(new MockPlatform()).add(MockI2CProvider.newInstance()).build();
        chip = pi4j.create(I2C.newConfigBuilder(pi4j).id("ina226-test").bus(1).device(0x40)
                .provider("mock-i2c"));
    }

    @AfterEach
    void tearDown() {
        pi4j.shutdown();
    }

    private void hold(int register, int word) {
        chip.writeRegister(register, new byte[] {(byte) (word >> 8), (byte) word}, 0, 2);
    }

    private int written(int register) {
        byte[] b = new byte[2];
        assertThat(chip.readRegister(register, b, 0, 2)).as("bytes the driver wrote to %02X", register).isEqualTo(2);
        return ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
    }

    private void identity() {
        hold(Ina226.REG_MANUFACTURER_ID, 0x5449); // Table 7-1: Manufacturer ID register FEh reads 5449h ("TI")
        hold(Ina226.REG_DIE_ID, 0x2260);          // Table 7-1: Die ID register FFh reads 2260h
    }

    /** Table 1, steps 2, 3, 5 and 6: the registers after the 10 A example conversion. */
    private void holdTable1Example() {
        hold(Ina226.REG_SHUNT, 0x1F40);   // step 2: shunt 1F40h = 8000 × 2.5 µV = 20 mV
        hold(Ina226.REG_BUS, 0x2570);     // step 3: bus 2570h = 9584 × 1.25 mV = 11.98 V
        hold(Ina226.REG_CURRENT, 0x2710); // step 5: current 2710h = 10000 × 1 mA = 10 A
        hold(Ina226.REG_POWER, 0x12B8);   // step 6: power 12B8h = 4792 × 25 mW = 119.8 W
    }

    @Test
    void calibratesAsTheDatasheetExampleAndWritesConfigurationAndCalibration() {
        // Equation 1: CAL = 0.00512 / (1 mA × 2 mΩ) = 2560 = 0A00h, Table 1 step 4
        Ina226 meter = new Ina226(chip, 0.002, 0.001, 1);
        assertThat(meter.calibration()).isEqualTo(0x0A00);
        identity();
        meter.init();
        assertThat(written(Ina226.REG_CONFIG)).as("16 averages, 1.1 ms conversions, continuous").isEqualTo(0x4527);
        assertThat(written(Ina226.REG_CALIBRATION)).isEqualTo(0x0A00);
    }

    @Test
    void readsTheDatasheetExampleAsTenAmpsAndAbout120Watts() {
        Ina226 meter = new Ina226(chip, 0.002, 0.001, 1);
        identity();
        meter.init();
        holdTable1Example();
        PowerReading r = meter.read();
        assertThat(r.plugged()).isTrue();
        assertThat(r.currentA()).hasValue(10.0);
        assertThat(r.powerW()).as("4792 × 25 mW").isCloseTo(119.8, within(1e-9));
        assertThat(r.tempC()).as("the INA226 has no temperature sensor").isEmpty();
    }

    @Test
    void choosesTheCurrentLsbFromTheLargestExpectedCurrent() {
        // Equation 2: Current_LSB ≥ 10 A / 2^15 = 305 µA, rounded up to 500 µA; CAL = 0.00512 / (500 µA × 2 mΩ)
        Ina226 meter = Ina226.forMaxCurrent(chip, 0.002, 10, 1);
        assertThat(meter.currentLsbA()).isEqualTo(0.0005);
        assertThat(meter.calibration()).isEqualTo(5120);
        assertThatThrownBy(() -> new Ina226(chip, 0.0001, 0.000001, 1))
                .as("a calibration over 15 bits").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15 bits");
    }

    @Test
    void scalesBusVoltageAndPowerThroughTheDivider() {
        Ina226 meter = new Ina226(chip, 0.002, 0.001, 4);
        identity();
        meter.init();
        holdTable1Example();
        hold(Ina226.REG_BUS, 0x2570);
        assertThat(meter.busVolts()).isCloseTo(47.92, within(1e-9));
        holdTable1Example();
        assertThat(meter.read().powerW()).isCloseTo(479.2, within(1e-9));
    }

    @Test
    void refusesAChipThatIsNotAnIna226() {
        Ina226 meter = new Ina226(chip, 0.002, 0.001, 1);
        hold(Ina226.REG_MANUFACTURER_ID, 0x5449);
        hold(Ina226.REG_DIE_ID, 0x2190); // an INA219-like id
        assertThatThrownBy(meter::init).isInstanceOf(MeterException.class).hasMessageContaining("not an INA226");
    }

    @Test
    void failsWhenTheChipDoesNotAnswer() {
        Ina226 meter = new Ina226(chip, 0.002, 0.001, 1);
        identity();
        meter.init();
        // nothing held in the registers: the mock device has no bytes to give, as a chip off the bus
        assertThatThrownBy(meter::read).isInstanceOf(MeterException.class);
    }

    @Test
    void failsWhenTheChipLostItsCalibration() {
        Ina226 meter = new Ina226(chip, 0.002, 0.001, 1);
        identity();
        meter.init();
        holdTable1Example();
        hold(Ina226.REG_CURRENT, 0x0000); // a chip that reset reads 0 A (CAL = 0) while the shunt shows 20 mV
        hold(Ina226.REG_CURRENT, 0x0000);
        byte[] drain = new byte[2];
        chip.readRegister(Ina226.REG_CURRENT, drain, 0, 2); // keep only one zero word queued after 2710h
        assertThatThrownBy(meter::read).isInstanceOf(MeterException.class);
    }
}
