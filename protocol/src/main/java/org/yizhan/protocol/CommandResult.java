package org.yizhan.protocol;

import io.vertx.core.json.JsonObject;

import java.util.Optional;

/** {@code .../cmd/res}: the outcome of a command, matched to it by {@code id}. */
public record CommandResult(long ts, String id, boolean ok, Optional<Error> error, JsonObject data)
        implements Message {

    /** Why a command failed: a stable code and words for people. */
    public record Error(String code, String message) {
    }

    public CommandResult {
        data = data == null ? new JsonObject() : data;
        if (ok) {
            error = Optional.empty();
        }
    }

    public static CommandResult ok(long ts, String id) {
        return new CommandResult(ts, id, true, Optional.empty(), new JsonObject());
    }

    public static CommandResult ok(long ts, String id, JsonObject data) {
        return new CommandResult(ts, id, true, Optional.empty(), data);
    }

    public static CommandResult failed(long ts, String id, String code, String message) {
        return new CommandResult(ts, id, false, Optional.of(new Error(code, message)), new JsonObject());
    }

    static CommandResult parse(JsonObject o) throws ProtocolException {
        long ts = Codec.ts(o);
        String id = Fields.requireString(o, "", "id", 64);
        boolean ok = Fields.requireBoolean(o, "", "ok");
        JsonObject data = Fields.optionalObject(o, "", "data").orElseGet(JsonObject::new);
        if (ok) {
            return new CommandResult(ts, id, true, Optional.empty(), data);
        }
        JsonObject err = Fields.requireObject(o, "", "error");
        return new CommandResult(ts, id, false, Optional.of(new Error(
                Fields.requireString(err, "error", "code", 64),
                Fields.optionalString(err, "error", "message", 1000).orElse(""))), data);
    }

    @Override
    public JsonObject toJson() {
        JsonObject o = new JsonObject().put("v", Codec.VERSION).put("ts", ts).put("id", id).put("ok", ok);
        error.ifPresent(e -> o.put("error", new JsonObject().put("code", e.code()).put("message", e.message())));
        if (!data.isEmpty()) {
            o.put("data", data);
        }
        return o;
    }
}
