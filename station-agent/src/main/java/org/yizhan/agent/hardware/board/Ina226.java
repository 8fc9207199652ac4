package org.yizhan.agent.hardware.board;

import com.pi4j.io.i2c.I2C;
import org.yizhan.agent.hardware.MeterException;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;

import java.util.OptionalDouble;

/**
 * Driver for the Texas Instruments INA226 current/power monitor on I2C (datasheet SBOS547), one per charger
 * port's DC output, behind {@link PowerMeter}. Registers are 16 bits, most significant byte first.
 * <p>
 * Calibration follows the datasheet's "Programming the Calibration Register": Current_LSB is at least
 * maximum expected current / 2^15 (Equation 2), rounded up here to 1, 2 or 5 × 10^n A, and
 * CAL = trunc(0.00512 / (Current_LSB × R_SHUNT)) (Equation 1); the Power register's LSB is 25 × Current_LSB.
 * Every read checks that the chip is still calibrated: the Current register must agree with the shunt voltage
 * divided by the shunt resistance (a chip that browned out and reset reads 0 A while current flows).
 * Bus voltage above the 36 V the VBUS pin takes is read through a divider whose ratio is {@code busScale}.
 */
public final class Ina226 implements PowerMeter {

    static final int REG_CONFIG = 0x00;
    static final int REG_SHUNT = 0x01;
    static final int REG_BUS = 0x02;
    static final int REG_POWER = 0x03;
    static final int REG_CURRENT = 0x04;
    static final int REG_CALIBRATION = 0x05;
    static final int REG_MANUFACTURER_ID = 0xFE;
    static final int REG_DIE_ID = 0xFF;

    /** "TI" in ASCII (Manufacturer ID register, FEh). */
    static final int MANUFACTURER_TI = 0x5449;
    /** Die ID register (FFh): bits 15-4 device id 0x226, bits 3-0 revision. */
    static final int DEVICE_ID = 0x226;
    /**
     * Configuration: 16 averages (AVG = 010), 1.1 ms bus and shunt conversion times, shunt and bus continuous
     * (MODE = 111): a new average every ~35 ms, well inside the agent's 1 s poll.
     */
    static final int CONFIG = 0x4527;

    static final double SHUNT_LSB_V = 2.5e-6;
    static final double BUS_LSB_V = 1.25e-3;
    /** Current draws under this count as nothing connected. */
    static final double PLUG_DETECT_A = 0.02;

    private final I2C i2c;
    private final double shuntOhms;
    private final double currentLsbA;
    private final double busScale;
    private final int calibration;
    private boolean ready;

    /** A driver whose Current_LSB is chosen from the largest current expected through the shunt. */
    public static Ina226 forMaxCurrent(I2C i2c, double shuntOhms, double maxCurrentA, double busScale) {
        return new Ina226(i2c, shuntOhms, roundUpLsb(maxCurrentA / 32768.0), busScale);
    }

    /** A driver with an explicit Current_LSB in amperes per bit. */
    public Ina226(I2C i2c, double shuntOhms, double currentLsbA, double busScale) {
        if (!(shuntOhms > 0) || !(currentLsbA > 0) || !(busScale >= 1)) {
            throw new IllegalArgumentException("shuntOhms and currentLsbA must be positive, busScale at least 1");
        }
        this.i2c = i2c;
        this.shuntOhms = shuntOhms;
        this.currentLsbA = currentLsbA;
        this.busScale = busScale;
        this.calibration = calibrationValue(currentLsbA, shuntOhms);
    }

    /** CAL = trunc(0.00512 / (Current_LSB × R_SHUNT)); bit 15 is reserved, so it must fit in 15 bits. */
    static int calibrationValue(double currentLsbA, double shuntOhms) {
        long cal = (long) Math.floor(0.00512 / (currentLsbA * shuntOhms) + 1e-9);
        if (cal < 1 || cal > 0x7FFF) {
            throw new IllegalArgumentException("calibration " + cal + " does not fit the INA226's 15 bits: "
                    + "choose another current LSB for a " + shuntOhms + " Ω shunt");
        }
        return (int) cal;
    }

