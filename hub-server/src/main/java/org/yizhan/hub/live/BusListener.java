package org.yizhan.hub.live;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * A listener on one event bus address that a feature starts and stops with itself: each message's body goes to
 * the handler.
 */
public final class BusListener<T> {

    private final Vertx vertx;
    private final String address;
    private final Handler<T> onBody;
    private MessageConsumer<T> consumer;

    public BusListener(Vertx vertx, String address, Handler<T> onBody) {
        this.vertx = vertx;
        this.address = address;
        this.onBody = onBody;
    }

    /** Registers the listener; completes once it is registered. */
    public Future<Void> start() {
        consumer = vertx.eventBus().<T>consumer(address, msg -> onBody.handle(msg.body()));
        return consumer.completion();
    }

    /** Unregisters the listener, if it was started. */
    public Future<Void> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }
}
