package org.yizhan.hub.presence;

import io.vertx.core.json.JsonObject;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the hub knows of a station's presence: {@code online}, {@code offline} or {@code unknown} (never
 * heard of since it was provisioned), since when, when anything last arrived, and why it went offline.
 */
public record Presence(String state, OptionalLong since, OptionalLong lastSeen, Optional<String> reason) {

    public static final String ONLINE = "online";
    public static final String OFFLINE = "offline";
    public static final String UNKNOWN = "unknown";

    /** {"state","since","lastSeen"} plus {"reason"} when offline; absent times are null. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject().put("state", state)
                .put("since", since.isPresent() ? since.getAsLong() : null)
                .put("lastSeen", lastSeen.isPresent() ? lastSeen.getAsLong() : null);
        reason.ifPresent(r -> o.put("reason", r));
        return o;
    }
}
