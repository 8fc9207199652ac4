package org.yizhan.agent;

import io.vertx.core.Vertx;
import org.yizhan.agent.charger.Chargers;
import org.yizhan.agent.door.DoorController;
import org.yizhan.agent.occupancy.OccupancyCounter;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Telemetry;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * The station's telemetry: the room, the door, the chargers, the room loads and where a mobile station is, sent every {@code telemetrySeconds}, on every
 * connect, and soon after something changed (at most about once a second).
 */
final class StationTelemetry {

    private static final long MIN_GAP_MS = 1_000;

    private final Vertx vertx;
    private final Uplink uplink;
    private final DoorController door;
    private final OccupancyCounter occupancy;
    private final Chargers chargers;
    private final Supplier<List<Telemetry.Load>> loads;
    private final Supplier<Optional<Telemetry.Position>> position;
    private long periodicTimer = -1;
    private long coalesceTimer = -1;
    private long lastSentAt;

    StationTelemetry(Vertx vertx, Uplink uplink, DoorController door, OccupancyCounter occupancy, Chargers chargers,
                     Supplier<List<Telemetry.Load>> loads, Supplier<Optional<Telemetry.Position>> position) {
        this.loads = loads;
        this.position = position;
        this.vertx = vertx;
        this.uplink = uplink;
        this.door = door;
        this.occupancy = occupancy;
        this.chargers = chargers;
    }

    void start(int telemetrySeconds) {
        periodicTimer = vertx.setPeriodic(telemetrySeconds * 1000L, t -> send());
    }

    void stop() {
        if (periodicTimer >= 0) {
            vertx.cancelTimer(periodicTimer);
            periodicTimer = -1;
        }
        if (coalesceTimer >= 0) {
            vertx.cancelTimer(coalesceTimer);
            coalesceTimer = -1;
        }
    }

    /** Something changed: send telemetry soon, at most about once a second. */
    void changed() {
        if (coalesceTimer >= 0) {
            return;
        }
        long wait = Math.max(1, MIN_GAP_MS - (System.currentTimeMillis() - lastSentAt));
        coalesceTimer = vertx.setTimer(wait, t -> {
            coalesceTimer = -1;
            send();
        });
    }

    void send() {
        lastSentAt = System.currentTimeMillis();
        uplink.publishVolatile(Channel.TELEMETRY, snapshot());
    }

    private Telemetry snapshot() {
        return new Telemetry(System.currentTimeMillis(),
                Optional.of(new Telemetry.Occupancy(occupancy.count(), occupancy.capacity())),
                Optional.of(new Telemetry.Door(door.isOpen(), door.isLocked())),
                chargers.telemetry(), chargers.roomTempC().isPresent()
                        ? Optional.of(new Telemetry.Env(chargers.roomTempC(), OptionalDouble.empty()))
                        : Optional.empty(), loads.get(), position.get());
    }
}
