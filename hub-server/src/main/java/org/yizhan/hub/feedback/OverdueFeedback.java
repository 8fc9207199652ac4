package org.yizhan.hub.feedback;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Lease;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.live.Bus;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * Turns feedback that missed its deadline into an operator alert ({@code feedback-overdue}): every
 * {@link #SWEEP_MS}, the hub that holds the lease {@value #LEASE} raises one alert per overdue item
 * ({@link FeedbackStore#raiseOverdue}) and publishes it on {@link Bus#LIVE}, where dashboards and the notifier pick
 * it up. With several hubs on one registry only the lease holder sweeps; when it stops, another takes over once the
 * lease has run out ({@link #LEASE_TTL_MS}). Not urgent: notification routes hold it during their quiet hours.
 */
public final class OverdueFeedback implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(OverdueFeedback.class);
    public static final String LEASE = "feedback-overdue";
    public static final long SWEEP_MS = 30_000;
    static final long LEASE_TTL_MS = 3 * SWEEP_MS;

    private final Vertx vertx;
    private final FeedbackStore store;
    private final Lease lease;
    private final Clock clock;
    private long timer = -1;
    private boolean running;
    private Future<Integer> current = Future.succeededFuture(0);

    public OverdueFeedback(Vertx vertx, FeedbackStore store, Database db, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.clock = clock;
        this.lease = new Lease(db, LEASE, "hub-" + UUID.randomUUID(), LEASE_TTL_MS);
    }

    @Override
    public Future<Void> start() {
        timer = vertx.setPeriodic(1_000, SWEEP_MS, t -> {
            if (!running) {
                running = true;
                current = sweep().onComplete(ar -> running = false);
            }
        });
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        return current.otherwiseEmpty().transform(x -> lease.held(clock.millis())
                ? lease.release().otherwiseEmpty() : Future.succeededFuture());
    }

    /** One sweep at the clock's time: takes or renews the lease, and if held raises the alerts due. */
    public Future<Integer> sweep() {
        long now = clock.millis();
        return lease.acquire(now)
                .compose(held -> held ? store.raiseOverdue(now, lease) : Future.succeededFuture(List.<JsonObject>of()))
                .map(opened -> {
                    for (JsonObject a : opened) {
                        vertx.eventBus().publish(Bus.LIVE, EventEffects.live("alert", a.getString("stationId"), a));
                    }
                    if (!opened.isEmpty()) {
                        LOG.info("Raised {} overdue feedback alert(s)", opened.size());
                    }
                    return opened.size();
                })
                .onFailure(e -> LOG.warn("Overdue feedback sweep failed: {}", e.toString()));
    }
}
