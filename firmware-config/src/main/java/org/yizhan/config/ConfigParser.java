package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/** Reads a station configuration and collects every problem with its path, in words a technician reads. */
final class ConfigParser {

    private static final Pattern STATION_ID = Pattern.compile("[a-z0-9-]{3,40}");

    private final JsonObject root;
    private final List<String> problems = new ArrayList<>();

    ConfigParser(JsonObject root) {
        this.root = root == null ? new JsonObject() : root;
    }

    StationConfig parse() throws ConfigException {
        int version = integer(root, "version", 0, Integer.MAX_VALUE, 1);
        String stationId = string(root, "stationId", true, "");
        if (!stationId.isEmpty() && !STATION_ID.matcher(stationId).matches()) {
            problems.add("stationId: " + shown(stationId) + " must be 3 to 40 of a-z, 0-9 and '-'");
        }
        String name = string(root, "name", false, stationId);

        JsonObject hubJson = object(root, "hub", true);
        String hubUrl = string(hubJson, "hub.url", "url", true, "");
        if (!hubUrl.isEmpty()) {
            try {
                URI u = URI.create(hubUrl);
                if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                    problems.add("hub.url: " + shown(hubUrl) + " must be an http:// or https:// address with a host");
                }
            } catch (IllegalArgumentException e) {
                problems.add("hub.url: " + shown(hubUrl) + " is not an address");
            }
        }

        JsonObject m = object(root, "mqtt", true);
        StationConfig.Mqtt mqtt = new StationConfig.Mqtt(
                string(m, "mqtt.host", "host", true, ""),
                integer(m, "mqtt.port", "port", 1, 65535, 1883),
                bool(m, "mqtt.tls", "tls", false),
                string(m, "mqtt.username", "username", true, ""),
                string(m, "mqtt.password", "password", true, ""),
                integer(m, "mqtt.keepAliveSeconds", "keepAliveSeconds", 5, 3600, 30),
                caPem(m),
                bool(m, "mqtt.eventAcks", "eventAcks", false),
                integer(m, "mqtt.eventAckTimeoutSeconds", "eventAckTimeoutSeconds", 1, 3600,
                        StationConfig.Mqtt.DEFAULT_EVENT_ACK_TIMEOUT_SECONDS));
        if (!mqtt.username().isEmpty() && !stationId.isEmpty() && !mqtt.username().equals(stationId)) {
            problems.add("mqtt.username: must equal stationId " + shown(stationId));
        }

        int heartbeat = integer(root, "heartbeatSeconds", 1, 3600, StationConfig.DEFAULT_HEARTBEAT_SECONDS);
        int telemetry = integer(root, "telemetrySeconds", 1, 3600, StationConfig.DEFAULT_TELEMETRY_SECONDS);

        String profileName = string(root, "profile", true, "");
        HardwareProfile profile = null;
        if (!profileName.isEmpty()) {
            try {
                profile = HardwareProfile.load(profileName);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }

        JsonObject d = object(root, "door", false);
        StationConfig.Door door = new StationConfig.Door(
                integer(d, "door.unlockSeconds", "unlockSeconds", 1, 60, 5),
                integer(d, "door.heldOpenSeconds", "heldOpenSeconds", 5, 3600, 60),
                bool(d, "door.relayActiveLow", "relayActiveLow", false));

        JsonObject c = object(root, "charger", false);
        boolean portsActiveLow = bool(c, "charger.relayActiveLow", "relayActiveLow", false);
        StationConfig.Meter meter = meter(object(c, "meter", false));
        List<StationConfig.Port> ports = new ArrayList<>();
        Map<Integer, String> usedPins = profile == null ? new HashMap<>() : profile.partsByPin();
        Object rawPorts = c.getValue("ports");
        if (rawPorts != null && !(rawPorts instanceof JsonArray)) {
            problems.add("charger.ports: must be a list");
        } else if (rawPorts instanceof JsonArray a) {
            List<Integer> numbers = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                String p = "charger.ports[" + i + "]";
                if (!(a.getValue(i) instanceof JsonObject po)) {
                    problems.add(p + ": must be an object with port and relayPin");
                    continue;
                }
                int number = integer(po, p + ".port", "port", 1, 64, -1);
                int pin = integer(po, p + ".relayPin", "relayPin", 0, 63, -1);
                OptionalInt meterAddress = po.getValue("meterAddress") == null ? OptionalInt.empty()
                        : meterAddress(po, p + ".meterAddress", meter.type(), number);
                if (number > 0) {
                    if (numbers.contains(number)) {
                        problems.add(p + ".port: port " + number + " is listed twice");
                    }
                    numbers.add(number);
                }
                if (pin >= 0 && profile != null) {
                    if (!profile.hasPin(pin)) {
                        problems.add(p + ".relayPin: pin " + pin + " does not exist on " + profile.board());
                    } else if (usedPins.containsKey(pin)) {
                        problems.add(p + ".relayPin: pin " + pin + " is already used by the " + usedPins.get(pin));
                    } else {
                        usedPins.put(pin, "relay of port " + number);
                    }
                }
                Optional<String> tempSensor = tempSensor(po, p + ".tempSensor", "tempSensor");
                boolean activeLow = bool(po, p + ".relayActiveLow", "relayActiveLow", portsActiveLow);
                if (number > 0 && pin >= 0) {
                    ports.add(new StationConfig.Port(number, pin, meterAddress, tempSensor, activeLow));
                }
            }
        }

