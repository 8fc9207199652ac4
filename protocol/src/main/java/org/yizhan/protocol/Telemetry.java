package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code .../telemetry}: the station's current readings; every block is optional. {@code loads}: the
 * room's switched loads and whether each is on; {@code position}: where a station with a GNSS receiver is (a
 * mobile station), WGS-84 (see docs/contract.md). A hub that does not know a block ignores it.
 */
public record Telemetry(long ts, Optional<Occupancy> occupancy, Optional<Door> door, List<Charger> chargers,
                        Optional<Env> env, List<Load> loads, Optional<Position> position) implements Message {

    /** Largest number of charger ports one station may report. */
    public static final int MAX_PORTS = 64;
    /** Largest number of room loads one station may report. */
    public static final int MAX_LOADS = 16;
    private static final java.util.regex.Pattern LOAD_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public Telemetry {
        chargers = List.copyOf(chargers);
        loads = List.copyOf(loads);
    }

    /** Without room loads. */
    public Telemetry(long ts, Optional<Occupancy> occupancy, Optional<Door> door, List<Charger> chargers,
                     Optional<Env> env) {
        this(ts, occupancy, door, chargers, env, List.of());
    }

    /** Without a position. */
    public Telemetry(long ts, Optional<Occupancy> occupancy, Optional<Door> door, List<Charger> chargers,
                     Optional<Env> env, List<Load> loads) {
        this(ts, occupancy, door, chargers, env, loads, Optional.empty());
    }

    /**
     * Where the station is, from its GNSS receiver: WGS-84 degrees, and the receiver's horizontal accuracy in
     * metres when it gives one.
     */
    public record Position(double lat, double lon, OptionalDouble accuracyM) {
        JsonObject toJson() {
            JsonObject o = new JsonObject().put("lat", lat).put("lon", lon);
            accuracyM.ifPresent(a -> o.put("accuracyM", a));
            return o;
        }
    }

    /**
     * One room load (lights, water heater, air conditioning): {@code on}, and since when (epoch ms, the station's
     * clock); off means switched off for the night because the room is empty.
     */
    public record Load(String name, boolean on, long since) {
        JsonObject toJson() {
            return new JsonObject().put("name", name).put("on", on).put("since", since);
        }
    }

    /** People in the room against its capacity. */
    public record Occupancy(int count, int capacity) {
        JsonObject toJson() {
            return new JsonObject().put("count", count).put("capacity", capacity);
        }
    }

    /** Door contact and lock. */
    public record Door(boolean open, boolean locked) {
        JsonObject toJson() {
            return new JsonObject().put("open", open).put("locked", locked);
        }
    }

    /** One charger port's reading. */
    public record Charger(int port, ChargerState state, double powerW, double energyWh, OptionalDouble tempC) {
        JsonObject toJson() {
            JsonObject o = new JsonObject().put("port", port).put("state", state.wireName()).put("powerW", powerW)
                    .put("energyWh", energyWh);
            tempC.ifPresent(t -> o.put("tempC", t));
            return o;
        }
    }

    /** Room climate. */
    public record Env(OptionalDouble tempC, OptionalDouble humidity) {
        JsonObject toJson() {
            JsonObject o = new JsonObject();
            tempC.ifPresent(t -> o.put("tempC", t));
            humidity.ifPresent(h -> o.put("humidity", h));
            return o;
        }
    }

    static Telemetry parse(JsonObject o) throws ProtocolException {
        long ts = Codec.ts(o);
        Optional<Occupancy> occupancy = Optional.empty();
        Optional<JsonObject> occ = Fields.optionalObject(o, "", "occupancy");
        if (occ.isPresent()) {
            int capacity = Fields.requireInt(occ.get(), "occupancy", "capacity", 0, 100_000);
            int count = Fields.requireInt(occ.get(), "occupancy", "count", 0, 100_000);
            occupancy = Optional.of(new Occupancy(count, capacity));
        }
        Optional<Door> door = Optional.empty();
        Optional<JsonObject> d = Fields.optionalObject(o, "", "door");
        if (d.isPresent()) {
            door = Optional.of(new Door(Fields.requireBoolean(d.get(), "door", "open"),
                    Fields.requireBoolean(d.get(), "door", "locked")));
        }
        List<Charger> chargers = new ArrayList<>();
        Optional<JsonArray> arr = Fields.optionalArray(o, "", "chargers");
        if (arr.isPresent()) {
            JsonArray a = arr.get();
            if (a.size() > MAX_PORTS) {
                throw new ProtocolException("chargers", "range", "must list at most " + MAX_PORTS + " ports");
            }
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < a.size(); i++) {
                String p = "chargers[" + i + "]";
                if (!(a.getValue(i) instanceof JsonObject c)) {
                    throw new ProtocolException(p, "type", "must be an object");
                }
                int port = Fields.requireInt(c, p, "port", 1, MAX_PORTS);
                if (!seen.add(port)) {
                    throw new ProtocolException(p + ".port", "range", "port " + port + " is listed twice");
                }
                String stateName = Fields.requireString(c, p, "state", 32);
                ChargerState state = ChargerState.ofWire(stateName).orElseThrow(() -> new ProtocolException(
                        p + ".state", "range", "unknown state '" + stateName + "'"));
                double powerW = Fields.doubleOr(c, p, "powerW", 0);
                double energyWh = Fields.doubleOr(c, p, "energyWh", 0);
                if (powerW < 0 || powerW > 100_000) {
                    throw new ProtocolException(p + ".powerW", "range", "must be between 0 and 100000");
                }
                if (energyWh < 0) {
                    throw new ProtocolException(p + ".energyWh", "range", "must not be negative");
                }
                chargers.add(new Charger(port, state, powerW, energyWh, Fields.optionalDouble(c, p, "tempC")));
            }
        }
        Optional<Env> env = Optional.empty();
        Optional<JsonObject> e = Fields.optionalObject(o, "", "env");
        if (e.isPresent()) {
            env = Optional.of(new Env(Fields.optionalDouble(e.get(), "env", "tempC"),
                    Fields.optionalDouble(e.get(), "env", "humidity")));
        }
        return new Telemetry(ts, occupancy, door, chargers, env, loads(o), position(o));
    }

    private static Optional<Position> position(JsonObject o) throws ProtocolException {
        Optional<JsonObject> p = Fields.optionalObject(o, "", "position");
        if (p.isEmpty()) {
            return Optional.empty();
        }
        OptionalDouble lat = Fields.optionalDouble(p.get(), "position", "lat");
        OptionalDouble lon = Fields.optionalDouble(p.get(), "position", "lon");
        if (lat.isEmpty() || lat.getAsDouble() < -90 || lat.getAsDouble() > 90) {
            throw new ProtocolException("position.lat", "range", "must be a latitude from -90 to 90");
        }
        if (lon.isEmpty() || lon.getAsDouble() < -180 || lon.getAsDouble() > 180) {
            throw new ProtocolException("position.lon", "range", "must be a longitude from -180 to 180");
        }
        OptionalDouble accuracy = Fields.optionalDouble(p.get(), "position", "accuracyM");
        if (accuracy.isPresent() && (accuracy.getAsDouble() < 0 || accuracy.getAsDouble() > 100_000)) {
            throw new ProtocolException("position.accuracyM", "range", "must be 0 to 100000 metres");
        }
        return Optional.of(new Position(lat.getAsDouble(), lon.getAsDouble(), accuracy));
    }

    private static List<Load> loads(JsonObject o) throws ProtocolException {
        List<Load> loads = new ArrayList<>();
        Optional<JsonArray> arr = Fields.optionalArray(o, "", "loads");
        if (arr.isEmpty()) {
            return loads;
        }
        JsonArray a = arr.get();
        if (a.size() > MAX_LOADS) {
            throw new ProtocolException("loads", "range", "must list at most " + MAX_LOADS + " loads");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            String p = "loads[" + i + "]";
            if (!(a.getValue(i) instanceof JsonObject l)) {
                throw new ProtocolException(p, "type", "must be an object");
            }
            String name = Fields.requireString(l, p, "name", 32);
            if (!LOAD_NAME.matcher(name).matches()) {
                throw new ProtocolException(p + ".name", "range", "must be lower-case letters, digits and '-'");
            }
            if (!seen.add(name)) {
                throw new ProtocolException(p + ".name", "range", "load '" + name + "' is listed twice");
            }
            loads.add(new Load(name, Fields.requireBoolean(l, p, "on"),
                    Fields.requireLong(l, p, "since", 0, Long.MAX_VALUE)));
        }
        return loads;
    }

    @Override
    public JsonObject toJson() {
        JsonObject o = new JsonObject().put("v", Codec.VERSION).put("ts", ts);
        occupancy.ifPresent(x -> o.put("occupancy", x.toJson()));
        door.ifPresent(x -> o.put("door", x.toJson()));
        if (!chargers.isEmpty()) {
            JsonArray a = new JsonArray();
            chargers.forEach(c -> a.add(c.toJson()));
            o.put("chargers", a);
        }
        env.ifPresent(x -> o.put("env", x.toJson()));
        if (!loads.isEmpty()) {
            JsonArray a = new JsonArray();
            loads.forEach(l -> a.add(l.toJson()));
            o.put("loads", a);
        }
        position.ifPresent(x -> o.put("position", x.toJson()));
        return o;
    }
}
