package org.yizhan.hub.sms;

import io.vertx.core.Future;

/**
 * Sends a text message to a mobile number. The hub sends one-time codes through it (join-policy sms); the union
 * runs the gateway, or an adapter in front of its SMS provider.
 */
public interface SmsGateway {

    /**
     * Sends {@code text} to {@code to} (11 digits); succeeds once the gateway took the message, fails when it
     * refused it or could not be reached. Implementations never log the text (it carries a code).
     */
    Future<Void> send(String to, String text);

    /** Releases what the gateway holds (connections); nothing by default. */
    default Future<Void> close() {
        return Future.succeededFuture();
    }

    /** The gateway refused the message or could not be reached (the message says how, never what was sent). */
    final class Failed extends RuntimeException {
        public Failed(String message) {
            super(message, null, false, false);
        }
    }
}
