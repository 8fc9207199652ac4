package org.yizhan.hub.notify;

import io.vertx.core.Future;

/** Sends one message to one channel; fails with {@link DeliveryFailed} (its message free of secrets). */
public interface Sender {

    Future<Void> send(Channel channel, Message message);

    /** Lets go of what the sender holds (HTTP clients). */
    default Future<Void> close() {
        return Future.succeededFuture();
    }

    /** A delivery that did not happen, and why, in words safe to store and log (the channel's secrets scrubbed). */
    final class DeliveryFailed extends RuntimeException {
        public DeliveryFailed(String message) {
            super(message, null, false, false);
        }
    }
}
