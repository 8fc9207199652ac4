package org.yizhan.agent.hardware;

/**
 * A relay output. "Closed" means energised: the door strike is released or the charger port gets power.
 * Calls may block on the GPIO driver: call them from a worker thread, never from an event loop.
 */
public interface Relay {

    void set(boolean closed);

    boolean isClosed();
}
