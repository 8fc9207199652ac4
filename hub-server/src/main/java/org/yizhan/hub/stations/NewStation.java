package org.yizhan.hub.stations;

import io.vertx.core.json.JsonObject;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.JsonBody;

import java.util.Map;

/** What a technician gives to register a station; {@link #parse} checks every field and names the bad one. */
public record NewStation(String name, String address, double lat, double lon, String profile, int ports,
                         int capacity, int heartbeatSeconds, int telemetrySeconds) {

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
        return new NewStation(name, address, lat, lon, profile, ports, capacity, heartbeat, telemetry);
    }
}
