package org.yizhan.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns route logic ({@code RoutingContext -> Future<Reply>}) into handlers that answer with JSON, and every
 * failure into the API's error shape. Refused requests are counted in {@code yizhan_http_errors}.
 */
public final class Replies {

    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private final HubMetrics metrics;
    private volatile Supplier<Future<Void>> durable = Future::succeededFuture;

    public Replies(HubMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * What a request that may have changed something waits for before its success is answered: the registry's
     * {@code durable()}, so a change the hub has confirmed survives the hub being killed the next moment.
     */
    public void durableWith(Supplier<Future<Void>> durable) {
        this.durable = durable;
    }

    public Handler<RoutingContext> json(Function<RoutingContext, Future<Reply>> logic) {
        return ctx -> attempt(logic, ctx)
                .compose(reply -> changes(ctx) ? durable.get().map(reply) : Future.succeededFuture(reply))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        send(ctx, ar.result());
                    } else {
                        fail(ctx, ar.cause());
                    }
                });
    }

    private static boolean changes(RoutingContext ctx) {
        HttpMethod m = ctx.request().method();
        return !(m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS);
    }

    /** The logic's future for the request, or a failed one when the logic throws instead of returning it. */
    public static <T> Future<T> attempt(Function<RoutingContext, Future<T>> logic, RoutingContext ctx) {
        try {
            return logic.apply(ctx);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    public void send(RoutingContext ctx, Reply reply) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return;
        }
        r.setStatusCode(reply.status())
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(reply.body().encode());
    }

    /** Answers with the failure: an {@link ApiException} as it is, anything else as 500 (logged). */
    public void fail(RoutingContext ctx, Throwable cause) {
        ApiException e;
        if (cause instanceof ApiException api) {
            e = api;
        } else {
            LOG.error("Request {} {} failed", ctx.request().method(), ctx.request().path(), cause);
            e = ApiException.of(500, "internal", "The hub could not complete this request; it has been logged");
        }
        error(ctx, e);
    }

    public void error(RoutingContext ctx, ApiException e) {
        metrics.counter("yizhan_http_errors", "status", Integer.toString(e.status()), "code", e.code());
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return;
        }
        if (e.retryAfterSeconds() > 0) {
            r.putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 401) {
            r.putHeader("WWW-Authenticate", "Bearer");
        }
        r.setStatusCode(e.status())
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(e.toJson().encode());
    }
}
