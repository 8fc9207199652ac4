package org.yizhan.agent.kiosk;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.function.Consumer;

/**
 * {@code GET /kiosk}: the page for the station's touchscreen (Chromium in kiosk mode), served from the
 * classpath ({@code kiosk/}). It polls {@code /status} every second and shows the station, free chargers, room
 * occupancy and, for a few seconds, what just happened at the door, in Chinese first and English.
 */
public final class KioskRoutes implements Consumer<Router> {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'";

    @Override
    public void accept(Router router) {
        router.get("/kiosk/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff");
            ctx.next();
        }).handler(StaticHandler.create("kiosk").setCachingEnabled(false).setIndexPage("index.html"));
    }
}
