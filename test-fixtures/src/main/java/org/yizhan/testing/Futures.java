package org.yizhan.testing;

import io.vertx.core.Future;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a Vert.x future from a test thread (never from an event loop). */
public final class Futures {

    /** How long a test waits for a start, a stop or a call before it fails. */
    public static final long TIMEOUT_SECONDS = 60;

    private Futures() {
    }

    /**
     * The future's result, waiting at most {@link #TIMEOUT_SECONDS}; a failed future throws its cause as an
     * {@link ExecutionException}, so the test's stack trace shows where it was awaited.
     */
    public static <T> T get(Future<T> future) throws ExecutionException, InterruptedException, TimeoutException {
        return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
