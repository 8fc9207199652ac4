package org.yizhan.agent.hardware.modbus;

/**
 * CRC-16/MODBUS, the check of every Modbus RTU frame: polynomial 0x8005 reflected (0xA001), initial value 0xFFFF,
 * no final XOR. On the wire the low byte goes first.
 */
public final class Crc16Modbus {

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
            TABLE[i] = crc;
        }
    }

    private Crc16Modbus() {
    }

    /** The CRC of {@code length} bytes of {@code data} from {@code offset}. */
    public static int of(byte[] data, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc = (crc >>> 8) ^ TABLE[(crc ^ data[i]) & 0xFF];
        }
        return crc;
    }

    public static int of(byte[] data) {
        return of(data, 0, data.length);
    }

    /** Whether the last two bytes of a {@code length}-byte frame are the CRC of the bytes before them. */
    static boolean matches(byte[] frame, int length) {
        return length >= 4 && of(frame, 0, length - 2) == received(frame, length);
    }

    /** The CRC a frame of {@code length} bytes carries in its last two bytes (low byte first). */
    static int received(byte[] frame, int length) {
        return (frame[length - 2] & 0xFF) | (frame[length - 1] & 0xFF) << 8;
    }
}