    static double roundUpLsb(double minimum) {
        double decade = Math.pow(10, Math.floor(Math.log10(minimum)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * decade >= minimum * (1 - 1e-12)) {
                return step * decade;
            }
        }
        return 10 * decade;
    }

    public int calibration() {
        return calibration;
    }

    public double currentLsbA() {
        return currentLsbA;
    }

    /** Checks the chip's identity, then writes the configuration and calibration. Blocking. */
    public synchronized Ina226 init() {
        int maker = readWord(REG_MANUFACTURER_ID);
        int die = readWord(REG_DIE_ID);
        if (maker != MANUFACTURER_TI || (die >> 4) != DEVICE_ID) {
            throw new MeterException(String.format("not an INA226 at I2C %s: manufacturer %04X, die %04X",
                    i2c.id(), maker, die));
        }
        writeWord(REG_CONFIG, CONFIG);
        writeWord(REG_CALIBRATION, calibration);
        ready = true;
        return this;
    }

    /**
     * Reads current and power. A chip not yet set up (or one that failed the last read, so may have reset) is
     * identified and calibrated first.
     */
    @Override
    public synchronized PowerReading read() {
        if (!ready) {
            init();
        }
        try {
            return measure();
        } catch (MeterException e) {
            ready = false;
            throw e;
        }
    }

    private PowerReading measure() {
        int shuntRaw = (short) readWord(REG_SHUNT);
        int busRaw = readWord(REG_BUS);
        int currentRaw = (short) readWord(REG_CURRENT);
        int powerRaw = readWord(REG_POWER);
        if ((busRaw & 0x8000) != 0) {
            throw new MeterException("bus voltage register has bit 15 set (" + Integer.toHexString(busRaw)
                    + "): the chip is not answering sensibly");
        }
        double shuntCurrent = shuntRaw * SHUNT_LSB_V / shuntOhms;
        double current = currentRaw * currentLsbA;
        // CURRENT = SHUNT × CAL / 2048 in register units; allow rounding and one conversion of drift.
        double tolerance = Math.max(4 * currentLsbA, 0.05 * Math.abs(shuntCurrent));
        if (Math.abs(current - shuntCurrent) > tolerance) {
            throw new MeterException(String.format("current register %.3f A disagrees with the shunt's %.3f A: "
                    + "the chip lost its calibration", current, shuntCurrent));
        }
        double busV = busRaw * BUS_LSB_V * busScale;
        double powerW = powerRaw * 25 * currentLsbA * busScale;
        double amps = Math.abs(current);
        return new PowerReading(amps >= PLUG_DETECT_A, powerW, OptionalDouble.of(amps), OptionalDouble.empty());
    }

    /** The bus voltage in volts (after the divider), for self-tests. Blocking. */
    public double busVolts() {
        return readWord(REG_BUS) * BUS_LSB_V * busScale;
    }

    int readWord(int register) {
        byte[] b = new byte[2];
        int n;
        try {
            n = i2c.readRegister(register, b, 0, 2);
        } catch (RuntimeException e) {
            throw new MeterException("INA226 " + i2c.id() + " did not answer reading register "
                    + Integer.toHexString(register) + ": " + e.getMessage(), e);
        }
        if (n != 2) {
            throw new MeterException("INA226 " + i2c.id() + " returned " + n + " bytes for register "
                    + Integer.toHexString(register));
        }
        return ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
    }

    void writeWord(int register, int value) {
        try {
            i2c.writeRegister(register, new byte[] {(byte) (value >> 8), (byte) value}, 0, 2);
        } catch (RuntimeException e) {
            throw new MeterException("INA226 " + i2c.id() + " did not take register "
                    + Integer.toHexString(register) + ": " + e.getMessage(), e);
        }
    }
}
