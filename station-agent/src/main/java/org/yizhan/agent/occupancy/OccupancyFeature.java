package org.yizhan.agent.occupancy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.config.StationConfig;

/**
 * Room occupancy as a station feature: counts the beam pair and the PIR of {@code hardware}, checks for
 * drift while running, answers the {@code occupancy} status block and takes capacity and drift time live.
 */
public final class OccupancyFeature implements AgentFeature {

    private final Vertx vertx;
    private final Gpio gpio;
    private final StationHardware hardware;
    private final OccupancyCounter occupancy;

    public OccupancyFeature(Vertx vertx, Gpio gpio, StationHardware hardware, OccupancyCounter occupancy) {
        this.vertx = vertx;
        this.gpio = gpio;
        this.hardware = hardware;
        this.occupancy = occupancy;
    }

    @Override
    public void status(JsonObject status) {
        status.put("occupancy", new JsonObject().put("count", occupancy.count())
                .put("capacity", occupancy.capacity()).put("presence", occupancy.presence())
                .put("beams", occupancy.stats()));
    }

    @Override
    public void configure(StationConfig next) {
        occupancy.setCapacity(next.occupancy().capacity());
        occupancy.setDriftMinutes(next.occupancy().driftMinutes());
    }

    @Override
    public Future<Void> start() {
        occupancy.attach(gpio, hardware.beamOuter(), hardware.beamInner(), hardware.pir());
        occupancy.startDriftCheck(vertx);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        occupancy.stop(vertx);
        return Future.succeededFuture();
    }
}
