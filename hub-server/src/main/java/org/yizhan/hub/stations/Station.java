package org.yizhan.hub.stations;

import io.vertx.core.json.JsonObject;

import java.util.Optional;

/** One station as the registry keeps it; {@code district} such as 西湖区, empty when not set. */
public record Station(String id, String name, String address, double lat, double lon, String profile, int ports,
                      int capacity, int heartbeatSeconds, int telemetrySeconds, int configVersion, long createdAt,
                      Optional<Long> provisionedAt, String presenceState, Optional<Long> presenceSince,
                      Optional<Long> lastSeen, boolean mobile, Optional<Long> hereUntil, Optional<String> district) {

    /** The registry fields, without live data. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("name", name)
                .put("district", district.orElse(null))
                .put("address", address)
                .put("lat", Double.isNaN(lat) ? null : lat)
                .put("lon", Double.isNaN(lon) ? null : lon)
                .put("profile", profile)
                .put("ports", ports)
                .put("capacity", capacity)
                .put("heartbeatSeconds", heartbeatSeconds)
                .put("telemetrySeconds", telemetrySeconds)
                .put("configVersion", configVersion)
                .put("createdAt", createdAt)
                .put("provisioned", provisionedAt.isPresent())
                .put("provisionedAt", provisionedAt.orElse(null))
                .put("mobile", mobile)
                .put("hereUntil", hereUntil.orElse(null));
    }
}
