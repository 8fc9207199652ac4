package org.yizhan.agent.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.yizhan.agent.http.JsonReplies.error;
import static org.yizhan.agent.http.JsonReplies.json;

/**
 * The agent's local HTTP server (loopback by default): {@code GET /status} and the routes each feature adds
 * (the kiosk, charging, faces, and with simulation the simulator API under {@code /sim}). Bad requests get 400
 * with {@code {"error":{"code","message"}}} and are counted.
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
    private final AtomicLong badRequests = new AtomicLong();
    private final List<Consumer<Router>> features = new ArrayList<>();
    private HttpServer server;

    public LocalHttp(Vertx vertx, String host, int port, Supplier<JsonObject> status) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.status = status;
    }

    /** Adds a feature's routes; call before {@link #start()}. */
    public LocalHttp mount(Consumer<Router> routes) {
        features.add(routes);
        return this;
    }

    /** Requests answered 400 since start. */
    public long badRequests() {
        return badRequests.get();
    }

    public Future<Integer> start() {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            ctx.addHeadersEndHandler(v -> {
                if (ctx.response().getStatusCode() == 400) {
                    badRequests.incrementAndGet();
                }
            });
            ctx.next();
        });
        router.get("/status").handler(ctx -> json(ctx, 200, status.get()));
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
}
