package org.yizhan.protocol;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/** {@code .../cmd}: a command from the hub. A station ignores it once {@code expiresAt} has passed. */
public record Command(String id, long ts, String name, JsonObject args, long expiresAt) implements Message {

    public static final String DOOR_UNLOCK = "door.unlock";
    public static final String CHARGER_START = "charger.start";
    public static final String CHARGER_STOP = "charger.stop";
    public static final String CHARGER_ENABLE = "charger.enable";
    public static final String CHARGER_DISABLE = "charger.disable";
    public static final String CREDENTIALS_SYNC = "credentials.sync";
    public static final String CONFIG_APPLY = "config.apply";
    public static final String SELFTEST_RUN = "selftest.run";
    public static final String AGENT_RESTART = "agent.restart";
    /** Face consent of one member: {@code {"member","sync","version"}}. */
    public static final String FACE_CONSENT = "face.consent";
    /** Consent withdrawn: delete every face template of {@code member}. */
    public static final String FACE_DELETE = "face.delete";
    /** A template enrolled at another station, sent only with the member's sync consent. */
    public static final String FACE_SYNC = "face.sync";

    /**
     * Install a signed agent update: {@code {"version","sha256","size","deadlineSeconds","rollout"}}; the station
     * downloads the bundle from the hub ({@code /api/v1/agent-updates/{version}/bundle}), checks it against its
     * release keys, answers, restarts on it and reports {@code update.applied} or {@code update.rolled_back}.
     */
    public static final String AGENT_UPDATE = "agent.update";

    public static final Set<String> NAMES = Set.of(DOOR_UNLOCK, CHARGER_START, CHARGER_STOP, CHARGER_ENABLE,
            CHARGER_DISABLE, CREDENTIALS_SYNC, CONFIG_APPLY, SELFTEST_RUN, AGENT_RESTART, FACE_CONSENT, FACE_DELETE, FACE_SYNC,
            AGENT_UPDATE);

    public Command {
        args = args == null ? new JsonObject() : args;
    }

    public boolean isExpired(long nowMillis) {
        return nowMillis > expiresAt;
    }

    static Command parse(JsonObject o) throws ProtocolException {
        long ts = Codec.ts(o);
        String id = Fields.requireString(o, "", "id", 64);
        String name = Fields.requireString(o, "", "name", 64);
        if (!NAMES.contains(name)) {
            throw new ProtocolException("name", "range", "unknown command '" + name + "'");
        }
        JsonObject args = Fields.optionalObject(o, "", "args").orElseGet(JsonObject::new);
        long expiresAt = Fields.requireLong(o, "", "expiresAt", 0, Long.MAX_VALUE);
        return new Command(id, ts, name, args, expiresAt);
    }

    @Override
    public JsonObject toJson() {
        return new JsonObject().put("v", Codec.VERSION).put("ts", ts).put("id", id).put("name", name)
                .put("args", args).put("expiresAt", expiresAt);
    }
}
