package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/** {@code .../telemetry}: the station's current readings; every block is optional. */
public record Telemetry(long ts, Optional<Occupancy> occupancy, Optional<Door> door, List<Charger> chargers,
                        Optional<Env> env) implements Message {

    /** Largest number of charger ports one station may report. */
    public static final int MAX_PORTS = 64;

    public Telemetry {
        chargers = List.copyOf(chargers);
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
        return new Telemetry(ts, occupancy, door, chargers, env);
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
        return o;
    }
}
