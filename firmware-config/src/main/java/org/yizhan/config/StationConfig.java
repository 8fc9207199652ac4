package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one station runs with. The JSON form is what {@code POST /api/v1/provision} returns as
 * {@code config}, what the hub retains on {@code .../config}, and what the agent keeps in its state
 * directory. {@link #parse} validates everything, against the hardware profile too, and reports every
 * problem at once.
 */
public record StationConfig(int version, String stationId, String name, Hub hub, Mqtt mqtt,
                            int heartbeatSeconds, int telemetrySeconds, String profile, Door door,
                            Charger charger, Occupancy occupancy, LocalHttp http, Access access,
                            OutboxLimits outbox, RoomLoads roomLoads) {

    public static final int DEFAULT_HEARTBEAT_SECONDS = 10;
    public static final int DEFAULT_TELEMETRY_SECONDS = 30;

    /** Without switched room loads. */
    public StationConfig(int version, String stationId, String name, Hub hub, Mqtt mqtt, int heartbeatSeconds,
                         int telemetrySeconds, String profile, Door door, Charger charger, Occupancy occupancy,
                         LocalHttp http, Access access, OutboxLimits outbox) {
        this(version, stationId, name, hub, mqtt, heartbeatSeconds, telemetrySeconds, profile, door, charger,
                occupancy, http, access, outbox, RoomLoads.NONE);
    }

    /** With the default outbox limits. */
    public StationConfig(int version, String stationId, String name, Hub hub, Mqtt mqtt, int heartbeatSeconds,
                         int telemetrySeconds, String profile, Door door, Charger charger, Occupancy occupancy,
                         LocalHttp http, Access access) {
        this(version, stationId, name, hub, mqtt, heartbeatSeconds, telemetrySeconds, profile, door, charger,
                occupancy, http, access, OutboxLimits.DEFAULTS);
    }

    /** A configuration with the default door-access settings (no hub keys yet, open 24 hours). */
    public StationConfig(int version, String stationId, String name, Hub hub, Mqtt mqtt, int heartbeatSeconds,
                         int telemetrySeconds, String profile, Door door, Charger charger, Occupancy occupancy,
                         LocalHttp http) {
        this(version, stationId, name, hub, mqtt, heartbeatSeconds, telemetrySeconds, profile, door, charger,
                occupancy, http, Access.DEFAULTS);
    }

    /** Where the hub is, for HTTP calls (provisioning, credential sync). */
    public record Hub(String url) {
        JsonObject toJson() {
            return new JsonObject().put("url", url);
        }
    }

    /**
     * The link to the hub and the station's credentials. {@code caPem}: the CA certificate(s), PEM, that the
     * hub's certificate must chain to, for MQTT over TLS and for HTTPS calls to {@code hub.url}; empty: the
     * system's trust store (a public CA such as Let's Encrypt). {@code eventAcks}: the hub acknowledges events on
     * {@code .../events/ack} (contract 1.1), so outbox rows go only on that acknowledgement and unacknowledged
     * events are sent again after {@code eventAckTimeoutSeconds}; false (the default, and what a hub before 1.1
     * provisioned): rows go on PUBACK, which only the hub's own endpoint sends after committing.
     * {@link #toString()} never shows the password.
     */
    public record Mqtt(String host, int port, boolean tls, String username, String password, int keepAliveSeconds,
                       Optional<String> caPem, boolean eventAcks, int eventAckTimeoutSeconds) {

        public static final int DEFAULT_EVENT_ACK_TIMEOUT_SECONDS = 30;

        public Mqtt(String host, int port, boolean tls, String username, String password, int keepAliveSeconds) {
            this(host, port, tls, username, password, keepAliveSeconds, Optional.empty());
        }

        /** Outbox rows deleted on PUBACK (no {@code .../events/ack}). */
        public Mqtt(String host, int port, boolean tls, String username, String password, int keepAliveSeconds,
                    Optional<String> caPem) {
            this(host, port, tls, username, password, keepAliveSeconds, caPem, false,
                    DEFAULT_EVENT_ACK_TIMEOUT_SECONDS);
        }

        /** The same with the hub's CA (PEM) to trust. */
        public Mqtt withCaPem(String pem) {
            return new Mqtt(host, port, tls, username, password, keepAliveSeconds, Optional.of(pem), eventAcks,
                    eventAckTimeoutSeconds);
        }

        /** The same, deleting outbox rows only on the hub's {@code .../events/ack} when {@code on}. */
        public Mqtt withEventAcks(boolean on) {
            return new Mqtt(host, port, tls, username, password, keepAliveSeconds, caPem, on, eventAckTimeoutSeconds);
        }

        /** The same with another time to wait for an acknowledgement before sending again. */
        public Mqtt withEventAckTimeoutSeconds(int seconds) {
            return new Mqtt(host, port, tls, username, password, keepAliveSeconds, caPem, eventAcks, seconds);
        }

        JsonObject toJson() {
            JsonObject j = new JsonObject().put("host", host).put("port", port).put("tls", tls)
                    .put("username", username).put("password", password).put("keepAliveSeconds", keepAliveSeconds)
                    .put("eventAcks", eventAcks).put("eventAckTimeoutSeconds", eventAckTimeoutSeconds);
            caPem.ifPresent(pem -> j.put("caPem", pem));
            return j;
        }

        @Override
        public String toString() {
            return "Mqtt[host=" + host + ", port=" + port + ", tls=" + tls + ", username=" + username
                    + ", password=***, keepAliveSeconds=" + keepAliveSeconds
                    + (caPem.isPresent() ? ", caPem=(given)" : "") + ", eventAcks=" + eventAcks
                    + ", eventAckTimeoutSeconds=" + eventAckTimeoutSeconds + "]";
        }
    }

    /**
     * Door relay pulse and alarm timings, and whether the door relay's board energises it on a LOW pin
     * ({@code relayActiveLow}: most opto-isolated relay boards do), so the agent keeps the strike locked from start
     * to stop either way.
     */
    public record Door(int unlockSeconds, int heldOpenSeconds, boolean relayActiveLow) {
        public Door(int unlockSeconds, int heldOpenSeconds) {
            this(unlockSeconds, heldOpenSeconds, false);
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject().put("unlockSeconds", unlockSeconds).put("heldOpenSeconds", heldOpenSeconds);
            if (relayActiveLow) {
                o.put("relayActiveLow", true);
            }
            return o;
        }
    }

    /**
     * The e-bike charger ports, the rules a session runs by and the power meters' wiring. Every rule has the
     * trade's default, so a configuration that lists only ports gets them. Temperature comes from DS18B20
     * 1-Wire sensors: one per port ({@link Port#tempSensor}), one for the whole cabinet
     * ({@code cabinetTempSensor}, held to the same {@code portMaxTempC} and cutting off every port), and one in
     * the room ({@code roomTempSensor}, reported as the station's {@code env.tempC}, no cut-off). All optional.
     */
    public record Charger(List<Port> ports, Rules rules, Meter meter, Optional<String> cabinetTempSensor,
                          Optional<String> roomTempSensor) {
        public Charger {
            ports = List.copyOf(ports);
        }

        /** Ports with the default rules and no wired meter. */
        public Charger(List<Port> ports) {
            this(ports, Rules.DEFAULTS, Meter.NONE);
        }

        /** No cabinet or room temperature sensor. */
        public Charger(List<Port> ports, Rules rules, Meter meter) {
            this(ports, rules, meter, Optional.empty(), Optional.empty());
        }

        JsonObject toJson() {
            JsonArray a = new JsonArray();
            ports.forEach(p -> a.add(p.toJson()));
            JsonObject o = new JsonObject().put("ports", a);
            rules.putInto(o);
            o.put("meter", meter.toJson());
            cabinetTempSensor.ifPresent(id -> o.put("cabinetTempSensor", id));
            roomTempSensor.ifPresent(id -> o.put("roomTempSensor", id));
            return o;
        }
    }

    /**
     * When a session is full, how long it may run, and the safety limits. A bike is full when its power stays
     * under {@code fullThresholdW} for {@code fullAfterSeconds}; it then float-charges for up to
     * {@code floatMaxSeconds}. A session ends after {@code sessionLimitMinutes} (a command may ask for more, never
     * over {@link #FORCED_END_MINUTES}). A port is cut off over {@code portMaxW}, {@code portMaxCurrentA} or
     * {@code portMaxTempC}; the cabinet sheds load over {@code cabinetMaxW} and starts no session unless
     * {@code cabinetReserveW} is still free. Each member may start {@code dailySessions} sessions and draw
     * {@code dailyEnergyWh} a day (0 = no energy quota).
     */
    public record Rules(double fullThresholdW, int fullAfterSeconds, int floatMaxSeconds, int sessionLimitMinutes,
                        double portMaxW, double portMaxCurrentA, double portMaxTempC, double cabinetMaxW,
                        double cabinetReserveW, int dailySessions, double dailyEnergyWh) {

        /** No session runs longer than this, whatever a command asks. */
        public static final int FORCED_END_MINUTES = 12 * 60;

        public static final Rules DEFAULTS = new Rules(30, 600, 3600, 240, 1000, 5.0, 60, 3500, 300, 3, 0);

        void putInto(JsonObject o) {
            o.put("fullThresholdW", fullThresholdW).put("fullAfterSeconds", fullAfterSeconds)
                    .put("floatMaxSeconds", floatMaxSeconds).put("sessionLimitMinutes", sessionLimitMinutes)
                    .put("portMaxW", portMaxW).put("portMaxCurrentA", portMaxCurrentA)
                    .put("portMaxTempC", portMaxTempC).put("cabinetMaxW", cabinetMaxW)
                    .put("cabinetReserveW", cabinetReserveW).put("dailySessions", dailySessions)
                    .put("dailyEnergyWh", dailyEnergyWh);
        }
    }

    /**
     * The per-port power meters: {@code type} "none" (no meter wired; the simulator brings its own), "ina226"
     * (TI INA226 on I2C bus {@code i2cBus}, one per port at the port's {@code meterAddress}, with a shunt of
     * {@code shuntOhms} sized for {@code maxCurrentA}; {@code busScale} is the ratio of the divider in front of the
     * VBUS pin, 1 when the bus is wired directly) or "modbus-rtu" (DIN-rail energy meters on one RS-485 line,
     * {@link #modbus}, one per port at the port's {@code meterAddress} as its Modbus slave address).
     */
    public record Meter(String type, int i2cBus, double shuntOhms, double maxCurrentA, double busScale,
                        Optional<ModbusRtu> modbus) {
        public static final List<String> TYPES = List.of("none", "ina226", "modbus-rtu");
        public static final Meter NONE = new Meter("none", 1, 0.002, 10, 1);

        /** A meter that is not on Modbus. */
        public Meter(String type, int i2cBus, double shuntOhms, double maxCurrentA, double busScale) {
            this(type, i2cBus, shuntOhms, maxCurrentA, busScale, Optional.empty());
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject().put("type", type).put("i2cBus", i2cBus).put("shuntOhms", shuntOhms)
                    .put("maxCurrentA", maxCurrentA).put("busScale", busScale);
            modbus.ifPresent(m -> o.put("modbus", m.toJson()));
            return o;
        }
    }

    /**
     * The RS-485 line of Modbus RTU meters: the serial {@code device} (a USB adapter's {@code /dev/ttyUSB0}, or the
     * Pi's UART {@code /dev/ttyAMA0} behind an RS-485 transceiver with automatic direction), its {@code baudRate},
     * {@code parity} ("none", "even", "odd") and {@code stopBits} (1 or 2; data bits are always 8), how long a meter
     * may take to answer ({@code timeoutMs}), and the meters' register map. All ports' meters share the line and are
     * asked one at a time.
     */
    public record ModbusRtu(String device, int baudRate, String parity, int stopBits, int timeoutMs,
                            RegisterMap registers) {
        public static final List<Integer> BAUD_RATES = List.of(1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200);
        public static final List<String> PARITIES = List.of("none", "even", "odd");
        public static final int DEFAULT_BAUD_RATE = 9600;
        public static final int DEFAULT_TIMEOUT_MS = 500;

        JsonObject toJson() {
            JsonObject o = new JsonObject().put("device", device).put("baudRate", baudRate).put("parity", parity)
                    .put("stopBits", stopBits).put("timeoutMs", timeoutMs).put("model", registers.model());
            if (RegisterMap.CUSTOM.equals(registers.model())) {
                o.put("registers", registers.toJson());
            }
            return o;
        }
    }

    /**
     * Where a Modbus meter keeps its readings: each quantity is an IEEE-754 single-precision float in two 16-bit
     * registers, read with {@code function} 4 (input registers) or 3 (holding registers); the register holding the
     * high half comes first unless {@code lowWordFirst}. {@code powerScale} turns the power register into watts
     * (1 for W, 1000 for kW), {@code energyScale} the energy register into watt-hours (1000 for kWh). {@code model}
     * is a named map ({@link #MODELS}) or "custom" for one given register by register.
     */
    public record RegisterMap(String model, int function, int voltage, int current, int power, int energy,
                              double powerScale, double energyScale, boolean lowWordFirst) {
        public static final String CUSTOM = "custom";
        /** Eastron SDM120-Modbus: input registers; V 0x0000, A 0x0006, W 0x000C, total active kWh 0x0156. */
        public static final RegisterMap SDM120 = new RegisterMap("sdm120", 4, 0x0000, 0x0006, 0x000C, 0x0156, 1,
                1000, false);
        /** Chint DDSU666: holding registers; V 0x2000, A 0x2002, kW 0x2004, total active kWh 0x4000. */
        public static final RegisterMap DDSU666 = new RegisterMap("ddsu666", 3, 0x2000, 0x2002, 0x2004, 0x4000,
                1000, 1000, false);
        public static final java.util.Map<String, RegisterMap> MODELS = java.util.Map.of("sdm120", SDM120,
                "ddsu666", DDSU666);

        JsonObject toJson() {
            return new JsonObject().put("function", function).put("voltage", voltage).put("current", current)
                    .put("power", power).put("energy", energy).put("powerScale", powerScale)
                    .put("energyScale", energyScale).put("lowWordFirst", lowWordFirst);
        }
    }

    /**
     * One charger port: its number as riders see it, the GPIO (BCM) pin of its relay, when a meter is wired the
     * address of its meter (the 7-bit I2C address of an INA226, the Modbus slave address 1 to 247 of a Modbus meter), and when the port has its own temperature sensor the 1-Wire id of its
     * DS18B20 ({@code 28-} and 12 lower-case hex digits, as under {@code /sys/bus/w1/devices}).
     */
    public record Port(int port, int relayPin, OptionalInt meterAddress, Optional<String> tempSensor,
                       boolean relayActiveLow) {
        /** A 1-Wire DS18B20 id as the kernel names it. */
        public static final java.util.regex.Pattern TEMP_SENSOR_ID = java.util.regex.Pattern.compile("28-[0-9a-f]{12}");

        public Port(int port, int relayPin) {
            this(port, relayPin, OptionalInt.empty());
        }

        public Port(int port, int relayPin, OptionalInt meterAddress) {
            this(port, relayPin, meterAddress, Optional.empty());
        }

        public Port(int port, int relayPin, OptionalInt meterAddress, Optional<String> tempSensor) {
            this(port, relayPin, meterAddress, tempSensor, false);
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject().put("port", port).put("relayPin", relayPin);
            meterAddress.ifPresent(a -> o.put("meterAddress", a));
            tempSensor.ifPresent(id -> o.put("tempSensor", id));
            if (relayActiveLow) {
                o.put("relayActiveLow", true);
            }
            return o;
        }
    }

    /**
     * Room capacity, and drift correction: when the room has shown no PIR presence and no beam activity for
     * {@code driftMinutes}, the count is reset to zero.
     */
    public record Occupancy(int capacity, int driftMinutes) {
        public static final int DEFAULT_DRIFT_MINUTES = 30;

        public Occupancy(int capacity) {
            this(capacity, DEFAULT_DRIFT_MINUTES);
        }

        JsonObject toJson() {
            return new JsonObject().put("capacity", capacity).put("driftMinutes", driftMinutes);
        }
    }

    /**
     * Door access decided on the station: the hub's public keys that rider passes are signed with (by key id, so
     * keys can rotate), how far the station's clock may be off a pass's validity window, and the opening hours
     * {@code "HH:MM-HH:MM"} in {@code timeZone} ({@code "00:00-24:00"} is always open; a range may run past
     * midnight, like {@code "22:00-06:00"}), and optionally {@code entryKey}: the base64 key (at least 16 bytes)
     * the kiosk's rotating scan-to-enter QR code is made with, which the hub derives for this station; a secret.
     */
    public record Access(List<HubKey> hubKeys, int clockSkewSeconds, String openingHours, String timeZone,
                         Optional<String> entryKey) {
        public static final int DEFAULT_CLOCK_SKEW_SECONDS = 30;
        public static final String ALWAYS_OPEN = "00:00-24:00";
        public static final String DEFAULT_TIME_ZONE = "Asia/Shanghai";
        public static final Access DEFAULTS = new Access(List.of(), DEFAULT_CLOCK_SKEW_SECONDS, ALWAYS_OPEN,
                DEFAULT_TIME_ZONE);

        public Access {
            hubKeys = List.copyOf(hubKeys);
        }

        /** Without a scan-to-enter key. */
        public Access(List<HubKey> hubKeys, int clockSkewSeconds, String openingHours, String timeZone) {
            this(hubKeys, clockSkewSeconds, openingHours, timeZone, Optional.empty());
        }

        public Access withHubKeys(List<HubKey> keys) {
            return new Access(keys, clockSkewSeconds, openingHours, timeZone, entryKey);
        }

        public Access withOpeningHours(String hours) {
            return new Access(hubKeys, clockSkewSeconds, hours, timeZone, entryKey);
        }

        /** With the scan-to-enter key the hub derived for this station (base64, a secret). */
        public Access withEntryKey(String base64) {
            return new Access(hubKeys, clockSkewSeconds, openingHours, timeZone, Optional.of(base64));
        }

        JsonObject toJson() {
            JsonArray keys = new JsonArray();
            hubKeys.forEach(k -> keys.add(k.toJson()));
            JsonObject o = new JsonObject().put("hubKeys", keys).put("clockSkewSeconds", clockSkewSeconds)
                    .put("openingHours", openingHours).put("timeZone", timeZone);
            entryKey.ifPresent(k -> o.put("entryKey", k));
            return o;
        }

        /** Never shows the entry key. */
        @Override
        public String toString() {
            return "Access[hubKeys=" + hubKeys + ", clockSkewSeconds=" + clockSkewSeconds + ", openingHours="
                    + openingHours + ", timeZone=" + timeZone + ", entryKey=" + (entryKey.isPresent() ? "***" : "none")
                    + "]";
        }
    }

    /** One hub pass-signing key: its id (0..65535) and the raw 32-byte Ed25519 public key in base64. */
    public record HubKey(int kid, String publicKey) {
        JsonObject toJson() {
            return new JsonObject().put("kid", kid).put("publicKey", publicKey);
        }
    }

    /**
     * How much the agent's durable outbox may hold while the hub cannot take events ({@code maxEvents} events and
     * {@code maxBytes} bytes, events measured as they travel; defaults sized for an SD card), and how much waits in
     * memory while the disk cannot take writes ({@code memoryEvents}, {@code memoryBytes}). At a limit the oldest
     * events that are neither access, door nor safety events make room; when there are none the new event is
     * refused. Both are counted and reported to the hub as an {@code outbox.alarm}.
     */
    public record OutboxLimits(int maxEvents, int maxBytes, int memoryEvents, int memoryBytes) {
        public static final int DEFAULT_MAX_EVENTS = 1_000_000;
        public static final int DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
        public static final int DEFAULT_MEMORY_EVENTS = 10_000;
        public static final int DEFAULT_MEMORY_BYTES = 16 * 1024 * 1024;
        public static final OutboxLimits DEFAULTS = new OutboxLimits(DEFAULT_MAX_EVENTS, DEFAULT_MAX_BYTES,
                DEFAULT_MEMORY_EVENTS, DEFAULT_MEMORY_BYTES);

        JsonObject toJson() {
            return new JsonObject().put("maxEvents", maxEvents).put("maxBytes", maxBytes)
                    .put("memoryEvents", memoryEvents).put("memoryBytes", memoryBytes);
        }
    }

    /**
     * The room's loads on relays that the agent switches off at night when the room is empty, as stations that are
     * open all night save power: lights, the water heater, the air conditioner. Inside {@code nightHours}
     * ({@code "HH:MM-HH:MM"} in the station's {@code access.timeZone}; {@code "23:00-06:00"} runs past midnight) a
     * room that has been empty (occupancy 0) for {@code emptyMinutes} has its loads switched off; the first entry
     * (the count rising above 0, or access granted at the door) switches them on again, and so does the end of the
     * night. By day they stay on.
     */
    public record RoomLoads(List<Load> loads, String nightHours, int emptyMinutes) {
        public static final String DEFAULT_NIGHT_HOURS = "23:00-06:00";
        public static final int DEFAULT_EMPTY_MINUTES = 20;
        public static final RoomLoads NONE = new RoomLoads(List.of(), DEFAULT_NIGHT_HOURS, DEFAULT_EMPTY_MINUTES);

        public RoomLoads {
            loads = List.copyOf(loads);
        }

        JsonObject toJson() {
            JsonArray a = new JsonArray();
            loads.forEach(l -> a.add(l.toJson()));
            return new JsonObject().put("loads", a).put("nightHours", nightHours).put("emptyMinutes", emptyMinutes);
        }
    }

    /**
     * One switched load: its {@code name} as the hub shows it ({@code lights}, {@code water-heater}, ...), the GPIO
     * (BCM) pin of its relay, whether the relay board energises on a LOW pin ({@code relayActiveLow}), and how the
     * load is wired to the relay: through the normally-closed contact ({@code normallyClosed}, the default) it is on
     * while the relay rests, so the agent energises the relay to switch it off, and a stopped or crashed agent
     * leaves the room lit and warm; through the normally-open contact the agent energises the relay to switch it on.
     */
    public record Load(String name, int relayPin, boolean relayActiveLow, boolean normallyClosed) {
        /** Lower-case letters, digits and '-', starting with a letter. */
        public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,31}");

        /** Whether the relay is energised when the load is {@code on}. */
        public boolean energisedWhen(boolean on) {
            return on != normallyClosed;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject().put("name", name).put("relayPin", relayPin)
                    .put("normallyClosed", normallyClosed);
            if (relayActiveLow) {
                o.put("relayActiveLow", true);
            }
            return o;
        }
    }

    /** The agent's local HTTP server (status, kiosk, simulator); port 0 picks a free port. */
    public record LocalHttp(String host, int port) {
        JsonObject toJson() {
            return new JsonObject().put("host", host).put("port", port);
        }
    }

    public JsonObject toJson() {
        JsonObject j = new JsonObject()
                .put("version", version)
                .put("stationId", stationId)
                .put("name", name)
                .put("hub", hub.toJson())
                .put("mqtt", mqtt.toJson())
                .put("heartbeatSeconds", heartbeatSeconds)
                .put("telemetrySeconds", telemetrySeconds)
                .put("profile", profile)
                .put("door", door.toJson())
                .put("charger", charger.toJson())
                .put("occupancy", occupancy.toJson())
                .put("http", http.toJson())
                .put("access", access.toJson())
                .put("outbox", outbox.toJson());
        if (!roomLoads.loads().isEmpty()) {
            j.put("roomLoads", roomLoads.toJson());
        }
        return j;
    }

    /** The same configuration with other switched room loads. */
    public StationConfig withRoomLoads(RoomLoads other) {
        return new StationConfig(version, stationId, name, hub, mqtt, heartbeatSeconds, telemetrySeconds, profile,
                door, charger, occupancy, http, access, outbox, other);
    }

    /** The same configuration with other MQTT settings (used when provisioning and in tests). */
    public StationConfig withMqtt(Mqtt other) {
        return new StationConfig(version, stationId, name, hub, other, heartbeatSeconds, telemetrySeconds, profile,
                door, charger, occupancy, http, access, outbox, roomLoads);
    }

    public StationConfig withHttp(LocalHttp other) {
        return new StationConfig(version, stationId, name, hub, mqtt, heartbeatSeconds, telemetrySeconds, profile,
                door, charger, occupancy, other, access, outbox, roomLoads);
    }

    /** The same configuration with other door-access settings (the hub adds its current pass keys). */
    public StationConfig withAccess(Access other) {
        return new StationConfig(version, stationId, name, hub, mqtt, heartbeatSeconds, telemetrySeconds, profile,
                door, charger, occupancy, http, other, outbox, roomLoads);
    }

    /** The same configuration with other outbox limits. */
    public StationConfig withOutbox(OutboxLimits other) {
        return new StationConfig(version, stationId, name, hub, mqtt, heartbeatSeconds, telemetrySeconds, profile,
                door, charger, occupancy, http, access, other, roomLoads);
    }

    /** A configuration for a new station with {@code ports} charger ports wired as the profile says. */
    public static StationConfig defaults(String stationId, String name, String hubUrl, Mqtt mqtt, String profileName,
                                         int ports, int capacity, int heartbeatSeconds, int telemetrySeconds)
            throws ConfigException {
        HardwareProfile profile = HardwareProfile.load(profileName);
        if (ports < 0 || ports > profile.chargerRelayPins().size()) {
            throw new ConfigException("ports: profile " + profileName + " wires at most "
                    + profile.chargerRelayPins().size() + " charger ports, asked for " + ports);
        }
        List<Port> list = new ArrayList<>();
        for (int i = 0; i < ports; i++) {
            list.add(new Port(i + 1, profile.chargerRelayPins().get(i)));
        }
        StationConfig c = new StationConfig(1, stationId, name, new Hub(hubUrl), mqtt, heartbeatSeconds,
                telemetrySeconds, profileName, new Door(5, 60), new Charger(list), new Occupancy(capacity),
                new LocalHttp("127.0.0.1", 8088));
        return parse(c.toJson());
    }

    /** Parses and validates; every problem found is reported in the exception. */
    public static StationConfig parse(JsonObject json) throws ConfigException {
        return new ConfigParser(json).parse();
    }

    /** Parses JSON text; bad JSON is reported as a problem, not as a crash. */
    public static StationConfig parse(String text) throws ConfigException {
        JsonObject json;
        try {
            json = new JsonObject(text);
        } catch (RuntimeException e) {
            throw new ConfigException("$: not a JSON object (" + firstLine(e.getMessage()) + ")");
        }
        return parse(json);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
