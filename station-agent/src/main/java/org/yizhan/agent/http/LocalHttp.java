package org.yizhan.agent.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.simulated.Simulator;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.yizhan.agent.http.JsonReplies.error;
import static org.yizhan.agent.http.JsonReplies.json;

/**
 * The agent's local HTTP server (loopback by default): {@code GET /status}, and with simulation the
 * simulator API under {@code /sim} that drives the mock hardware. Bad bodies get 400 with
 * {@code {"error":{"code","message"}}} and are counted.
 */
public final class LocalHttp {

    private static final Logger LOG = LoggerFactory.getLogger(LocalHttp.class);
    private static final long BODY_LIMIT = 16 * 1024;
    /** A member pseudonym as the hub issues them. */
    public static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final Supplier<JsonObject> status;
    private final Optional<Simulator> sim;
    private final AtomicLong badRequests = new AtomicLong();
    private HttpServer server;
    private final List<java.util.function.Consumer<Router>> features = new java.util.ArrayList<>();

    public LocalHttp(Vertx vertx, String host, int port, Supplier<JsonObject> status, Optional<Simulator> sim) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.status = status;
        this.sim = sim;
    }

    /** Adds a feature's routes (kiosk, camera simulator); call before {@link #start()}. */
    public LocalHttp mount(java.util.function.Consumer<Router> routes) {
        features.add(routes);
        return this;
    }

    public long badRequests() {
        return badRequests.get();
    }

    public Future<Integer> start() {
        Router router = Router.router(vertx);
        router.get("/status").handler(ctx -> json(ctx, 200, status.get()));
        sim.ifPresent(s -> simRoutes(router, s));
        features.forEach(f -> f.accept(router));
        router.route().last().handler(ctx -> error(ctx, 404, "not-found", "no such resource: " + ctx.request().path()));
        router.route().failureHandler(ctx -> {
            int code = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            if (code == 413) {
                error(ctx, 413, "too-large", "the body is larger than " + BODY_LIMIT + " bytes");
            } else if (code == 405) {
                error(ctx, 405, "method-not-allowed", "method not allowed");
            } else if (code < 500) {
                error(ctx, code, "bad-request", "bad request");
            } else {
                LOG.error("Local HTTP request {} failed", ctx.request().path(), ctx.failure());
                error(ctx, 500, "internal", "the agent could not handle the request");
            }
        });
        server = vertx.createHttpServer().requestHandler(router);
        return server.listen(port, host).map(HttpServer::actualPort);
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void simRoutes(Router router, Simulator s) {
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
            if (member != null && !(member instanceof String m && MEMBER.matcher(m).matches())) {
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
    private JsonObject body(RoutingContext ctx) {
        String text = ctx.body().asString();
        if (text == null || text.isBlank()) {
            return new JsonObject();
        }
        try {
            Object parsed = io.vertx.core.json.Json.decodeValue(text);
            if (parsed instanceof JsonObject o) {
                return o;
            }
            bad(ctx, "the body must be a JSON object");
        } catch (DecodeException e) {
            bad(ctx, "the body is not valid JSON");
        }
        return null;
    }

    private void done(RoutingContext ctx, Future<Void> f) {
        f.onSuccess(v -> json(ctx, 200, new JsonObject().put("ok", true)))
                .onFailure(err -> {
                    LOG.warn("Simulator call {} failed: {}", ctx.request().path(), err.toString());
                    error(ctx, 500, "internal", "the simulator could not do that: " + err.getMessage());
                });
    }

    private void bad(RoutingContext ctx, String message) {
        badRequests.incrementAndGet();
        error(ctx, 400, "bad-request", message);
    }
}
