package org.yizhan.agent.sim;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.http.LocalHttp;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.yizhan.agent.http.JsonReplies.error;
import static org.yizhan.agent.http.JsonReplies.json;

/**
 * The simulator API of the local HTTP server, for a station on simulated hardware: {@code POST /sim/beam},
 * {@code /sim/door}, {@code /sim/exit-button}, {@code /sim/smoke}, {@code /sim/presence} and
 * {@code /sim/charger/{port}} drive the {@link Simulator} the way the world would. Bad bodies get 400.
 */
public final class SimulatorFeature implements AgentFeature {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorFeature.class);
    private static final long BODY_LIMIT = 16 * 1024;

    private final Simulator simulator;

    public SimulatorFeature(Simulator simulator) {
        this.simulator = simulator;
    }

    @Override
    public void routes(Router router) {
        Simulator s = simulator;
        BodyHandler body = BodyHandler.create().setBodyLimit(BODY_LIMIT);
        router.post("/sim/beam").handler(body).handler(ctx -> {
            JsonObject b = body(ctx);
            if (b == null) {
                return;
            }
            Object seq = b.getValue("sequence");
            if (seq != null) {
                if (!(seq instanceof JsonArray a) || a.isEmpty() || a.size() > 20
                        || !a.stream().allMatch(x -> x instanceof String)) {
                    bad(ctx, "sequence: must be a list of 1 to 20 steps (outer, inner, outer-off, inner-off)");
                    return;
                }
                List<String> steps = a.stream().map(String.class::cast).toList();
                try {
                    done(ctx, s.beamSequence(steps));
                } catch (IllegalArgumentException e) {
                    bad(ctx, e.getMessage());
                }
                return;
            }
            Object d = b.getValue("direction");
            if (!"in".equals(d) && !"out".equals(d)) {
                bad(ctx, "direction: must be \"in\" or \"out\" (or give a \"sequence\")");
                return;
            }
            done(ctx, s.beam("in".equals(d)));
        });
        router.post("/sim/door").handler(body).handler(ctx -> {
            JsonObject b = body(ctx);
            if (b == null) {
                return;
            }
            if (!(b.getValue("open") instanceof Boolean open)) {
                bad(ctx, "open: must be true or false");
                return;
            }
            done(ctx, s.door(open));
        });
        router.post("/sim/exit-button").handler(body).handler(ctx -> done(ctx, s.exitButton()));
        router.post("/sim/smoke").handler(body).handler(ctx -> {
            JsonObject b = body(ctx);
            if (b == null) {
                return;
            }
            if (!(b.getValue("alarm") instanceof Boolean alarm)) {
                bad(ctx, "alarm: must be true or false");
                return;
            }
            done(ctx, s.smoke(alarm));
        });
        router.post("/sim/presence").handler(body).handler(ctx -> {
            JsonObject b = body(ctx);
            if (b == null) {
                return;
            }
            if (!(b.getValue("present") instanceof Boolean present)) {
                bad(ctx, "present: must be true or false");
                return;
            }
            done(ctx, s.presence(present));
        });
        router.post("/sim/charger/:port").handler(body).handler(ctx -> {
            int port;
            try {
                port = Integer.parseInt(ctx.pathParam("port"));
            } catch (NumberFormatException e) {
                bad(ctx, "port: must be a port number");
                return;
            }
            if (!s.hasPort(port)) {
                error(ctx, 404, "not-found", "this station has no charger port " + port);
                return;
            }
            JsonObject b = body(ctx);
            if (b == null) {
                return;
            }
            Object plugged = b.getValue("plugged");
            if (plugged != null && !(plugged instanceof Boolean)) {
                bad(ctx, "plugged: must be true or false");
                return;
            }
            Object silent = b.getValue("meterSilent");
            if (silent != null && !(silent instanceof Boolean)) {
                bad(ctx, "meterSilent: must be true or false");
                return;
            }
            Object start = b.getValue("startSession");
            if (start != null && !(start instanceof Boolean)) {
                bad(ctx, "startSession: must be true or false");
                return;
            }
            Object member = b.getValue("member");
            if (member != null && !(member instanceof String m && LocalHttp.MEMBER.matcher(m).matches())) {
                bad(ctx, "member: must be a pseudonym of 1 to 64 letters, digits, '.', '_', ':' or '-'");
                return;
            }
            OptionalDouble power;
            OptionalDouble temp;
            OptionalDouble current;
            try {
                power = number(b, "powerW", 0, 10_000);
                temp = number(b, "tempC", -40, 150);
                current = number(b, "currentA", 0, 100);
            } catch (IllegalArgumentException e) {
                bad(ctx, e.getMessage());
                return;
            }
            Simulator.ChargerInput in = new Simulator.ChargerInput(Optional.ofNullable((Boolean) plugged), power,
                    temp, current, Optional.ofNullable((Boolean) silent), !Boolean.FALSE.equals(start),
                    Optional.ofNullable((String) member));
            s.charger(port, in).onSuccess(r -> json(ctx, 200, r)).onFailure(err -> {
                LOG.warn("Simulator call {} failed: {}", ctx.request().path(), err.toString());
                error(ctx, 500, "internal", "the simulator could not do that: " + err.getMessage());
            });
        });
    }

    private static OptionalDouble number(JsonObject b, String key, double min, double max) {
        Object v = b.getValue(key);
        if (v == null) {
            return OptionalDouble.empty();
        }
        if (!(v instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < min
                || n.doubleValue() > max) {
            throw new IllegalArgumentException(key + ": must be a number from " + (long) min + " to " + (long) max);
        }
        return OptionalDouble.of(n.doubleValue());
    }

    /** The JSON object body; an empty body is an empty object. Answers 400 and returns null otherwise. */
    private static JsonObject body(RoutingContext ctx) {
        String text = ctx.body().asString();
        if (text == null || text.isBlank()) {
            return new JsonObject();
        }
        try {
            Object parsed = Json.decodeValue(text);
            if (parsed instanceof JsonObject o) {
                return o;
            }
            bad(ctx, "the body must be a JSON object");
        } catch (DecodeException e) {
            bad(ctx, "the body is not valid JSON");
        }
        return null;
    }

    private static void done(RoutingContext ctx, Future<Void> f) {
        f.onSuccess(v -> json(ctx, 200, new JsonObject().put("ok", true)))
                .onFailure(err -> {
                    LOG.warn("Simulator call {} failed: {}", ctx.request().path(), err.toString());
                    error(ctx, 500, "internal", "the simulator could not do that: " + err.getMessage());
                });
    }

    private static void bad(RoutingContext ctx, String message) {
        error(ctx, 400, "bad-request", message);
    }
}
