package org.yizhan.agent.kiosk;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.config.StationConfig;

/**
 * The kiosk screen as a station feature: the page itself, the rotating entry QR and the join and feedback
 * QR codes, whose addresses follow a configuration applied live.
 */
public final class KioskFeature implements AgentFeature {

    private final EntryQrRoutes entryQr;
    private final InviteQrRoutes inviteQr;

    public KioskFeature(Vertx vertx, StationConfig config) {
        this.entryQr = new EntryQrRoutes(vertx, config, System::currentTimeMillis);
        this.inviteQr = new InviteQrRoutes(vertx, config);
    }

    @Override
    public void routes(Router router) {
        entryQr.accept(router);
        inviteQr.accept(router);
        new KioskRoutes().accept(router);
    }

    @Override
    public void configure(StationConfig next) {
        entryQr.configure(next);
        inviteQr.configure(next);
    }
}
