package org.yizhan.agent.hardware.board;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes DS18B20 devices the way the kernel's w1-therm driver shows them, for tests. */
public final class W1Files {

    private W1Files() {
    }

    /**
     * The {@code w1_slave} text for temperature register {@code raw} (16 bits, 1/16 °C): the nine scratchpad
     * bytes LSB first with the CRC verdict, then the same bytes with {@code t=} millidegrees as the kernel
     * computes them (integer arithmetic).
     */
    public static String w1Slave(int raw, boolean crcOk) {
        String bytes = String.format("%02x %02x 4b 46 7f ff 0c 10 1c", raw & 0xff, (raw >> 8) & 0xff);
        long milli = (long) (short) raw * 1000 / 16;
        return bytes + " : crc=1c " + (crcOk ? "YES" : "NO") + "\n" + bytes + " t=" + milli + "\n";
    }

    /** The register value of {@code celsius}, rounded to the sensor's 1/16 °C. */
    public static int raw(double celsius) {
        return (int) Math.round(celsius * 16) & 0xffff;
    }

    /** Writes {@code devices/id/w1_slave} for {@code celsius} with a good CRC. */
    public static void write(Path devices, String id, double celsius) throws IOException {
        writeText(devices, id, w1Slave(raw(celsius), true));
    }

    public static void writeText(Path devices, String id, String text) throws IOException {
        Path dir = Files.createDirectories(devices.resolve(id));
        Path tmp = dir.resolve("w1_slave.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve("w1_slave"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
