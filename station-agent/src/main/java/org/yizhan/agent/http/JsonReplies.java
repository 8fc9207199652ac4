package org.yizhan.agent.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The local HTTP's JSON answers and its error shape {@code {"error":{"code","message"}}}, shared by every route. */
public final class JsonReplies {

    private JsonReplies() {
    }

    /** Answers with {@code body}, unless an answer went out already (a timeout or a closed client). */
    public static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
                .end(body.encode());
    }

    public static void error(RoutingContext ctx, int status, String code, String message) {
        json(ctx, status, new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)));
    }
}