        StationConfig.Rules dr = StationConfig.Rules.DEFAULTS;
        StationConfig.Rules rules = new StationConfig.Rules(
                number(c, "charger.fullThresholdW", "fullThresholdW", 1, 500, dr.fullThresholdW()),
                integer(c, "charger.fullAfterSeconds", "fullAfterSeconds", 1, 7200, dr.fullAfterSeconds()),
                integer(c, "charger.floatMaxSeconds", "floatMaxSeconds", 0, 4 * 3600, dr.floatMaxSeconds()),
                integer(c, "charger.sessionLimitMinutes", "sessionLimitMinutes", 1,
                        StationConfig.Rules.FORCED_END_MINUTES, dr.sessionLimitMinutes()),
                number(c, "charger.portMaxW", "portMaxW", 10, 3680, dr.portMaxW()),
                number(c, "charger.portMaxCurrentA", "portMaxCurrentA", 0.1, 16, dr.portMaxCurrentA()),
                number(c, "charger.portMaxTempC", "portMaxTempC", 20, 120, dr.portMaxTempC()),
                number(c, "charger.cabinetMaxW", "cabinetMaxW", 10, 100_000, dr.cabinetMaxW()),
                number(c, "charger.cabinetReserveW", "cabinetReserveW", 0, 100_000, dr.cabinetReserveW()),
                integer(c, "charger.dailySessions", "dailySessions", 1, 100, dr.dailySessions()),
                number(c, "charger.dailyEnergyWh", "dailyEnergyWh", 0, 1_000_000, dr.dailyEnergyWh()));
        meterAddresses(meter.type(), ports);

        Optional<String> cabinetSensor = tempSensor(c, "charger.cabinetTempSensor", "cabinetTempSensor");
        Optional<String> roomSensor = tempSensor(c, "charger.roomTempSensor", "roomTempSensor");
        Map<String, String> sensorUsers = new HashMap<>();
        for (StationConfig.Port pt : ports) {
            pt.tempSensor().ifPresent(id -> sensorUse(sensorUsers, id, "port " + pt.port()));
        }
        cabinetSensor.ifPresent(id -> sensorUse(sensorUsers, id, "cabinet"));
        roomSensor.ifPresent(id -> sensorUse(sensorUsers, id, "room"));
        StationConfig.RoomLoads roomLoads = roomLoads(object(root, "roomLoads", false), profile, usedPins);
        if (profile != null) {
            Map<Integer, String> wired = new HashMap<>();
            ports.forEach(pt -> wired.put(pt.relayPin(), "relay of port " + pt.port()));
            roomLoads.loads().forEach(l -> wired.put(l.relayPin(), "relay of the " + l.name()));
            busConflicts(profile, wired, !sensorUsers.isEmpty(), "ina226".equals(meter.type()) ? meter.i2cBus() : -1,
                    meter.modbus().map(mb -> mb.device()).filter(UART_DEVICES::contains));
        }

