package org.yizhan.bench.fleet;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What the simulated fleet has done so far; updated from the stations' event loops, read from anywhere. */
public final class FleetCounters {

    final AtomicLong connected = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong publishErrors = new AtomicLong();
    final AtomicReference<String> firstError = new AtomicReference<>("");

    /** Stations whose connect was acknowledged (CONNACK accepted). */
    public long connected() {
        return connected.get();
    }

    /** Stations that gave up connecting after all their attempts. */
    public long failed() {
        return failed.get();
    }

    /** Connect attempts that failed (refused, timed out) and were tried again. */
    public long retries() {
        return retries.get();
    }

    /** Connections closed by the server or the network while the fleet was running. */
    public long lost() {
        return lost.get();
    }

    /** Heartbeat and telemetry messages handed to the MQTT client. */
    public long sent() {
        return sent.get();
    }

    public long publishErrors() {
        return publishErrors.get();
    }

    /** The first connect or publish error seen, empty if none. */
    public String firstError() {
        return firstError.get();
    }

    void error(Throwable t) {
        firstError.compareAndSet("", t.getClass().getSimpleName() + ": " + t.getMessage());
    }
}
