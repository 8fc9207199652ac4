package org.yizhan.agent.hardware.modbus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Modbus RTU master of one RS-485 line (Modbus over Serial Line V1.02 and the Application Protocol V1.1b3).
 * Every meter on the line is asked through it, one request at a time: a caller waits for the line while another's
 * transaction runs, so the metering thread and a self-test never talk over each other. Before each request the line
 * has been quiet for 3.5 characters (1.75 ms above 19200 baud), so the slaves see a frame boundary.
 * <p>
 * An answer is checked for length, CRC, slave address and function; a Modbus exception answer, a CRC error, an
 * answer from another slave or with another function, and no answer within {@code timeoutMs} are
 * {@link ModbusException}s naming the line, the slave and what was asked. After a failed transaction, whatever the
 * line still brings (a late or garbled answer) is thrown away until it has been quiet, so it is never taken for the
 * answer to the next request. A line that fails to open or read is closed and opened again on the next request (a
 * USB adapter unplugged and plugged back). Blocking: call from a worker or metering thread, never an event loop.
 */
public final class ModbusRtuMaster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModbusRtuMaster.class);

    public static final int READ_HOLDING_REGISTERS = 0x03;
    public static final int READ_INPUT_REGISTERS = 0x04;
    /** At most this many registers in one read (the protocol's 125, from its 256-byte frame). */
    public static final int MAX_REGISTERS = 125;
    /** After a failure, the line must be quiet this long before the next request. */
    static final int SETTLE_QUIET_MS = 50;

    private final SerialLine line;
    private final int timeoutMs;
    private final long frameGapNanos;
    private long lastTrafficNanos = System.nanoTime();
    private boolean unsettled;

    /** {@code baudRate} sets the gap between frames; {@code timeoutMs} is how long a slave may take to answer. */
    public ModbusRtuMaster(SerialLine line, int baudRate, int timeoutMs) {
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("timeoutMs must be positive, was " + timeoutMs);
        }
        this.line = line;
        this.timeoutMs = timeoutMs;
        // 3.5 characters of 11 bits (start, 8 data, parity or second stop, stop); fixed at 1750 µs above 19200 baud
        this.frameGapNanos = baudRate > 19200 ? 1_750_000L : (long) Math.ceil(3.5 * 11 * 1e9 / baudRate);
    }

    /** The line's device name, for messages. */
    public String lineName() {
        return line.name();
    }

    /**
     * Reads {@code count} 16-bit registers from {@code start} of slave {@code slave} with {@code function} 3 (holding
     * registers) or 4 (input registers); returns them as unsigned values.
     */
    public synchronized int[] readRegisters(int slave, int function, int start, int count) {
        if (slave < 1 || slave > 247) {
            throw new IllegalArgumentException("slave address " + slave + " is not 1 to 247");
        }
        if (function != READ_HOLDING_REGISTERS && function != READ_INPUT_REGISTERS) {
            throw new IllegalArgumentException("function " + function + " is not 3 or 4");
        }
        if (count < 1 || count > MAX_REGISTERS || start < 0 || start + count > 0x10000) {
            throw new IllegalArgumentException("cannot read " + count + " registers from " + start);
        }
        byte[] request = frame(slave, function, start, count);
        String what = String.format("slave %d on %s, function %02X, %d registers from 0x%04X", slave, line.name(),
                function, count, start);
        try {
            byte[] answer = transact(request, slave, function, what);
            int[] registers = new int[count];
            for (int i = 0; i < count; i++) {
                registers[i] = (answer[3 + 2 * i] & 0xFF) << 8 | (answer[4 + 2 * i] & 0xFF);
            }
            return registers;
        } catch (ModbusException e) {
            unsettled = true;
            if (e.kind() == ModbusException.Kind.LINE) {
                line.close();
            }
            throw e;
        }
    }

    /** The request frame: slave, function, start and count (big-endian), CRC (low byte first). */
    static byte[] frame(int slave, int function, int start, int count) {
        byte[] f = new byte[8];
        f[0] = (byte) slave;
        f[1] = (byte) function;
        f[2] = (byte) (start >> 8);
        f[3] = (byte) start;
        f[4] = (byte) (count >> 8);
        f[5] = (byte) count;
        int crc = Crc16Modbus.of(f, 0, 6);
        f[6] = (byte) crc;
        f[7] = (byte) (crc >> 8);
        return f;
    }

    private byte[] transact(byte[] request, int slave, int function, String what) {
        line.open();
        if (unsettled) {
            settle();
        }
        waitFrameGap();
        line.write(request);
        lastTrafficNanos = System.nanoTime();
        byte[] buf = new byte[256];
        int n = 0;
        int expected = 5; // the shortest answer: an exception (slave, function | 0x80, code, CRC)
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (n < expected) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ModbusException(ModbusException.Kind.TIMEOUT, n == 0
                        ? "no answer from " + what + " within " + timeoutMs + " ms"
                        : "answer from " + what + " cut short: " + n + " of " + expected + " bytes within "
                                + timeoutMs + " ms (" + HexFormat.ofDelimiter(" ").formatHex(buf, 0, n) + ")");
            }
            int got = line.read(buf, n, expected - n, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            if (got > 0) {
                n += got;
                lastTrafficNanos = System.nanoTime();
            }
            if (n >= 2 && (buf[1] & 0xFF) == function) {
                // a normal answer: slave, function, byte count, data, CRC; the byte count comes third
                expected = n >= 3 ? 5 + (buf[2] & 0xFF) : 3;
            }
            if (n >= 2 && (buf[1] & 0x7F) != function) {
                throw new ModbusException(ModbusException.Kind.UNEXPECTED, "answer to " + what + " has function "
                        + String.format("%02X", buf[1] & 0xFF) + " (" + HexFormat.ofDelimiter(" ").formatHex(buf, 0, n)
                        + "...)");
            }
        }
        if (!Crc16Modbus.matches(buf, n)) {
            throw new ModbusException(ModbusException.Kind.CRC, String.format(
                    "CRC error in the answer to %s: it carries %04X, its bytes give %04X (%s)", what,
                    Crc16Modbus.received(buf, n), Crc16Modbus.of(buf, 0, n - 2),
                    HexFormat.ofDelimiter(" ").formatHex(buf, 0, n)));
        }
        if ((buf[0] & 0xFF) != slave) {
            throw new ModbusException(ModbusException.Kind.UNEXPECTED, "slave " + (buf[0] & 0xFF)
                    + " answered the request to " + what + ": two meters on one address, or a late answer");
        }
        if ((buf[1] & 0x80) != 0) {
            int code = buf[2] & 0xFF;
            throw new ModbusException(ModbusException.Kind.EXCEPTION, String.format(
                    "%s answered with exception %02X (%s)", what, code, exceptionName(code)));
        }
        int count = (request[4] & 0xFF) << 8 | (request[5] & 0xFF);
        if ((buf[2] & 0xFF) != 2 * count) {
            throw new ModbusException(ModbusException.Kind.UNEXPECTED, "answer to " + what + " has "
                    + (buf[2] & 0xFF) + " data bytes, not " + 2 * count);
        }
        byte[] answer = new byte[n];
        System.arraycopy(buf, 0, answer, 0, n);
        return answer;
    }

    /** The names the Modbus Application Protocol gives exception codes. */
    static String exceptionName(int code) {
        return switch (code) {
            case 0x01 -> "illegal function";
            case 0x02 -> "illegal data address: the meter has no such register";
            case 0x03 -> "illegal data value";
            case 0x04 -> "slave device failure";
            case 0x05 -> "acknowledge";
            case 0x06 -> "slave device busy";
            case 0x08 -> "memory parity error";
            case 0x0A -> "gateway path unavailable";
            case 0x0B -> "gateway target device failed to respond";
            default -> "unknown exception code";
        };
    }

    /** Waits until the line has been quiet for a frame gap since the last byte sent or received. */
    private void waitFrameGap() {
        long wait;
        while ((wait = lastTrafficNanos + frameGapNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Throws away whatever the line brings until it has been quiet for {@link #SETTLE_QUIET_MS}. */
    private void settle() {
        byte[] junk = new byte[256];
        int dropped = 0;
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(timeoutMs, SETTLE_QUIET_MS) * 2L);
        line.discardInput();
        int n;
        while ((n = line.read(junk, 0, junk.length, SETTLE_QUIET_MS)) > 0 && System.nanoTime() < giveUp) {
            dropped += n;
        }
        lastTrafficNanos = System.nanoTime();
        unsettled = false;
        if (dropped > 0) {
            LOG.debug("Dropped {} late bytes on {}", dropped, line.name());
        }
    }

    @Override
    public synchronized void close() {
        line.close();
    }
}
