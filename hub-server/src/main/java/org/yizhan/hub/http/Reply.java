package org.yizhan.hub.http;

import io.vertx.core.json.JsonObject;

/** A JSON answer with its status. */
public record Reply(int status, JsonObject body) {

    public static Reply ok(JsonObject body) {
        return new Reply(200, body);
    }

    public static Reply created(JsonObject body) {
        return new Reply(201, body);
    }

    public static Reply accepted(JsonObject body) {
        return new Reply(202, body);
    }
}
