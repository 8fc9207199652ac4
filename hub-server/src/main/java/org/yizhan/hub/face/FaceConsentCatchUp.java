package org.yizhan.hub.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.live.BusListener;
import org.yizhan.protocol.Command;

/**
 * Tells a station that comes online of the face consents it was never sent: a station registered after members
 * consented (their {@code face.consent} went only to the stations that existed then) would otherwise refuse
 * their enrolment as {@code no-consent}. At most {@link #BATCH} {@code face.consent} commands per connection,
 * oldest consent first; the rest follow at the next connection (what was sent once is not sent again, so
 * each connection makes progress). Withdrawals need no catch-up: a station that never held a consent holds no
 * template to delete.
 */
public final class FaceConsentCatchUp implements HubFeature {

    public static final int BATCH = 200;
    private static final Logger LOG = LoggerFactory.getLogger(FaceConsentCatchUp.class);

    private final FaceConsentStore consents;
    private final CommandStore commands;
    private final BusListener<String> online;

    public FaceConsentCatchUp(Vertx vertx, FaceConsentStore consents, CommandStore commands) {
        this.online = new BusListener<>(vertx, Bus.STATION_ONLINE, this::send);
        this.consents = consents;
        this.commands = commands;
    }

    @Override
    public Future<Void> start() {
        return online.start();
    }

    @Override
    public Future<Void> stop() {
        return online.stop();
    }

    /** Stores and dispatches the consents the station lacks; completes with how many were sent. */
    public Future<Integer> send(String stationId) {
        return consents.missingAt(stationId, BATCH).compose(list -> {
            Future<Integer> chain = Future.succeededFuture(0);
            for (FaceConsentStore.Missing m : list) {
                chain = chain.compose(n -> commands.send(stationId, Command.FACE_CONSENT, new JsonObject()
                                .put("member", m.pseudonym()).put("sync", m.sync()).put("version", m.version()),
                        FaceFanout.TTL_MILLIS, "hub").map(c -> n + 1));
            }
            return chain.onSuccess(n -> {
                if (n > 0) {
                    LOG.info("Sent {} face consents {} lacked{}", n, stationId,
                            n == BATCH ? "; more follow at its next connection" : "");
                }
            });
        }).onFailure(err -> LOG.warn("Could not send face consents to {}: {}", stationId, err.getMessage()));
    }
}
