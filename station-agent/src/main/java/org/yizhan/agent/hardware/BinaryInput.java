package org.yizhan.agent.hardware;

import java.util.function.Consumer;

/**
 * A two-state input such as a door contact, a button, an IR beam or a smoke detector's dry contact.
 * "Active" is the state that matters: door open, button pressed, beam broken, smoke detected.
 * Listeners run on the driver's thread; hop to a Vert.x context before touching station state.
 */
public interface BinaryInput {

    boolean isActive();

    void onChange(Consumer<Boolean> listener);
}
