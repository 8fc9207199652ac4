package org.yizhan.hub.mqtt;

import io.vertx.core.Future;
import org.yizhan.hub.timeseries.TimeSeries;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A time-series collaborator that records what it was given (the real one is tested on its own). */
public final class RecordingTimeSeries implements TimeSeries {

    public record PresencePoint(String stationId, boolean online, long at) {
    }

    public final List<Heartbeat> heartbeats = new CopyOnWriteArrayList<>();
    public final List<Telemetry> telemetry = new CopyOnWriteArrayList<>();
    public final List<PresencePoint> presence = new CopyOnWriteArrayList<>();

    @Override
    public void heartbeat(String stationId, Heartbeat heartbeat, long receivedAt) {
        heartbeats.add(heartbeat);
    }

    @Override
    public void telemetry(String stationId, Telemetry t, long receivedAt) {
        telemetry.add(t);
    }

    @Override
    public void presence(String stationId, boolean online, long at) {
        presence.add(new PresencePoint(stationId, online, at));
    }

    @Override
    public Future<List<double[]>> history(String stationId, String metric, int port, long from, long to, long stepMillis) {
        return Future.succeededFuture(List.of());
    }

    @Override
    public Status status() {
        return new Status("recording", true, 0, 0, 0, 0, "forever");
    }

    @Override
    public Future<Void> ping() {
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> flush() {
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
