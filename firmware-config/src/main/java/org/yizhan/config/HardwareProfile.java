package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A built-in wiring of a station's hardware: which GPIO (BCM numbering) pins the board has, and which
 * pin drives or reads each part. Loaded from {@code /profiles/{name}.json} on the class path.
 */
public record HardwareProfile(String name, String board, String description, Set<Integer> gpioPins,
                              int doorRelayPin, int doorContactPin, int exitButtonPin, int beamOuterPin,
                              int beamInnerPin, int pirPin, int smokePin, List<Integer> chargerRelayPins) {

    public static final List<String> BUILT_IN = List.of("pi4b-standard", "pi5-standard", "simulated");

    public HardwareProfile {
        gpioPins = Set.copyOf(gpioPins);
        chargerRelayPins = List.copyOf(chargerRelayPins);
    }

    public boolean hasPin(int pin) {
        return gpioPins.contains(pin);
    }

    /** The parts this profile wires, by pin, in words a technician reads ("door relay", "outer beam", ...). */
    public Map<Integer, String> partsByPin() {
        Map<Integer, String> parts = new TreeMap<>();
        parts.put(doorRelayPin, "door relay");
        parts.put(doorContactPin, "door contact");
        parts.put(exitButtonPin, "exit button");
        parts.put(beamOuterPin, "outer beam");
        parts.put(beamInnerPin, "inner beam");
        parts.put(pirPin, "PIR sensor");
        parts.put(smokePin, "smoke detector");
        return parts;
    }

    public static HardwareProfile load(String name) throws ConfigException {
        if (name == null || !BUILT_IN.contains(name)) {
            throw new ConfigException("profile: unknown hardware profile '" + name + "', known are " + BUILT_IN);
        }
        try (InputStream in = HardwareProfile.class.getResourceAsStream("/profiles/" + name + ".json")) {
            if (in == null) {
                throw new ConfigException("profile: built-in profile '" + name + "' is missing from the build");
            }
            return parse(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new ConfigException("profile: cannot read built-in profile '" + name + "': " + e.getMessage());
        }
    }

    static HardwareProfile parse(JsonObject o) {
        Set<Integer> pins = new TreeSet<>();
        o.getJsonArray("gpioPins").forEach(p -> pins.add(((Number) p).intValue()));
        JsonObject w = o.getJsonObject("pins");
        List<Integer> relays = new ArrayList<>();
        JsonArray r = w.getJsonArray("chargerRelays");
        r.forEach(p -> relays.add(((Number) p).intValue()));
        return new HardwareProfile(o.getString("name"), o.getString("board"), o.getString("description"), pins,
                w.getInteger("doorRelay"), w.getInteger("doorContact"), w.getInteger("exitButton"),
                w.getInteger("beamOuter"), w.getInteger("beamInner"), w.getInteger("pir"), w.getInteger("smoke"),
                relays);
    }
}
