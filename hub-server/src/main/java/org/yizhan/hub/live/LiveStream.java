package org.yizhan.hub.live;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /api/v1/stream} (operator+, token in the header or {@code ?access_token=}): server-sent events.
 * Every {@link Bus#LIVE} message goes out as {@code event: <kind>} with the message as {@code data}; an optional
 * {@code ?stationId=} keeps one station's. A comment every 15 s keeps proxies from closing the stream. A client
 * that cannot keep up loses messages (counted) rather than growing the hub's memory.
 */
public final class LiveStream implements HubFeature {

    public static final long PING_MS = 15_000;

    private final Vertx vertx;
    private final Authenticator auth;
    private final HubMetrics metrics;
    private final Set<HttpServerResponse> open = ConcurrentHashMap.newKeySet();

    public LiveStream(Vertx vertx, Authenticator auth, HubMetrics metrics) {
        this.vertx = vertx;
        this.auth = auth;
        this.metrics = metrics;
        metrics.registry().gaugeCollectionSize("yizhan_sse_clients", java.util.List.of(), open);
    }

    @Override
    public void mount(Router router) {
        router.get("/api/v1/stream").handler(auth.requireAllowingQueryToken(Role.OPERATOR)).handler(this::stream);
    }

    /** Ends every open stream (at shutdown). */
    @Override
    public Future<Void> stop() {
        for (HttpServerResponse r : open) {
            if (!r.ended() && !r.closed()) {
                r.end();
            }
        }
        open.clear();
        return Future.succeededFuture();
    }

    private void stream(RoutingContext ctx) {
        Optional<String> only = StationIds.query(new QueryParams(ctx));
        HttpServerResponse r = ctx.response();
        r.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        open.add(r);
        MessageConsumer<Object> consumer = vertx.eventBus().consumer(Bus.LIVE, msg -> {
            if (!(msg.body() instanceof JsonObject body)) {
                return;
            }
            if (only.isPresent() && !only.get().equals(body.getString("stationId"))) {
                return;
            }
            if (r.writeQueueFull()) {
                metrics.counter("yizhan_sse_dropped");
                return;
            }
            r.write("event: " + kind(body) + "\ndata: " + body.encode() + "\n\n");
        });
        // "connected" promises the page that nothing published from now on is missed: say it once subscribed
        consumer.completion().onComplete(done -> r.write("retry: 3000\n: connected\n\n"));
        long ping = vertx.setPeriodic(PING_MS, id -> {
            if (!r.writeQueueFull()) {
                r.write(": ping\n\n");
            }
        });
        r.closeHandler(v -> {
            open.remove(r);
            consumer.unregister();
            vertx.cancelTimer(ping);
        });
        r.endHandler(v -> {
            open.remove(r);
            consumer.unregister();
            vertx.cancelTimer(ping);
        });
    }

    private static String kind(JsonObject body) {
        String k = body.getString("kind", "message");
        return k.matches("[a-z][a-z0-9_.-]{0,40}") ? k : "message";
    }
}
