package org.yizhan.protocol;

import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * {@code .../state}: the birth ({@code online:true}) on every connect, the will ({@code online:false,
 * reason:"lost"}) set at connect, or the clean-shutdown notice ({@code reason:"shutdown"}).
 */
public record StateMessage(long ts, boolean online, long session, String agent, int configVersion,
                           Optional<String> reason) implements Message {

    public static final String REASON_LOST = "lost";
    public static final String REASON_SHUTDOWN = "shutdown";

    public static StateMessage birth(long ts, long session, String agent, int configVersion) {
        return new StateMessage(ts, true, session, agent, configVersion, Optional.empty());
    }

    public static StateMessage will(long ts, long session, String agent, int configVersion) {
        return new StateMessage(ts, false, session, agent, configVersion, Optional.of(REASON_LOST));
    }

    public static StateMessage shutdown(long ts, long session, String agent, int configVersion) {
        return new StateMessage(ts, false, session, agent, configVersion, Optional.of(REASON_SHUTDOWN));
    }

    static StateMessage parse(JsonObject o) throws ProtocolException {
        long ts = Codec.ts(o);
        boolean online = Fields.requireBoolean(o, "", "online");
        long session = Fields.requireLong(o, "", "session", 0, Long.MAX_VALUE);
        String agent = Fields.optionalString(o, "", "agent", 64).orElse("unknown");
        int configVersion = Fields.intOr(o, "", "configVersion", 0, Integer.MAX_VALUE, 0);
        Optional<String> reason = Fields.optionalString(o, "", "reason", 64);
        if (!online && reason.isEmpty()) {
            throw new ProtocolException("reason", "missing", "is required when online is false");
        }
        return new StateMessage(ts, online, session, agent, configVersion, online ? Optional.empty() : reason);
    }

    @Override
    public JsonObject toJson() {
        JsonObject o = new JsonObject().put("v", Codec.VERSION).put("ts", ts).put("online", online)
                .put("session", session).put("agent", agent).put("configVersion", configVersion);
        reason.ifPresent(r -> o.put("reason", r));
        return o;
    }
}
