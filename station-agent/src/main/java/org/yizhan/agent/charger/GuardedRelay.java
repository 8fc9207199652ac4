package org.yizhan.agent.charger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.Relay;

/**
 * A charger relay behind the safety latch: once {@link #trip tripped}, no caller can close it again until the
 * latch is {@link #reset}. Thread-safe, so the safety path (metering thread, smoke input thread) and the GPIO
 * worker can both drive it without a late "close" undoing a cut-off.
 */
public final class GuardedRelay implements Relay {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedRelay.class);

    private final int port;
    private final Relay relay;
    private boolean tripped;
    private long closedAtNanos;

    public GuardedRelay(int port, Relay relay) {
        this.port = port;
        this.relay = relay;
    }

    public int port() {
        return port;
    }

    @Override
    public synchronized void set(boolean closed) {
        if (closed && tripped) {
            LOG.warn("Refusing to close the relay of port {}: a safety cut-off holds", port);
            closed = false;
        }
        if (closed && !relay.isClosed()) {
            closedAtNanos = System.nanoTime();
        }
        relay.set(closed);
    }

    @Override
    public synchronized boolean isClosed() {
        return relay.isClosed();
    }

    /** Latches the cut-off and opens the relay now; returns whether it was closed. */
    public synchronized boolean trip() {
        tripped = true;
        boolean wasClosed = relay.isClosed();
        relay.set(false);
        return wasClosed;
    }

    public synchronized boolean tripped() {
        return tripped;
    }

    public synchronized void reset() {
        tripped = false;
    }

    /** When the relay last closed (System.nanoTime), to shed the newest load first. */
    synchronized long closedAtNanos() {
        return closedAtNanos;
    }
}
