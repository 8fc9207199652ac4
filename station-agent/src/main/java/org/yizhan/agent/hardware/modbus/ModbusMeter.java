package org.yizhan.agent.hardware.modbus;

import org.yizhan.agent.hardware.MeterException;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.config.StationConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One charger port's single-phase energy meter on a Modbus RTU line (an Eastron SDM120-Modbus, a Chint DDSU666, or a
 * meter with a register map given in the configuration), behind {@link PowerMeter}. Each quantity is an IEEE-754
 * float in two registers; quantities in consecutive registers (DDSU666's voltage, current and power) are read in one
 * request, others one by one, because some meters answer a read that spans a register they do not have with an
 * illegal-address exception (the SDM120 has none between current and power). {@link #read} asks for current and
 * power only, so a line with many meters keeps up with the one-second metering; {@link #readAll} adds voltage and
 * the meter's energy total. Any failure on the line is a {@link MeterException} naming the port's meter, which the
 * chargers' safety guard treats like any silent meter: the port is cut off.
 */
public final class ModbusMeter implements PowerMeter {

    /** Current draws under this count as nothing connected (as on the INA226). */
    static final double PLUG_DETECT_A = 0.02;
    /** Everything the meter measures: volts, amperes, watts, and its energy total in watt-hours. */
    public record Values(double volts, double amps, double watts, double energyWh) {
    }

    private final ModbusRtuMaster bus;
    private final int slave;
    private final StationConfig.RegisterMap map;
    private final String name;

    /** {@code name} says which meter it is in messages, like "meter of port 3". */
    public ModbusMeter(ModbusRtuMaster bus, int slave, StationConfig.RegisterMap map, String name) {
        this.bus = bus;
        this.slave = slave;
        this.map = map;
        this.name = name;
    }

    @Override
    public PowerReading read() {
        Map<String, Float> v = fetch(Map.of("current", map.current(), "power", map.power()));
        double amps = Math.abs(v.get("current"));
        double watts = Math.abs(v.get("power")) * map.powerScale(); // a meter wired the wrong way round reads negative
        return new PowerReading(amps >= PLUG_DETECT_A, watts, OptionalDouble.of(amps), OptionalDouble.empty());
    }

    /** Voltage, current, power and the energy total, for the self-test and the technician. Blocking. */
    public Values readAll() {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        wanted.put("voltage", map.voltage());
        wanted.put("current", map.current());
        wanted.put("power", map.power());
        wanted.put("energy", map.energy());
        Map<String, Float> v = fetch(wanted);
        return new Values(v.get("voltage"), Math.abs(v.get("current")), Math.abs(v.get("power")) * map.powerScale(),
                v.get("energy") * map.energyScale());
    }

    /** Reads each named float at its register, quantities in consecutive registers in one request. */
    private Map<String, Float> fetch(Map<String, Integer> registers) {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(registers.entrySet());
        sorted.sort(Map.Entry.comparingByValue());
        Map<String, Float> values = new LinkedHashMap<>();
        int i = 0;
        while (i < sorted.size()) {
            int start = sorted.get(i).getValue();
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1).getValue() == sorted.get(j).getValue() + 2) {
                j++;
            }
            int count = sorted.get(j).getValue() + 2 - start;
            int[] words;
            try {
                words = bus.readRegisters(slave, map.function(), start, count);
            } catch (ModbusException e) {
                throw new MeterException(name + " (Modbus slave " + slave + "): " + e.getMessage(), e);
            }
            for (int k = i; k <= j; k++) {
                String quantity = sorted.get(k).getKey();
                int at = sorted.get(k).getValue() - start;
                float f = toFloat(words[at], words[at + 1]);
                if (!Float.isFinite(f)) {
                    throw new MeterException(name + " (Modbus slave " + slave + ") reads " + quantity + " as " + f
                            + ": registers " + Integer.toHexString(words[at]) + " " + Integer.toHexString(words[at + 1])
                            + " are no reading; is the register map right for this meter?");
                }
                values.put(quantity, f);
            }
            i = j + 1;
        }
        return values;
    }

    /** The float two registers hold, the high half first unless the map says the low half comes first. */
    float toFloat(int first, int second) {
        int bits = map.lowWordFirst() ? second << 16 | first : first << 16 | second;
        return Float.intBitsToFloat(bits);
    }
}
