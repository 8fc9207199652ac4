package org.yizhan.agent.kiosk;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.http.JsonReplies;
import org.yizhan.config.StationConfig;

import java.util.function.Consumer;

/**
 * The kiosk's two standing QR codes, PNGs drawn like the entry code ({@link EntryQrRoutes#render}):
 * <ul>
 *   <li>{@code GET /kiosk/join.png}: join the union, {@code {hubUrl}/join.html};</li>
 *   <li>{@code GET /kiosk/feedback.png}: "劳动者说" feedback about this station, {@code {hubUrl}/f/{stationId}};</li>
 *   <li>{@code GET /kiosk/links.json}: {@code {"join","feedback"}}, the same URLs as text.</li>
 * </ul>
 * The hub URL is the configuration's {@code hub.url}, so a new hub address applied live changes the codes.
 */
public final class InviteQrRoutes implements Consumer<Router> {

    private static final Logger LOG = LoggerFactory.getLogger(InviteQrRoutes.class);

    private final Vertx vertx;
    private volatile String hubUrl;
    private volatile String stationId;

    public InviteQrRoutes(Vertx vertx, StationConfig config) {
        this.vertx = vertx;
        configure(config);
    }

    /** Takes a new hub address (a configuration applied live). */
    public void configure(StationConfig config) {
        String url = config.hub().url();
        this.hubUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.stationId = config.stationId();
    }

    /** The rider join page on the hub. */
    private String joinUrl() {
        return hubUrl + "/join.html";
    }

    /** This station's feedback form on the hub. */
    private String feedbackUrl() {
        return hubUrl + "/f/" + stationId;
    }

    @Override
    public void accept(Router router) {
        router.get("/kiosk/join.png").handler(ctx -> png(ctx, joinUrl()));
        router.get("/kiosk/feedback.png").handler(ctx -> png(ctx, feedbackUrl()));
        router.get("/kiosk/links.json").handler(ctx -> ctx.response()
                .putHeader("content-type", "application/json; charset=utf-8").putHeader("Cache-Control", "no-cache")
                .end(new JsonObject().put("join", joinUrl()).put("feedback", feedbackUrl()).encode()));
    }

    private void png(RoutingContext ctx, String url) {
        vertx.executeBlocking(() -> EntryQrRoutes.render(url), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Kiosk QR code could not be drawn: {}", ar.cause().toString());
                JsonReplies.error(ctx, 500, "internal", "the code could not be drawn");
                return;
            }
            ctx.response().putHeader("content-type", "image/png").putHeader("Cache-Control", "no-cache")
                    .end(Buffer.buffer(ar.result()));
        });
    }
}
