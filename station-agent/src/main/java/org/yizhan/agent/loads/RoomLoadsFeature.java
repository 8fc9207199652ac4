package org.yizhan.agent.loads;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.config.StationConfig;

import java.time.ZoneId;

/**
 * The room loads as a station feature: checks the rule every {@link #CHECK_MS} (the night's start and end, the
 * empty-room delay running out) besides every occupancy change, answers the {@code roomLoads} status block and takes
 * night hours and delay live. Does nothing for a station without loads.
 */
public final class RoomLoadsFeature implements AgentFeature {

    static final long CHECK_MS = 10_000;

    private final Vertx vertx;
    private final RoomLoads loads;
    private long timer = -1;

    public RoomLoadsFeature(Vertx vertx, RoomLoads loads) {
        this.vertx = vertx;
        this.loads = loads;
    }

    @Override
    public void status(JsonObject status) {
        if (!loads.isEmpty()) {
            status.put("roomLoads", loads.status());
        }
    }

    @Override
    public void configure(StationConfig next) {
        loads.configure(next.roomLoads(), ZoneId.of(next.access().timeZone()));
    }

    @Override
    public Future<Void> start() {
        if (!loads.isEmpty()) {
            loads.start();
            timer = vertx.setPeriodic(CHECK_MS, t -> loads.evaluate());
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        return Future.succeededFuture();
    }
}
