package org.yizhan.hub.stations;

import io.vertx.core.json.JsonObject;
import org.yizhan.config.ConfigException;
import org.yizhan.config.StationConfig;

import java.util.List;
import java.util.Optional;

/**
 * The configuration the hub wants a station to run, built from its registry row and retained on
 * {@code .../config}. It leaves out what only the station knows or must keep to itself: its MQTT
 * credentials (never sent over MQTT), its local HTTP binding, and the hub address unless the hub has a
 * public one configured; the agent keeps its own values for those.
 */
public final class DesiredConfig {

    private DesiredConfig() {
    }

    public static JsonObject of(Station s, Optional<String> publicHubUrl) throws ConfigException {
        return of(s, publicHubUrl, List.of());
    }

    /** The desired configuration with the hub's current pass-signing public keys in its {@code access} block. */
    public static JsonObject of(Station s, Optional<String> publicHubUrl, List<StationConfig.HubKey> hubKeys)
            throws ConfigException {
        return of(s, publicHubUrl, hubKeys, new JsonObject());
    }

    /**
     * The desired configuration with a technician's {@link ConfigSettings} on top of the registry's defaults,
     * checked by firmware-config's parser (its problems name the settings).
     */
    public static JsonObject of(Station s, Optional<String> publicHubUrl, List<StationConfig.HubKey> hubKeys,
                                JsonObject settings) throws ConfigException {
        return of(s, publicHubUrl, hubKeys, settings, Optional.empty());
    }

    /**
     * As {@link #of(Station, Optional, List, JsonObject)}, with the station's scan-to-enter key (a secret: only for
     * the station's own retained topic).
     */
    public static JsonObject of(Station s, Optional<String> publicHubUrl, List<StationConfig.HubKey> hubKeys,
                                JsonObject settings, Optional<String> entryKey) throws ConfigException {
        StationConfig.Access withKeys = StationConfig.Access.DEFAULTS.withHubKeys(hubKeys);
        StationConfig.Mqtt placeholder = new StationConfig.Mqtt("hub", 1883, false, s.id(), "unused", 30);
        JsonObject base = StationConfig.defaults(s.id(), s.name(), publicHubUrl.orElse("http://hub"), placeholder,
                s.profile(), s.ports(), s.capacity(), s.heartbeatSeconds(), s.telemetrySeconds())
                .withAccess(entryKey.map(withKeys::withEntryKey).orElse(withKeys)).toJson();
        JsonObject json = settings.isEmpty() ? base
                : StationConfig.parse(ConfigSettings.apply(base, settings)).toJson();
        json.remove("mqtt");
        json.remove("http");
        if (publicHubUrl.isEmpty()) {
            json.remove("hub");
        }
        return json.put("version", s.configVersion());
    }
}
