package org.yizhan.hub.metrics;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EventLoopDelayTest {

    private final Vertx vertx = Vertx.vertx();
    private final HubMetrics metrics = new HubMetrics();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private double delay() {
        return metrics.registry().get("yizhan_event_loop_delay_seconds").gauge().value();
    }

    @Test
    void showsHowLongABlockedLoopHeldItsTimerBack() {
        EventLoopDelay loopDelay = new EventLoopDelay(vertx, metrics);
        Context loop = vertx.getOrCreateContext();
        loop.runOnContext(v -> loopDelay.start());
        assertThat(delay()).as("before the first tick").isZero();

        // the loop is blocked on purpose: this is what the meter is there to show
        loop.runOnContext(v -> {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });

        await("the delayed tick").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(delay()).as("delay of the tick after a 2.5 s block").isGreaterThan(1.0));
        loop.runOnContext(v -> loopDelay.stop());
    }
}
