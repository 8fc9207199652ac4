package org.yizhan.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What one station runs with. The JSON form is what {@code POST /api/v1/provision} returns as
 * {@code config}, what the hub retains on {@code .../config}, and what the agent keeps in its state
 * directory. {@link #parse} validates everything, against the hardware profile too, and reports every
 * problem at once.
 */
public record StationConfig(int version, String stationId, String name, Hub hub, Mqtt mqtt,
                            int heartbeatSeconds, int telemetrySeconds, String profile, Door door,
                            Charger charger, Occupancy occupancy, LocalHttp http) {

    public static final int DEFAULT_HEARTBEAT_SECONDS = 10;
    public static final int DEFAULT_TELEMETRY_SECONDS = 30;

    /** Where the hub is, for HTTP calls (provisioning, credential sync). */
    public record Hub(String url) {
        JsonObject toJson() {
            return new JsonObject().put("url", url);
        }
    }

    /** The MQTT uplink and the station's credentials. {@link #toString()} never shows the password. */
    public record Mqtt(String host, int port, boolean tls, String username, String password, int keepAliveSeconds) {
        JsonObject toJson() {
            return new JsonObject().put("host", host).put("port", port).put("tls", tls).put("username", username)
                    .put("password", password).put("keepAliveSeconds", keepAliveSeconds);
        }

        @Override
        public String toString() {
            return "Mqtt[host=" + host + ", port=" + port + ", tls=" + tls + ", username=" + username
                    + ", password=***, keepAliveSeconds=" + keepAliveSeconds + "]";
        }
    }

    /** Door relay pulse and alarm timings. */
    public record Door(int unlockSeconds, int heldOpenSeconds) {
        JsonObject toJson() {
            return new JsonObject().put("unlockSeconds", unlockSeconds).put("heldOpenSeconds", heldOpenSeconds);
        }
    }

    /** The e-bike charger ports. */
    public record Charger(List<Port> ports) {
        public Charger {
            ports = List.copyOf(ports);
        }

        JsonObject toJson() {
            JsonArray a = new JsonArray();
            ports.forEach(p -> a.add(p.toJson()));
            return new JsonObject().put("ports", a);
        }
    }

    /** One charger port: its number as riders see it and the GPIO (BCM) pin of its relay. */
    public record Port(int port, int relayPin) {
        JsonObject toJson() {
            return new JsonObject().put("port", port).put("relayPin", relayPin);
        }
    }

    /** Room capacity. */
    public record Occupancy(int capacity) {
        JsonObject toJson() {
            return new JsonObject().put("capacity", capacity);
        }
    }

    /** The agent's local HTTP server (status, kiosk, simulator); port 0 picks a free port. */
    public record LocalHttp(String host, int port) {
        JsonObject toJson() {
            return new JsonObject().put("host", host).put("port", port);
        }
    }

    public JsonObject toJson() {
        return new JsonObject()
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
                .put("http", http.toJson());
    }

    /** The same configuration with other MQTT settings (used when provisioning and in tests). */
    public StationConfig withMqtt(Mqtt other) {
        return new StationConfig(version, stationId, name, hub, other, heartbeatSeconds, telemetrySeconds, profile,
                door, charger, occupancy, http);
    }

    public StationConfig withHttp(LocalHttp other) {
        return new StationConfig(version, stationId, name, hub, mqtt, heartbeatSeconds, telemetrySeconds, profile,
                door, charger, occupancy, other);
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
