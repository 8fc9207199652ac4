package org.yizhan.agent.charger;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.yizhan.agent.http.JsonReplies;

import java.util.function.Consumer;

/**
 * {@code POST /kiosk/charge} with {@code {"port":N}}: the rider chose port N on the kiosk; the next pass the
 * door camera reads within {@link ChargeByPass#ARMED_MILLIS} starts a session there instead of opening the door.
 * Answers {@code {"armed":true,"port":N,"until":epochMs}}; a bad body gets 400, a port the station does not
 * have 404, each counted.
 */
public final class ChargeRoutes implements Consumer<Router> {

    private static final int BODY_LIMIT = 1024;

    private final ChargeByPass charge;

    public ChargeRoutes(ChargeByPass charge) {
        this.charge = charge;
    }

    @Override
    public void accept(Router router) {
        router.post("/kiosk/charge").handler(BodyHandler.create().setBodyLimit(BODY_LIMIT))
                .handler(this::arm)
                .failureHandler(ctx -> JsonReplies.error(ctx, ctx.statusCode() == 413 ? 413 : 400,
                        ctx.statusCode() == 413 ? "too-large" : "bad-request",
                        ctx.statusCode() == 413 ? "the body is larger than " + BODY_LIMIT + " bytes" : "bad request"));
    }

    private void arm(RoutingContext ctx) {
        Object parsed;
        try {
            String text = ctx.body().asString();
            parsed = text == null || text.isBlank() ? null : Json.decodeValue(text);
        } catch (DecodeException e) {
            parsed = null;
        }
        if (!(parsed instanceof JsonObject body)) {
            JsonReplies.error(ctx, 400, "bad-request", "send a JSON object like {\"port\":1}");
            return;
        }
        Object p = body.getValue("port");
        if (!(p instanceof Integer || p instanceof Long) || ((Number) p).longValue() < 1
                || ((Number) p).longValue() > 64) {
            JsonReplies.error(ctx, 400, "bad-request", "port: must be a charger port number from 1 to 64");
            return;
        }
        int port = ((Number) p).intValue();
        if (!charge.hasPort(port)) {
            JsonReplies.error(ctx, 404, "not-found", "this station has no charger port " + port);
            return;
        }
        long until = charge.arm(port);
        JsonReplies.json(ctx, 200, new JsonObject().put("armed", true).put("port", port).put("until", until));
    }
}
