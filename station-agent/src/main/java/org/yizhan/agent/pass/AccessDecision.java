package org.yizhan.agent.pass;

import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * What the door decided for one presentation: granted or denied, why ({@link #GRANTED_REASON} or one of the
 * refusal reasons), how ({@code "qr"}), whom (the member pseudonym when the pass was readable; never a phone
 * number) and when (epoch ms).
 */
public record AccessDecision(boolean granted, String reason, String method, Optional<String> member, long at) {

    public static final String GRANTED_REASON = "ok";
    public static final String UNREADABLE = "unreadable";
    public static final String UNKNOWN_KEY = "unknown-key";
    public static final String BAD_SIGNATURE = "bad-signature";
    public static final String EXPIRED = "expired";
    public static final String REVOKED = "revoked";
    public static final String REPLAYED = "replayed";
    public static final String ROOM_FULL = "room-full";
    public static final String CLOSED = "closed";
    /** Face: no enrolled template is close enough. */
    public static final String NO_MATCH = "no-match";
    /** Face: the engine's liveness score is under the threshold (a photo or a screen, or a poor view). */
    public static final String NOT_LIVE = "not-live";

    public static AccessDecision granted(String method, String member, long at) {
        return new AccessDecision(true, GRANTED_REASON, method, Optional.of(member), at);
    }

    public static AccessDecision denied(String reason, String method, Optional<String> member, long at) {
        return new AccessDecision(false, reason, method, member, at);
    }

    public String decision() {
        return granted ? "granted" : "denied";
    }

    /** The {@code data} of the {@code access.granted}/{@code access.denied} event. */
    public JsonObject eventData() {
        JsonObject o = new JsonObject().put("method", method).put("reason", reason);
        member.ifPresent(m -> o.put("member", m));
        return o;
    }

    /** For {@code /status} and the kiosk: {decision, reason, method, at}. */
    public JsonObject toJson() {
        return new JsonObject().put("decision", decision()).put("reason", reason).put("method", method).put("at", at);
    }
}
