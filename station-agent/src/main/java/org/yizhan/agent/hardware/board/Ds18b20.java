package org.yizhan.agent.hardware.board;

import org.yizhan.agent.hardware.SensorException;
import org.yizhan.agent.hardware.TemperatureSensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Maxim DS18B20 1-Wire thermometer as the Raspberry Pi kernel exposes it (overlay {@code w1-gpio}, driver
 * {@code w1-therm}): each read of {@code /sys/bus/w1/devices/28-xxxxxxxxxxxx/w1_slave} starts a conversion and
 * answers two lines,
 * <pre>
 * 72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
 * 72 01 4b 46 7f ff 0e 10 57 t=23125
 * </pre>
 * the nine scratchpad bytes with the kernel's CRC verdict, then the temperature in millidegrees. The reading
 * is taken only with {@code YES}, from the temperature register (scratchpad bytes 0 and 1, LSB first: a
 * 16-bit two's complement number of 1/16 °C, datasheet Table 1), and must agree with {@code t=}. Kernels that
 * have no {@code w1_slave} give the millidegrees alone in {@code temperature} (the kernel has checked the CRC).
 * <p>
 * 85 °C is the temperature register's power-on reset value (0x0550): a sensor that lost power or was reset
 * mid-conversion reads exactly that. So an exact 85.0 °C that does not follow a reading near 85 °C is suspect:
 * the sensor is read once more, and if it says 85.0 again the read fails as untrustworthy rather than giving a
 * temperature. Reading blocks for the conversion time; call from a metering thread.
 */
public final class Ds18b20 implements TemperatureSensor {

    /** Where the kernel lists 1-Wire devices. */
    public static final Path SYSFS = Path.of("/sys/bus/w1/devices");
    /** The temperature register's power-on reset value. */
    public static final double POWER_ON_RESET_C = 85.0;
    /** An exact 85 °C is believed only this close to the last good reading. */
    static final double RESET_BELIEVED_WITHIN_C = 5.0;
    private static final Pattern HEX_BYTE = Pattern.compile("[0-9a-fA-F]{2}");
    private static final Pattern MILLI = Pattern.compile("t=(-?\\d{1,7})\\s*");

    private final Path dir;
    private final String id;
    private double lastGood = Double.NaN;

    /** The sensor {@code id} under {@code devices} (normally {@link #SYSFS}). */
    public Ds18b20(Path devices, String id) {
        this.dir = devices.resolve(id);
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized double readCelsius() {
        double c = readOnce();
        if (c == POWER_ON_RESET_C && !(Math.abs(lastGood - POWER_ON_RESET_C) <= RESET_BELIEVED_WITHIN_C)) {
            c = readOnce();
            if (c == POWER_ON_RESET_C) {
                throw new SensorException("DS18B20 " + id + " reads 85.0 °C twice, its power-on reset value: "
                        + "the sensor is resetting or badly powered, the reading is not trusted");
            }
        }
        lastGood = c;
        return c;
    }

    private double readOnce() {
        Path slave = dir.resolve("w1_slave");
        try {
            if (Files.exists(slave)) {
                return parseW1Slave(Files.readString(slave, StandardCharsets.US_ASCII));
            }
            return parseMillidegrees(Files.readString(dir.resolve("temperature"), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            throw new SensorException("DS18B20 " + id + " is not on the 1-Wire bus (no " + dir + ")");
        } catch (IOException e) {
            throw new SensorException("DS18B20 " + id + " could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * The temperature in a {@code w1_slave} text.
     *
     * @throws SensorException when the CRC line does not say YES, the text is malformed, or the scratchpad and
     *                         {@code t=} disagree
     */
    public static double parseW1Slave(String text) {
        String[] lines = text.strip().split("\\R");
        if (lines.length != 2) {
            throw new SensorException("w1_slave: expected 2 lines, got " + lines.length);
        }
        String crcLine = lines[0].strip();
        if (!crcLine.contains("crc=")) {
            throw new SensorException("w1_slave: the first line has no crc verdict");
        }
        if (!crcLine.endsWith("YES")) {
            throw new SensorException("w1_slave: CRC check failed (" + crcLine + "), reading refused");
        }
        String[] bytes = crcLine.substring(0, crcLine.indexOf(':')).strip().split("\\s+");
        if (bytes.length != 9 || !java.util.Arrays.stream(bytes).allMatch(b -> HEX_BYTE.matcher(b).matches())) {
            throw new SensorException("w1_slave: expected 9 scratchpad bytes, got '" + crcLine + "'");
        }
        double fromRegister = celsius(Integer.parseInt(bytes[0], 16), Integer.parseInt(bytes[1], 16));
        int t = lines[1].indexOf("t=");
        if (t < 0) {
            throw new SensorException("w1_slave: the second line has no t= value");
        }
        Matcher m = MILLI.matcher(lines[1].substring(t));
        if (!m.matches()) {
            throw new SensorException("w1_slave: t= is not a number of millidegrees: '" + lines[1] + "'");
        }
        double fromKernel = Integer.parseInt(m.group(1)) / 1000.0;
        // the kernel rounds 1/16 °C steps to whole millidegrees; lower resolutions leave undefined low bits
        if (Math.abs(fromKernel - fromRegister) > 0.0625) {
            throw new SensorException("w1_slave: the register says " + fromRegister + " °C but t= says "
                    + fromKernel + " °C");
        }
        return fromRegister;
    }

    /** The temperature in a {@code temperature} file: millidegrees Celsius. */
    public static double parseMillidegrees(String text) {
        String s = text.strip();
        if (!s.matches("-?\\d{1,7}")) {
            throw new SensorException("temperature: not a number of millidegrees: '" + s + "'");
        }
        return Integer.parseInt(s) / 1000.0;
    }

    /**
     * The temperature register (datasheet Table 1): a 16-bit two's complement number of 1/16 °C, given as its
     * LSB and MSB.
     */
    public static double celsius(int lsb, int msb) {
        if (lsb < 0 || lsb > 0xff || msb < 0 || msb > 0xff) {
            throw new IllegalArgumentException("register bytes must be 0..255, were " + lsb + ", " + msb);
        }
        short raw = (short) ((msb << 8) | lsb);
        double c = raw / 16.0;
        if (c < -55 || c > 125) {
            throw new SensorException("DS18B20 register 0x" + String.format("%04X", raw & 0xffff)
                    + " is outside the sensor's -55..+125 °C range");
        }
        return c;
    }
}
