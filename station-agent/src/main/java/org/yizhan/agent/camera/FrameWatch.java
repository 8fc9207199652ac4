package org.yizhan.agent.camera;

import io.vertx.core.Future;

import java.util.Optional;
import java.util.function.Consumer;

/** A camera as it is, noting when it last delivered a frame and its size, for the self-test. */
public final class FrameWatch implements FrameSource {

    private final FrameSource camera;
    private volatile long lastFrameAt;
    private volatile String lastSize = "";

    public FrameWatch(FrameSource camera) {
        this.camera = camera;
    }

    @Override
    public Future<Void> start(Consumer<LumaFrame> frames) {
        return camera.start(f -> {
            lastFrameAt = System.currentTimeMillis();
            lastSize = f.width() + "x" + f.height();
            frames.accept(f);
        });
    }

    @Override
    public Future<Void> stop() {
        return camera.stop();
    }

    /** When the last frame came (epoch ms), if one ever did. */
    public Optional<Long> lastFrameAt() {
        long at = lastFrameAt;
        return at == 0 ? Optional.empty() : Optional.of(at);
    }

    public String lastSize() {
        return lastSize;
    }
}
