package org.yizhan.hub.live;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest telemetry each station reported, kept in memory for the station API and the dashboard.
 * Presence lives in the registry ({@code stations.presence_*}); this holds what changes every few seconds.
 */
public final class StationLive {

    private final Map<String, JsonObject> telemetry = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final Map<String, long[]> reportedConfig = new ConcurrentHashMap<>();

    /** Stores the telemetry payload (as received, validated) for the station. */
    public void telemetry(String stationId, JsonObject payload) {
        telemetry.put(stationId, payload);
    }

    public Optional<JsonObject> telemetry(String stationId) {
        return Optional.ofNullable(telemetry.get(stationId));
    }

    public void seen(String stationId, long at) {
        lastSeen.merge(stationId, at, Math::max);
    }

    public Optional<Long> lastSeen(String stationId) {
        return Optional.ofNullable(lastSeen.get(stationId));
    }

    /** The configuration version the station said it runs (in its birth message), and when. */
    public void reportedConfig(String stationId, int version, long at) {
        reportedConfig.put(stationId, new long[] {version, at});
    }

    /** {@code [version, at]} of the station's last birth message since the hub started, if any. */
    public Optional<long[]> reportedConfig(String stationId) {
        return Optional.ofNullable(reportedConfig.get(stationId)).map(long[]::clone);
    }
}
