package org.yizhan.hub.charging;

import io.vertx.core.json.JsonObject;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** One charging session as the registry keeps it. Open sessions have no end, energy or reason yet. */
public record SessionRow(long rowId, String stationId, String sessionId, OptionalInt port, Optional<String> member,
                         long startedAt, OptionalLong endedAt, OptionalDouble energyWh, Optional<String> reason) {

    /** Sessions end by force after 12 h (the agent's hard limit); an open session is not counted longer. */
    public static final long MAX_SESSION_MILLIS = 12 * 3_600_000L;

    public boolean isOpen() {
        return endedAt.isEmpty();
    }

    /**
     * When the session stopped occupying its port for the figures: its end, or for an open session now, but at
     * most {@link #MAX_SESSION_MILLIS} after its start (a session whose end never arrived is not busy forever).
     */
    public long busyUntil(long now) {
        if (endedAt.isPresent()) {
            return Math.max(startedAt, endedAt.getAsLong());
        }
        return Math.max(startedAt, Math.min(now, startedAt + MAX_SESSION_MILLIS));
    }

    /** {"sessionId","port","member","startedAt","endedAt","energyWh","reason"}; absent values are null. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("sessionId", sessionId)
                .put("port", port.isPresent() ? port.getAsInt() : null)
                .put("member", member.orElse(null))
                .put("startedAt", startedAt)
                .put("endedAt", endedAt.isPresent() ? endedAt.getAsLong() : null)
                .put("energyWh", energyWh.isPresent() ? energyWh.getAsDouble() : null)
                .put("reason", reason.orElse(null));
    }
}
