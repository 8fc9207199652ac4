package org.yizhan.agent.hardware.modbus;

import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortInvalidPortException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serial line through jSerialComm: a USB RS-485 adapter ({@code /dev/ttyUSB0}), the Pi's UART
 * ({@code /dev/ttyAMA0}), or any tty, a pseudo-terminal included. jSerialComm opens the device without making it the
 * process's controlling terminal and sets it raw with the line's speed, parity and stop bits. Not thread-safe: the
 * {@link ModbusRtuMaster} that owns it makes one call at a time.
 */
public final class JSerialCommLine implements SerialLine {

    private static final Logger LOG = LoggerFactory.getLogger(JSerialCommLine.class);

    private final String device;
    private final int baudRate;
    private final int parity;
    private final int stopBits;
    private SerialPort port;
    private int readTimeoutMs = -1;

    /** {@code parity} "none", "even" or "odd"; {@code stopBits} 1 or 2. */
    public JSerialCommLine(String device, int baudRate, String parity, int stopBits) {
        this.device = device;
        this.baudRate = baudRate;
        this.parity = switch (parity) {
            case "none" -> SerialPort.NO_PARITY;
            case "even" -> SerialPort.EVEN_PARITY;
            case "odd" -> SerialPort.ODD_PARITY;
            default -> throw new IllegalArgumentException("parity: '" + parity + "' is not none, even or odd");
        };
        this.stopBits = switch (stopBits) {
            case 1 -> SerialPort.ONE_STOP_BIT;
            case 2 -> SerialPort.TWO_STOP_BITS;
            default -> throw new IllegalArgumentException("stopBits: " + stopBits + " is not 1 or 2");
        };
    }

    @Override
    public void open() {
        if (port != null) {
            return;
        }
        SerialPort p;
        try {
            p = SerialPort.getCommPort(device);
        } catch (SerialPortInvalidPortException e) {
            throw new ModbusException(ModbusException.Kind.LINE, "serial line " + device + " does not exist", e);
        }
        p.setComPortParameters(baudRate, 8, stopBits, parity);
        if (!p.openPort()) {
            throw new ModbusException(ModbusException.Kind.LINE, "cannot open serial line " + device + " (error "
                    + p.getLastErrorCode() + "): is it there, and is the agent in group dialout?");
        }
        port = p;
        readTimeoutMs = -1;
        LOG.info("Opened serial line {} at {} baud", device, baudRate);
    }

    @Override
    public void write(byte[] frame) {
        SerialPort p = opened();
        int n = p.writeBytes(frame, frame.length, 0);
        if (n != frame.length) {
            throw new ModbusException(ModbusException.Kind.LINE, "serial line " + device + " took " + n + " of "
                    + frame.length + " bytes (error " + p.getLastErrorCode() + ")");
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length, int timeoutMs) {
        SerialPort p = opened();
        int wait = Math.max(1, timeoutMs);
        if (wait != readTimeoutMs) {
            p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, wait, 0);
            readTimeoutMs = wait;
        }
        int n = p.readBytes(buffer, length, offset);
        if (n < 0) {
            throw new ModbusException(ModbusException.Kind.LINE, "serial line " + device + " cannot be read (error "
                    + p.getLastErrorCode() + "): was the adapter unplugged?");
        }
        return n;
    }

    @Override
    public void discardInput() {
        if (port != null) {
            port.flushIOBuffers();
        }
    }

    @Override
    public String name() {
        return device;
    }

    @Override
    public void close() {
        if (port != null) {
            port.closePort();
            port = null;
        }
    }

    private SerialPort opened() {
        if (port == null) {
            throw new ModbusException(ModbusException.Kind.LINE, "serial line " + device + " is not open");
        }
        return port;
    }
}
