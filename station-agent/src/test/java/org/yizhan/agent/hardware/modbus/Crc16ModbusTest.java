package org.yizhan.agent.hardware.modbus;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** CRC-16/MODBUS against published values, and the request frames built with it. */
class Crc16ModbusTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void matchesTheCatalogueCheckValue() {
        assertThat(Crc16Modbus.of("123456789".getBytes(StandardCharsets.US_ASCII)))
                .as("CRC-16/MODBUS check value of \"123456789\"").isEqualTo(0x4B37);
    }

    @Test
    void matchesTheFramesOfTheModbusSpecificationAndTheSdm120Manual() {
        assertThat(Crc16Modbus.of(HEX.parseHex("010300000001"))).as("read one holding register of slave 1")
                .isEqualTo(0x0A84);
        assertThat(HEX.formatHex(ModbusRtuMaster.frame(1, 3, 0, 1))).isEqualTo("010300000001840a");
        assertThat(HEX.formatHex(ModbusRtuMaster.frame(1, 4, 0, 2))).as("SDM120: read the voltage of slave 1")
                .isEqualTo("01040000000271cb");
    }

    @Test
    void acceptsAFrameOnlyWithItsOwnCrc() {
        byte[] frame = HEX.parseHex("01040000000271cb");
        assertThat(Crc16Modbus.matches(frame, frame.length)).isTrue();
        frame[3] ^= 0x01;
        assertThat(Crc16Modbus.matches(frame, frame.length)).as("one bit flipped in the data").isFalse();
    }
}
