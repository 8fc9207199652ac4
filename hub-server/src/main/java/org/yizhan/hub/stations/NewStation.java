package org.yizhan.hub.stations;

import io.vertx.core.json.JsonObject;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.JsonBody;

import java.util.Map;
import java.util.Optional;

/** What a technician gives to register a station; {@link #parse} checks every field and names the bad one. */
public record NewStation(String name, String address, double lat, double lon, String profile, int ports,
                         int capacity, int heartbeatSeconds, int telemetrySeconds, Optional<String> district) {

    /** Longest district name. */
    public static final int MAX_DISTRICT_CHARS = 100;

    /** A station without a district. */
    public NewStation(String name, String address, double lat, double lon, String profile, int ports, int capacity,
                      int heartbeatSeconds, int telemetrySeconds) {
        this(name, address, lat, lon, profile, ports, capacity, heartbeatSeconds, telemetrySeconds, Optional.empty());
    }

    /**
     * A district as given (stripped; blank is none), or why it is not one: a single line of at most
     * {@link #MAX_DISTRICT_CHARS} characters.
     */
    public static Optional<String> district(String raw) {
        String d = raw.strip();
        if (d.length() > MAX_DISTRICT_CHARS) {
            throw new IllegalArgumentException("is longer than " + MAX_DISTRICT_CHARS + " characters");
        }
        if (d.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("must be one line without control characters");
        }
        return d.isEmpty() ? Optional.empty() : Optional.of(d);
    }

    /** The body's optional {@code "district"} (a string, or null for none); 400 naming the field otherwise. */
    public static Optional<String> district(JsonObject json) {
        Object v = json.getValue("district");
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw ApiException.badField("district", "must be a text such as 西湖区, or null");
        }
        try {
            return district(s);
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("district", e.getMessage());
        }
    }

    /**
     * @param portsPerProfile how many charger ports each built-in profile wires
     * @throws ApiException 400 naming the first bad field
     */
    public static NewStation parse(JsonObject json, Map<String, Integer> portsPerProfile) {
        JsonBody b = JsonBody.of(json);
        String name = b.string("name", 1, 200);
        String address = b.optionalString("address", 0, 500).orElse("");
        double lat = b.number("lat", -90, 90);
        double lon = b.number("lon", -180, 180);
        String profile = b.string("profile", 1, 40);
        Integer maxPorts = portsPerProfile.get(profile);
        if (maxPorts == null) {
            throw ApiException.badField("profile", "unknown hardware profile '" + profile + "', known are "
                    + HardwareProfile.BUILT_IN);
        }
        int ports = b.integer("ports", 0, maxPorts);
        int capacity = b.integer("capacity", 1, 10_000);
        int heartbeat = b.integer("heartbeatSeconds", 1, 3600, StationConfig.DEFAULT_HEARTBEAT_SECONDS);
        int telemetry = b.integer("telemetrySeconds", 1, 3600, StationConfig.DEFAULT_TELEMETRY_SECONDS);
        return new NewStation(name, address, lat, lon, profile, ports, capacity, heartbeat, telemetry, district(json));
    }
}
