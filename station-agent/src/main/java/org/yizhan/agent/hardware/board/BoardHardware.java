package org.yizhan.agent.hardware.board;

import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Pi4jInput;
import org.yizhan.agent.hardware.Pi4jPins;
import org.yizhan.agent.hardware.Pi4jRelay;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.agent.hardware.TemperatureSensor;
import org.yizhan.agent.hardware.Thermometers;
import org.yizhan.agent.hardware.modbus.JSerialCommLine;
import org.yizhan.agent.hardware.modbus.ModbusMeter;
import org.yizhan.agent.hardware.modbus.ModbusRtuMaster;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The station's real hardware on the board's GPIO, through a Pi4J context for the board (auto-detected
 * platform: Raspberry Pi or gpiod) that the caller builds, passes in and shuts down. Each port's INA226 is
 * read on I2C when the configuration wires them ({@code charger.meter.type = "ina226"}), or each port's energy
 * meter on the RS-485 line ({@code "modbus-rtu"}, one {@link ModbusRtuMaster} for all ports, opened at the first
 * read so a missing adapter faults the ports but not the door); without meters ports read nothing. The configured DS18B20 temperature sensors are read from the kernel's 1-Wire devices
 * ({@code dtoverlay=w1-gpio}). All relays start open (LOW). Construction blocks.
 */
public final class BoardHardware implements StationHardware {

    private static final Logger LOG = LoggerFactory.getLogger(BoardHardware.class);

    private final Relay doorRelay;
    private final BinaryInput doorContact;
    private final BinaryInput exitButton;
    private final BinaryInput beamOuter;
    private final BinaryInput beamInner;
    private final BinaryInput pir;
    private final BinaryInput smoke;
    private final Map<Integer, Relay> chargerRelays;
    private final Map<String, Relay> loadRelays;
    private final Map<Integer, PowerMeter> meters;
    private final Thermometers thermometers;
    private final Optional<ModbusRtuMaster> modbus;

    public BoardHardware(Context pi4j, HardwareProfile profile, StationConfig config) {
        this.doorRelay = relay(pi4j, "door-relay", profile.doorRelayPin(), config.door().relayActiveLow());
        this.doorContact = input(pi4j, "door-contact", profile.doorContactPin());
        this.exitButton = input(pi4j, "exit-button", profile.exitButtonPin());
        this.beamOuter = input(pi4j, "beam-outer", profile.beamOuterPin());
        this.beamInner = input(pi4j, "beam-inner", profile.beamInnerPin());
        this.pir = input(pi4j, "pir", profile.pirPin());
        this.smoke = input(pi4j, "smoke", profile.smokePin());
        Map<Integer, Relay> relays = new LinkedHashMap<>();
        Map<Integer, PowerMeter> m = new LinkedHashMap<>();
        this.modbus = config.charger().meter().modbus().map(line -> new ModbusRtuMaster(
                new JSerialCommLine(line.device(), line.baudRate(), line.parity(), line.stopBits()), line.baudRate(),
                line.timeoutMs()));
        for (StationConfig.Port p : config.charger().ports()) {
            relays.put(p.port(), relay(pi4j, "charger-relay-" + p.port(), p.relayPin(), p.relayActiveLow()));
            m.put(p.port(), meterOf(pi4j, config, p, modbus));
        }
        this.chargerRelays = Collections.unmodifiableMap(relays);
        Map<String, Relay> loads = new LinkedHashMap<>();
        for (StationConfig.Load l : config.roomLoads().loads()) {
            loads.put(l.name(), relay(pi4j, "load-" + l.name(), l.relayPin(), l.relayActiveLow()));
        }
        this.loadRelays = Collections.unmodifiableMap(loads);
        this.meters = Collections.unmodifiableMap(m);
        this.thermometers = ds18b20(Ds18b20.SYSFS, config.charger());
    }

    private static Relay relay(Context pi4j, String id, int pin, boolean activeLow) {
        return new Pi4jRelay(id, Pi4jPins.output(pi4j, id, pin, activeLow, Optional.empty()));
    }

    private static BinaryInput input(Context pi4j, String id, int pin) {
        return new Pi4jInput(Pi4jPins.input(pi4j, id, pin, Optional.empty()));
    }

    private static PowerMeter meterOf(Context pi4j, StationConfig config, StationConfig.Port port,
                                      Optional<ModbusRtuMaster> modbus) {
        StationConfig.Meter m = config.charger().meter();
        if (modbus.isPresent()) {
            return new ModbusMeter(modbus.get(), port.meterAddress().orElseThrow(),
                    m.modbus().orElseThrow().registers(), "meter of port " + port.port());
        }
        if (!"ina226".equals(m.type())) {
            return () -> PowerReading.NOTHING;
        }
        int address = port.meterAddress().orElseThrow();
        I2C i2c = pi4j.create(I2C.newConfigBuilder(pi4j).id("meter-" + port.port()).name("INA226 port " + port.port())
                .bus(m.i2cBus()).device(address).build());
        return Ina226.forMaxCurrent(i2c, m.shuntOhms(), m.maxCurrentA(), m.busScale());
    }

    /** DS18B20 sensors under {@code devices} (normally {@link Ds18b20#SYSFS}) for the configured ids. */
    static Thermometers ds18b20(Path devices, StationConfig.Charger charger) {
        Map<Integer, TemperatureSensor> ports = new LinkedHashMap<>();
        for (StationConfig.Port p : charger.ports()) {
            p.tempSensor().ifPresent(id -> ports.put(p.port(), new Ds18b20(devices, id)));
        }
        return new Thermometers(ports, charger.cabinetTempSensor().map(id -> new Ds18b20(devices, id)),
                charger.roomTempSensor().map(id -> new Ds18b20(devices, id)));
    }

    @Override
    public Relay doorRelay() {
        return doorRelay;
    }

    @Override
    public BinaryInput doorContact() {
        return doorContact;
    }

    @Override
    public BinaryInput exitButton() {
        return exitButton;
    }

    @Override
    public BinaryInput beamOuter() {
        return beamOuter;
    }

    @Override
    public BinaryInput beamInner() {
        return beamInner;
    }

    @Override
    public BinaryInput pir() {
        return pir;
    }

    @Override
    public BinaryInput smoke() {
        return smoke;
    }

    @Override
    public Map<Integer, Relay> chargerRelays() {
        return chargerRelays;
    }

    @Override
    public Map<String, Relay> loadRelays() {
        return loadRelays;
    }

    @Override
    public Map<Integer, PowerMeter> powerMeters() {
        return meters;
    }

    @Override
    public Thermometers thermometers() {
        return thermometers;
    }

    @Override
    public void close() {
        try {
            doorRelay.set(false);
            chargerRelays.values().forEach(r -> r.set(false));
            loadRelays.values().forEach(r -> r.set(false));
        } catch (RuntimeException e) {
            LOG.warn("Could not open every relay before shutdown: {}", e.toString());
        }
        modbus.ifPresent(ModbusRtuMaster::close);
    }
}
