package org.yizhan.agent.charger;

import io.vertx.core.json.JsonObject;

/**
 * One charging session: who (member pseudonym), where (port), when it started and by when it must end.
 * {@link Ended} adds the end, the energy and the reason: {@code full}, {@code unplugged}, {@code time-limit},
 * {@code stopped-by-rider}, {@code stopped-by-operator} or {@code safety-cutoff}.
 */
public record Session(String id, int port, String member, long startedAt, long endsBy) {

    public static final String FULL = "full";
    public static final String UNPLUGGED = "unplugged";
    public static final String TIME_LIMIT = "time-limit";
    public static final String STOPPED_BY_RIDER = "stopped-by-rider";
    public static final String STOPPED_BY_OPERATOR = "stopped-by-operator";
    public static final String SAFETY_CUTOFF = "safety-cutoff";

    /** Event data of {@code charger.session_started}. */
    public JsonObject toJson() {
        return new JsonObject().put("port", port).put("member", member).put("sessionId", id)
                .put("startedAt", startedAt).put("endsBy", endsBy);
    }

    /** A finished session. */
    public record Ended(Session session, long endedAt, double energyWh, String reason) {

        /** Event data of {@code charger.session_ended}. */
        public JsonObject toJson() {
            return new JsonObject().put("port", session.port()).put("member", session.member())
                    .put("sessionId", session.id()).put("startedAt", session.startedAt()).put("endedAt", endedAt)
                    .put("durationS", Math.max(0, endedAt - session.startedAt()) / 1000)
                    .put("energyWh", Math.round(energyWh * 10) / 10.0).put("reason", reason);
        }
    }
}
