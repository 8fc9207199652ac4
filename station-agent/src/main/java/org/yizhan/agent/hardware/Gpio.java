package org.yizhan.agent.hardware;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs hardware calls off the event loop on one worker thread per station, so relay operations keep
 * their order, and delivers input changes back on the station's Vert.x context.
 */
public final class Gpio {

    private final WorkerExecutor worker;
    private final Context context;

    public Gpio(Vertx vertx, String name) {
        this.worker = vertx.createSharedWorkerExecutor("yizhan-gpio-" + name, 1);
        this.context = vertx.getOrCreateContext();
    }

    public Future<Void> set(Relay relay, boolean closed) {
        return worker.executeBlocking(() -> {
            relay.set(closed);
            return null;
        });
    }

    public <T> Future<T> call(Callable<T> work) {
        return worker.executeBlocking(work);
    }

    /** Registers {@code handler} for changes of {@code input}; it runs on the station's context, in order. */
    public void listen(BinaryInput input, Consumer<Boolean> handler) {
        input.onChange(active -> context.runOnContext(v -> handler.accept(active)));
    }

    /** The Vert.x context station logic runs on. */
    public Context context() {
        return context;
    }

    public Future<Void> close() {
        return worker.close();
    }
}