        JsonObject o = object(root, "occupancy", false);
        StationConfig.Occupancy occupancy = new StationConfig.Occupancy(
                integer(o, "occupancy.capacity", "capacity", 1, 10_000, 20),
                integer(o, "occupancy.driftMinutes", "driftMinutes", 1, 24 * 60,
                        StationConfig.Occupancy.DEFAULT_DRIFT_MINUTES));

        JsonObject h = object(root, "http", false);
        StationConfig.LocalHttp http = new StationConfig.LocalHttp(
                string(h, "http.host", "host", false, "127.0.0.1"),
                integer(h, "http.port", "port", 0, 65535, 8088));

        StationConfig.Access access = access(object(root, "access", false));
        StationConfig.OutboxLimits outbox = outbox(object(root, "outbox", false));

        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new StationConfig(version, stationId, name, new StationConfig.Hub(hubUrl), mqtt, heartbeat, telemetry,
                profileName, door, new StationConfig.Charger(ports, rules, meter, cabinetSensor, roomSensor), occupancy,
                http, access, outbox, roomLoads);
    }

    /**
     * {@code roomLoads}: the loads switched off at night in an empty room. Each relay pin must exist on the board and
     * be free: not a part of the profile, not a charger port's relay, not another load's.
     */
    private StationConfig.RoomLoads roomLoads(JsonObject r, HardwareProfile profile, Map<Integer, String> usedPins) {
        StationConfig.RoomLoads d = StationConfig.RoomLoads.NONE;
        String hours = string(r, "roomLoads.nightHours", "nightHours", false, d.nightHours());
        if (!OPENING_HOURS.matcher(hours).matches()) {
            problems.add("roomLoads.nightHours: " + shown(hours) + " must be HH:MM-HH:MM, like 23:00-06:00");
            hours = d.nightHours();
        } else if (hours.substring(0, 5).equals(hours.substring(6))) {
            problems.add("roomLoads.nightHours: " + shown(hours) + " starts and ends at the same time; the night "
                    + "needs a length, like 23:00-06:00");
            hours = d.nightHours();
        }
        int emptyMinutes = integer(r, "roomLoads.emptyMinutes", "emptyMinutes", 1, 24 * 60, d.emptyMinutes());
        boolean allActiveLow = bool(r, "roomLoads.relayActiveLow", "relayActiveLow", false);
        List<StationConfig.Load> loads = new ArrayList<>();
        Object raw = r.getValue("loads");
        if (raw != null && !(raw instanceof JsonArray)) {
            problems.add("roomLoads.loads: must be a list");
        } else if (raw instanceof JsonArray a) {
            if (a.size() > MAX_ROOM_LOADS) {
                problems.add("roomLoads.loads: at most " + MAX_ROOM_LOADS + " loads, " + a.size() + " listed");
            }
            List<String> names = new ArrayList<>();
            for (int i = 0; i < a.size() && i < MAX_ROOM_LOADS; i++) {
                String p = "roomLoads.loads[" + i + "]";
                if (!(a.getValue(i) instanceof JsonObject lo)) {
                    problems.add(p + ": must be an object with name and relayPin");
                    continue;
                }
                String name = string(lo, p + ".name", "name", true, "");
                if (!name.isEmpty() && !StationConfig.Load.NAME.matcher(name).matches()) {
                    problems.add(p + ".name: " + shown(name) + " must be lower-case letters, digits and '-', "
                            + "like lights or water-heater");
                    name = "";
                } else if (names.contains(name)) {
                    problems.add(p + ".name: " + shown(name) + " is listed twice");
                    name = "";
                }
                names.add(name);
                int pin = integer(lo, p + ".relayPin", "relayPin", 0, 63, -1);
                if (pin >= 0 && profile != null) {
                    if (!profile.hasPin(pin)) {
                        problems.add(p + ".relayPin: pin " + pin + " does not exist on " + profile.board());
                        pin = -1;
                    } else if (usedPins.containsKey(pin)) {
                        problems.add(p + ".relayPin: pin " + pin + " is already used by the " + usedPins.get(pin));
                        pin = -1;
                    } else {
                        usedPins.put(pin, "relay of the " + name);
                    }
                }
                boolean activeLow = bool(lo, p + ".relayActiveLow", "relayActiveLow", allActiveLow);
                boolean normallyClosed = bool(lo, p + ".normallyClosed", "normallyClosed", true);
                if (!name.isEmpty() && pin >= 0) {
                    loads.add(new StationConfig.Load(name, pin, activeLow, normallyClosed));
                }
            }
        }
        return new StationConfig.RoomLoads(loads, hours, emptyMinutes);
    }

    static final int MAX_ROOM_LOADS = 16;

    /** {@code charger.meter}: its type and, by type, the INA226's I2C settings or the Modbus line. */
    private StationConfig.Meter meter(JsonObject mj) {
        StationConfig.Meter dm = StationConfig.Meter.NONE;
        String meterType = string(mj, "charger.meter.type", "type", false, dm.type());
        if (!StationConfig.Meter.TYPES.contains(meterType)) {
            problems.add("charger.meter.type: " + shown(meterType) + " is not one of " + StationConfig.Meter.TYPES);
            meterType = dm.type();
        }
        Optional<StationConfig.ModbusRtu> modbus = Optional.empty();
        if (MODBUS_RTU.equals(meterType)) {
            if (!(mj.getValue("modbus") instanceof JsonObject)) {
                problems.add("charger.meter.modbus: is required for a modbus-rtu meter (device, baudRate, parity, "
                        + "stopBits, model)");
            } else {
                modbus = Optional.of(modbus(mj.getJsonObject("modbus")));
            }
        } else if (mj.getValue("modbus") != null) {
            problems.add("charger.meter.modbus: is only for a modbus-rtu meter, the type is " + shown(meterType));
        }
        return new StationConfig.Meter(meterType,
                integer(mj, "charger.meter.i2cBus", "i2cBus", 0, 20, dm.i2cBus()),
                number(mj, "charger.meter.shuntOhms", "shuntOhms", 0.0001, 10, dm.shuntOhms()),
                number(mj, "charger.meter.maxCurrentA", "maxCurrentA", 0.01, 100, dm.maxCurrentA()),
                number(mj, "charger.meter.busScale", "busScale", 1, 100, dm.busScale()),
                modbus);
    }

    static final String MODBUS_RTU = "modbus-rtu";
    /** A serial device under /dev, without any way out of it. */
    private static final Pattern SERIAL_DEVICE = Pattern.compile("/dev/[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,100}");

    private StationConfig.ModbusRtu modbus(JsonObject m) {
        String path = "charger.meter.modbus";
        String device = string(m, path + ".device", "device", true, "");
        if (!device.isEmpty() && (!SERIAL_DEVICE.matcher(device).matches() || device.contains(".."))) {
            problems.add(path + ".device: " + shown(device) + " must be a serial device under /dev, like "
                    + "/dev/ttyUSB0 or /dev/ttyAMA0");
        }
        int baud = integer(m, path + ".baudRate", "baudRate", 1, 10_000_000, StationConfig.ModbusRtu.DEFAULT_BAUD_RATE);
        if (!StationConfig.ModbusRtu.BAUD_RATES.contains(baud)) {
            problems.add(path + ".baudRate: " + baud + " is not one of " + StationConfig.ModbusRtu.BAUD_RATES);
            baud = StationConfig.ModbusRtu.DEFAULT_BAUD_RATE;
        }
        String parity = string(m, path + ".parity", "parity", false, "none");
        if (!StationConfig.ModbusRtu.PARITIES.contains(parity)) {
            problems.add(path + ".parity: " + shown(parity) + " is not one of " + StationConfig.ModbusRtu.PARITIES);
            parity = "none";
        }
        int stopBits = integer(m, path + ".stopBits", "stopBits", 1, 2, 1);
        int timeoutMs = integer(m, path + ".timeoutMs", "timeoutMs", 20, 2000,
                StationConfig.ModbusRtu.DEFAULT_TIMEOUT_MS);
        return new StationConfig.ModbusRtu(device, baud, parity, stopBits, timeoutMs, registerMap(m, path));
    }

    /** A named model's register map, or one given register by register with model "custom". */
    private StationConfig.RegisterMap registerMap(JsonObject m, String path) {
        StationConfig.RegisterMap dflt = StationConfig.RegisterMap.SDM120;
        Object rawRegisters = m.getValue("registers");
        String model = string(m, path + ".model", "model", false,
                rawRegisters == null ? dflt.model() : StationConfig.RegisterMap.CUSTOM);
        if (!StationConfig.RegisterMap.CUSTOM.equals(model)) {
            StationConfig.RegisterMap named = StationConfig.RegisterMap.MODELS.get(model);
            if (named == null) {
                problems.add(path + ".model: " + shown(model) + " is not one of "
                        + new java.util.TreeSet<>(StationConfig.RegisterMap.MODELS.keySet())
                        + " or custom (with registers)");
                return dflt;
            }
            if (rawRegisters != null) {
                problems.add(path + ".registers: given with model " + shown(model)
                        + "; give model custom with registers, or a named model alone");
            }
            return named;
        }
        if (!(rawRegisters instanceof JsonObject r)) {
            problems.add(path + ".registers: model custom needs registers {function, voltage, current, power, "
                    + "energy, powerScale, energyScale}");
            return dflt;
        }
        String rp = path + ".registers";
        int function = integer(r, rp + ".function", "function", 3, 4, 4);
        int voltage = integer(r, rp + ".voltage", "voltage", 0, 0xFFFE, -1);
        int current = integer(r, rp + ".current", "current", 0, 0xFFFE, -1);
        int power = integer(r, rp + ".power", "power", 0, 0xFFFE, -1);
        int energy = integer(r, rp + ".energy", "energy", 0, 0xFFFE, -1);
        double powerScale = number(r, rp + ".powerScale", "powerScale", 0.001, 1000, 1);
        double energyScale = number(r, rp + ".energyScale", "energyScale", 0.001, 1000, 1000);
        boolean lowWordFirst = bool(r, rp + ".lowWordFirst", "lowWordFirst", false);
        Map<Integer, String> at = new HashMap<>();
        String[] names = {"voltage", "current", "power", "energy"};
        int[] regs = {voltage, current, power, energy};
        for (int i = 0; i < regs.length; i++) {
            for (int word = 0; word < 2 && regs[i] >= 0; word++) {
                String before = at.putIfAbsent(regs[i] + word, names[i]);
                if (before != null) {
                    problems.add(rp + "." + names[i] + ": register " + (regs[i] + word) + " is also part of "
                            + before + "; each value takes two registers of its own");
                    break;
                }
            }
        }
        return new StationConfig.RegisterMap(StationConfig.RegisterMap.CUSTOM, function, Math.max(voltage, 0),
                Math.max(current, 0), Math.max(power, 0), Math.max(energy, 0), powerScale, energyScale, lowWordFirst);
    }

    /** A port's meter address in the range of its meter type: I2C 0x08 to 0x77, Modbus 1 to 247. */
    private OptionalInt meterAddress(JsonObject po, String path, String type, int port) {
        int address = MODBUS_RTU.equals(type) ? integer(po, path, "meterAddress", 1, 247, -1)
                : integer(po, path, "meterAddress", 0x08, 0x77, -1);
        if (address < 0) {
            refusedMeterAddress.add(port);
            return OptionalInt.empty();
        }
        return OptionalInt.of(address);
    }

    /** Ports whose meter address was refused already, so it is not reported missing on top. */
    private final java.util.Set<Integer> refusedMeterAddress = new java.util.HashSet<>();

    /** Every port needs its own meter address once meters are wired. */
    private void meterAddresses(String type, List<StationConfig.Port> ports) {
        if ("none".equals(type)) {
            return;
        }
        Map<Integer, Integer> users = new HashMap<>();
        for (StationConfig.Port pt : ports) {
            if (pt.meterAddress().isEmpty()) {
                if (refusedMeterAddress.contains(pt.port())) {
                    continue;
                }
                problems.add("charger.ports: port " + pt.port() + " has no meterAddress, the " + type
                        + " meter needs one");
                continue;
            }
            Integer before = users.putIfAbsent(pt.meterAddress().getAsInt(), pt.port());
            if (before != null) {
                problems.add("charger.ports: ports " + before + " and " + pt.port() + " both have meterAddress "
                        + pt.meterAddress().getAsInt() + "; each port's meter needs its own address");
            }
        }
    }

    /** The outbox limits; a memory queue larger than the outbox itself makes no sense and is refused. */
    private StationConfig.OutboxLimits outbox(JsonObject o) {
        StationConfig.OutboxLimits d = StationConfig.OutboxLimits.DEFAULTS;
        int maxEvents = integer(o, "outbox.maxEvents", "maxEvents", 1, 100_000_000, d.maxEvents());
        int maxBytes = integer(o, "outbox.maxBytes", "maxBytes", 1024 * 1024, Integer.MAX_VALUE, d.maxBytes());
        int memoryEvents = integer(o, "outbox.memoryEvents", "memoryEvents", 1, 1_000_000,
                Math.min(d.memoryEvents(), maxEvents));
        int memoryBytes = integer(o, "outbox.memoryBytes", "memoryBytes", 256 * 1024, 256 * 1024 * 1024,
                Math.min(d.memoryBytes(), maxBytes));
        if (memoryEvents > maxEvents) {
            problems.add("outbox.memoryEvents: " + memoryEvents + " is more than outbox.maxEvents (" + maxEvents + ")");
        }
        if (memoryBytes > maxBytes) {
            problems.add("outbox.memoryBytes: " + memoryBytes + " is more than outbox.maxBytes (" + maxBytes + ")");
        }
        return new StationConfig.OutboxLimits(maxEvents, maxBytes, memoryEvents, memoryBytes);
    }

    /** An optional DS18B20 id ({@code 28-} and 12 lower-case hex digits). */
    private Optional<String> tempSensor(JsonObject o, String path, String key) {
        if (o.getValue(key) == null) {
            return Optional.empty();
        }
        String id = string(o, path, key, false, "");
        if (id.isEmpty()) {
            return Optional.empty();
        }
        if (!StationConfig.Port.TEMP_SENSOR_ID.matcher(id).matches()) {
            problems.add(path + ": " + shown(id) + " is not a DS18B20 1-Wire id like 28-0316a2790c4f "
                    + "(as listed under /sys/bus/w1/devices)");
            return Optional.empty();
        }
        return Optional.of(id);
    }

    /** The 1-Wire bus's pin: the default of Raspberry Pi OS's {@code dtoverlay=w1-gpio}. */
    static final int ONE_WIRE_PIN = 4;
    /** The pins (SDA, SCL) of the Pi's I2C buses: 0 and 1 on the header, 3 to 6 by their device-tree overlays. */
    static final Map<Integer, List<Integer>> I2C_PINS = Map.of(0, List.of(0, 1), 1, List.of(2, 3), 3, List.of(4, 5),
            4, List.of(6, 7), 5, List.of(12, 13), 6, List.of(22, 23));

    /** The Pi's own UART on the header (TXD GPIO 14, RXD GPIO 15), by the names Raspberry Pi OS gives it. */
    static final List<String> UART_DEVICES = List.of("/dev/ttyAMA0", "/dev/serial0", "/dev/ttyS0");
    static final List<Integer> UART_PINS = List.of(14, 15);

    /**
     * Refuses a wiring in which a relay or an input sits on a pin a bus of this configuration needs: the 1-Wire bus
     * when a DS18B20 is configured, the I2C bus of the INA226 meters, the UART of Modbus meters on the header's
     * serial port ({@code uart}: its device). The kernel owns those pins once the bus is on, so the part on them
     * would never switch or read; a relay board on the 1-Wire pin even clicks at every boot.
     */
    private void busConflicts(HardwareProfile profile, Map<Integer, String> relays, boolean oneWire, int i2cBus,
                              Optional<String> uart) {
        Map<Integer, String> parts = profile.partsByPin();
        relays.forEach(parts::putIfAbsent);
        if (oneWire && parts.containsKey(ONE_WIRE_PIN)) {
            problems.add("pins: GPIO " + ONE_WIRE_PIN + " carries the 1-Wire bus of the temperature sensors "
                    + "(dtoverlay=w1-gpio) but profile " + profile.name() + ", charger.ports or roomLoads puts the "
                    + parts.get(ONE_WIRE_PIN) + " on it; wire the " + parts.get(ONE_WIRE_PIN) + " to a free pin");
        }
        if (i2cBus >= 0) {
            List<Integer> bus = I2C_PINS.get(i2cBus);
            for (int pin : bus == null ? List.<Integer>of() : bus) { // other buses (a USB adapter) use no GPIO pin
                if (parts.containsKey(pin)) {
                    problems.add("pins: GPIO " + pin + " is " + (pin == bus.get(0) ? "SDA" : "SCL") + " of I2C bus "
                            + i2cBus + ", which the ina226 meters use, but the " + parts.get(pin)
                            + " is wired to it; wire the " + parts.get(pin) + " to a free pin");
                }
            }
        }
        if (uart.isPresent()) {
            for (int pin : UART_PINS) {
                if (parts.containsKey(pin)) {
                    problems.add("pins: GPIO " + pin + " is " + (pin == 14 ? "TXD" : "RXD") + " of " + uart.get()
                            + ", the serial line of the modbus-rtu meters, but the " + parts.get(pin)
                            + " is wired to it; wire the " + parts.get(pin) + " to a free pin");
                }
            }
        }
    }

    /** One temperature sensor measures one place: a second use of the same id is a wiring mistake. */
    private void sensorUse(Map<String, String> users, String id, String user) {
        String before = users.putIfAbsent(id, user);
        if (before != null) {
            problems.add("charger: temperature sensor " + id + " is given to the " + before + " and to the " + user
                    + "; each sensor measures one place");
        }
    }

    private static boolean entryKeyValid(String k) {
        try {
            return k.length() <= 200 && java.util.Base64.getDecoder().decode(k).length >= 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private StationConfig.Access access(JsonObject a) {
        StationConfig.Access d = StationConfig.Access.DEFAULTS;
        List<StationConfig.HubKey> keys = new ArrayList<>();
        Object rawKeys = a.getValue("hubKeys");
        if (rawKeys != null && !(rawKeys instanceof JsonArray)) {
            problems.add("access.hubKeys: must be a list");
        } else if (rawKeys instanceof JsonArray list) {
            List<Integer> kids = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String p = "access.hubKeys[" + i + "]";
                if (!(list.getValue(i) instanceof JsonObject ko)) {
                    problems.add(p + ": must be an object with kid and publicKey");
                    continue;
                }
                int kid = integer(ko, p + ".kid", "kid", 0, 65535, -1);
                String key = string(ko, p + ".publicKey", "publicKey", true, "");
                if (!key.isEmpty() && rawEd25519Length(key) != 32) {
                    problems.add(p + ".publicKey: must be a raw 32-byte Ed25519 public key in base64");
                    continue;
                }
                if (kid >= 0 && kids.contains(kid)) {
                    problems.add(p + ".kid: key id " + kid + " is listed twice");
                    continue;
                }
                kids.add(kid);
                if (kid >= 0 && !key.isEmpty()) {
                    keys.add(new StationConfig.HubKey(kid, key));
                }
            }
        }
        int skew = integer(a, "access.clockSkewSeconds", "clockSkewSeconds", 0, 600, d.clockSkewSeconds());
        String hours = string(a, "access.openingHours", "openingHours", false, d.openingHours());
        if (!OPENING_HOURS.matcher(hours).matches()) {
            problems.add("access.openingHours: " + shown(hours) + " must be HH:MM-HH:MM, like 06:00-23:30 or 00:00-24:00");
            hours = d.openingHours();
        }
        String zone = string(a, "access.timeZone", "timeZone", false, d.timeZone());
        try {
            java.time.ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            problems.add("access.timeZone: " + shown(zone) + " is not a time zone, like Asia/Shanghai");
            zone = d.timeZone();
        }
        Optional<String> entryKey = Optional.empty();
        Object rawEntryKey = a.getValue("entryKey");
        if (rawEntryKey != null) {
            if (!(rawEntryKey instanceof String k) || !entryKeyValid(k)) {
                problems.add("access.entryKey: must be base64 of at least 16 bytes");
            } else {
                entryKey = Optional.of(k);
            }
        }
        return new StationConfig.Access(keys, skew, hours, zone, entryKey);
    }

    private static final Pattern OPENING_HOURS =
            Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d-(([01]\\d|2[0-3]):[0-5]\\d|24:00)");

    private static int rawEd25519Length(String base64) {
        try {
            return java.util.Base64.getDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private JsonObject object(JsonObject parent, String key, boolean required) {
        Object v = parent.getValue(key);
        if (v instanceof JsonObject j) {
            return j;
        }
        if (v == null) {
            if (required) {
                problems.add(key + ": is required");
            }
        } else {
            problems.add(key + ": must be an object");
        }
        return new JsonObject();
    }

    /** Longest CA bundle accepted in {@code mqtt.caPem}. */
    static final int MAX_CA_PEM = 64 * 1024;

    /** The optional CA the hub's certificate must chain to: PEM text holding X.509 CA certificates. */
    private Optional<String> caPem(JsonObject m) {
        Object v = m.getValue("caPem");
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String pem) || pem.isBlank()) {
            problems.add("mqtt.caPem: must be the PEM text of the hub's CA certificate");
            return Optional.empty();
        }
        if (pem.length() > MAX_CA_PEM) {
            problems.add("mqtt.caPem: longer than " + MAX_CA_PEM / 1024 + " KiB");
            return Optional.empty();
        }
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            problems.add("mqtt.caPem: holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            return Optional.empty();
        }
        try {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) {
                throw new CertificateException("none");
            }
        } catch (CertificateException e) {
            problems.add("mqtt.caPem: is not a readable X.509 certificate in PEM");
            return Optional.empty();
        }
        return Optional.of(pem);
    }

    private String string(JsonObject o, String key, boolean required, String dflt) {
        return string(o, key, key, required, dflt);
    }

    private String string(JsonObject o, String path, String key, boolean required, String dflt) {
        Object v = o.getValue(key);
        if (v == null) {
            if (required) {
                problems.add(path + ": is required");
            }
            return dflt;
        }
        if (!(v instanceof String s) || s.isBlank()) {
            problems.add(path + ": must be a non-empty text");
            return dflt;
        }
        if (s.length() > 500) {
            problems.add(path + ": is longer than 500 characters");
            return dflt;
        }
        return s;
    }

    private int integer(JsonObject o, String key, int min, int max, int dflt) {
        return integer(o, key, key, min, max, dflt);
    }

    private int integer(JsonObject o, String path, String key, int min, int max, int dflt) {
        Object v = o.getValue(key);
        if (v == null) {
            if (dflt < 0) {
                problems.add(path + ": is required");
            }
            return dflt;
        }
        if (!(v instanceof Integer || v instanceof Long) ) {
            problems.add(path + ": must be a whole number, was " + shown(v));
            return dflt;
        }
        long n = ((Number) v).longValue();
        if (n < min || n > max) {
            problems.add(path + ": " + n + " is out of range, must be " + min + " to " + max);
            return dflt;
        }
        return (int) n;
    }

    private double number(JsonObject o, String path, String key, double min, double max, double dflt) {
        Object v = o.getValue(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            problems.add(path + ": must be a number, was " + shown(v));
            return dflt;
        }
        double d = n.doubleValue();
        if (d < min || d > max) {
            problems.add(path + ": " + d + " is out of range, must be " + min + " to " + max);
            return dflt;
        }
        return d;
    }

    private boolean bool(JsonObject o, String path, String key, boolean dflt) {
        Object v = o.getValue(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean b)) {
            problems.add(path + ": must be true or false");
            return dflt;
        }
        return b;
    }

    /** A value as a problem shows it: strings in quotes, anything cut to 60 characters. */
    static String shown(Object v) {
        String text = String.valueOf(v);
        if (text.length() > 60) {
            text = text.substring(0, 60) + "...";
        }
        return v instanceof String ? "'" + text + "'" : text;
    }
}
