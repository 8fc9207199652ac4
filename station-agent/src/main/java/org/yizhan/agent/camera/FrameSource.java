package org.yizhan.agent.camera;

import io.vertx.core.Future;

import java.util.function.Consumer;

/** Where camera frames come from: a V4L2 camera on the Pi; tests and the simulator hand frames in directly. */
public interface FrameSource {

    /**
     * Starts delivering frames to {@code frames}, on a thread of the source's own (never an event loop). The
     * consumer returns at once and may drop a frame while it is still busy with the one before.
     */
    Future<Void> start(Consumer<LumaFrame> frames);

    Future<Void> stop();
}
