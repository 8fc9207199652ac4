package org.yizhan.agent.hardware.modbus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yizhan.agent.hardware.MeterException;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.config.StationConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The Modbus RTU master and the meters on it, over a real pseudo-terminal through jSerialComm, against slaves that
 * answer like SDM120 meters (a Python program on the other side, see {@link RtuSlaveSimulator}).
 */
class ModbusMeterOverPtyTest {

    private static final int TIMEOUT_MS = 300;

    private RtuSlaveSimulator slaves;
    private ModbusRtuMaster bus;

    @BeforeEach
    void start() throws Exception {
        slaves = new RtuSlaveSimulator();
        bus = new ModbusRtuMaster(new JSerialCommLine(slaves.device(), 9600, "none", 1), 9600, TIMEOUT_MS);
    }

    @AfterEach
    void stop() throws Exception {
        bus.close();
        slaves.close();
    }

    /**
     * The request frames the slaves received, in order: waited for, since the simulator reports each on its output
     * while the master may already have the answer.
     */
    private void assertRequests(String description, String... frames) {
        await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(slaves.requests()).as(description).containsExactly(frames));
    }

    private ModbusMeter sdm120(int slave) {
        return new ModbusMeter(bus, slave, StationConfig.RegisterMap.SDM120, "meter of port " + slave);
    }

    /** SDM120 slave {@code slave} showing a bike charging. */
    private void charging(int slave, double volts, double amps, double watts, double kwh) throws Exception {
        slaves.floats(slave, 0x0000, volts, 0x0006, amps, 0x000C, watts, 0x0156, kwh);
    }

    @Test
    void readsAnSdm120ReadingThatMatchesTheBytesOnTheWire() throws Exception {
        charging(1, 230.1, 0.87, 198.4, 12.345);
        PowerReading r = sdm120(1).read();
        assertThat(r.plugged()).as("0.87 A flows").isTrue();
        assertThat(r.powerW()).isCloseTo(198.4, within(1e-3));
        assertThat(r.currentA().orElseThrow()).isCloseTo(0.87, within(1e-5));
        assertRequests("current (0x0006) and power (0x000C), input registers, one by one",
                "01040006000291ca", "0104000c0002b1c8");

        ModbusMeter.Values all = sdm120(1).readAll();
        assertThat(all.volts()).isCloseTo(230.1, within(1e-3));
        assertThat(all.watts()).isCloseTo(198.4, within(1e-3));
        assertThat(all.energyWh()).as("12.345 kWh").isCloseTo(12_345, within(0.01));
        assertRequests("then voltage, current, power and the energy total (0x0156)",
                "01040006000291ca", "0104000c0002b1c8", "01040000000271cb", "01040006000291ca", "0104000c0002b1c8",
                "0104015600029027");
    }

    @Test
    void aBikeNotPluggedInReadsNothing() throws Exception {
        charging(2, 229.0, 0.0, 0.0, 3.0);
        PowerReading r = sdm120(2).read();
        assertThat(r.plugged()).isFalse();
        assertThat(r.powerW()).isZero();
        assertRequests("slave 2's current and power", "02040006000291f9", "0204000c0002b1fb");
    }

    @Test
    void readsAChintDdsu666InKilowattsFromHoldingRegisters() throws Exception {
        slaves.floats(10, 0x2000, 231.0, 0x2002, 1.26, 0x2004, 0.2891, 0x4000, 478.492);
        ModbusMeter ddsu = new ModbusMeter(bus, 10, StationConfig.RegisterMap.DDSU666, "meter of port 4");
        PowerReading r = ddsu.read();
        assertThat(r.powerW()).as("0.2891 kW").isCloseTo(289.1, within(1e-2));
        assertThat(r.currentA().orElseThrow()).isCloseTo(1.26, within(1e-5));
        assertRequests("function 03, current to power in one read", "0a0320020004ef72");
        assertThat(ddsu.readAll().energyWh()).isCloseTo(478_492, within(0.1));
    }

    @Test
    void aCorruptedCrcIsAMeterExceptionAndTheNextReadIsGood() throws Exception {
        charging(1, 230.1, 0.87, 198.4, 12.345);
        slaves.fault(1, "crc");
        MeterException e = catchThrowableOfType(MeterException.class, () -> sdm120(1).read());
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("meter of port 1 (Modbus slave 1): CRC error in the answer to slave 1 on "
                + slaves.device() + ", function 04, 2 registers from 0x0006");
        assertThat(sdm120(1).read().powerW()).as("the line recovers").isCloseTo(198.4, within(1e-3));
    }

    @Test
    void anExceptionAnswerIsAMeterExceptionNamingTheCode() throws Exception {
        charging(1, 230.1, 0.87, 198.4, 12.345);
        slaves.fault(1, "exception:4");
        MeterException failure = catchThrowableOfType(MeterException.class, () -> sdm120(1).read());
        assertThat(failure.getMessage()).isEqualTo("meter of port 1 (Modbus slave 1): slave 1 on " + slaves.device()
                + ", function 04, 2 registers from 0x0006 answered with exception 04 (slave device failure)");

        StationConfig.RegisterMap wrongMap = new StationConfig.RegisterMap("custom", 4, 0x0100, 0x0106, 0x010C,
                0x0156, 1, 1000, false);
        MeterException noRegister = catchThrowableOfType(MeterException.class,
                () -> new ModbusMeter(bus, 1, wrongMap, "meter of port 1").read());
        assertThat(noRegister.getMessage()).as("a register map that does not fit the meter").endsWith(
                "answered with exception 02 (illegal data address: the meter has no such register)");
        assertThat(sdm120(1).read().plugged()).isTrue();
    }

    @Test
    void aSilentSlaveTimesOut() throws Exception {
        charging(1, 230.1, 0.87, 198.4, 12.345);
        slaves.fault(1, "silent");
        MeterException e = catchThrowableOfType(MeterException.class, () -> sdm120(1).read());
        assertThat(e.getMessage()).isEqualTo("meter of port 1 (Modbus slave 1): no answer from slave 1 on "
                + slaves.device() + ", function 04, 2 registers from 0x0006 within " + TIMEOUT_MS + " ms");
        MeterException nobody = catchThrowableOfType(MeterException.class, () -> sdm120(7).read());
        assertThat(nobody.getMessage()).as("no meter at that address").contains("no answer from slave 7");
        assertThat(sdm120(1).read().powerW()).isCloseTo(198.4, within(1e-3));
    }

    @Test
    void anAnswerFromAnotherSlaveIsRefused() throws Exception {
        charging(1, 230.1, 0.87, 198.4, 12.345);
        slaves.fault(1, "impostor");
        MeterException e = catchThrowableOfType(MeterException.class, () -> sdm120(1).read());
        assertThat(e.getMessage()).isEqualTo("meter of port 1 (Modbus slave 1): slave 101 answered the request to "
                + "slave 1 on " + slaves.device() + ", function 04, 2 registers from 0x0006: two meters on one "
                + "address, or a late answer");
    }

    @Test
    void asksOneMeterAtATimeWhenSeveralThreadsShareTheLine() throws Exception {
        slaves.delayMs(15);
        for (int slave = 1; slave <= 3; slave++) {
            charging(slave, 230, slave, 100.0 * slave, slave);
        }
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<Double>>> readers = new ArrayList<>();
            for (int slave = 1; slave <= 3; slave++) {
                ModbusMeter meter = sdm120(slave);
                readers.add(threads.submit(() -> {
                    List<Double> watts = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        watts.add(meter.read().powerW());
                    }
                    return watts;
                }));
            }
            for (int slave = 1; slave <= 3; slave++) {
                assertThat(readers.get(slave - 1).get(30, TimeUnit.SECONDS)).as("slave %d's readings", slave)
                        .hasSize(8).containsOnly(100.0 * slave);
            }
        } finally {
            threads.shutdownNow();
        }
        await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(slaves.requests()).as("two requests a reading").hasSize(48));
        assertThat(slaves.overlaps()).as("requests sent while another was being answered").isEmpty();
    }

    @Test
    void aLineThatCannotBeOpenedIsAMeterException() {
        ModbusRtuMaster missing = new ModbusRtuMaster(new JSerialCommLine("/dev/ttyYIZHAN-NONE", 9600, "even", 1),
                9600, TIMEOUT_MS);
        MeterException e = catchThrowableOfType(MeterException.class, () -> new ModbusMeter(missing, 1,
                StationConfig.RegisterMap.SDM120, "meter of port 2").read());
        assertThat(e.getMessage()).startsWith("meter of port 2 (Modbus slave 1): ").contains("/dev/ttyYIZHAN-NONE");
    }
}
