package org.yizhan.hub.metrics;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Vertx;

/**
 * How late an event loop runs a timer: {@code yizhan_event_loop_delay_seconds}, the largest lateness of a
 * {@value #TICK_MILLIS} ms timer over its last {@value #WINDOW} ticks, so a scrape every 15 s still sees a short
 * block. A loop kept busy by blocking work shows seconds here long before anything times out.
 */
public final class EventLoopDelay {

    static final long TICK_MILLIS = 1_000;
    static final int WINDOW = 15;

    private final Vertx vertx;
    /** The lateness of the last ticks, in nanoseconds; written on the timer's loop, read by scrapes. */
    private final long[] delays = new long[WINDOW];
    private int next;
    private volatile long timer = -1;
    private long expectedAt;

    public EventLoopDelay(Vertx vertx, HubMetrics metrics) {
        this.vertx = vertx;
        Gauge.builder("yizhan_event_loop_delay_seconds", this, EventLoopDelay::maxSeconds)
                .description("Largest lateness of a " + TICK_MILLIS + " ms event loop timer over its last "
                        + WINDOW + " ticks")
                .baseUnit("seconds")
                .register(metrics.registry());
    }

    public void start() {
        arm();
    }

    public void stop() {
        long t = timer;
        timer = -1;
        if (t >= 0) {
            vertx.cancelTimer(t);
        }
    }

    /** One timer at a time, armed again when it ran: a late tick is measured once, not caught up on. */
    private void arm() {
        expectedAt = System.nanoTime() + TICK_MILLIS * 1_000_000;
        timer = vertx.setTimer(TICK_MILLIS, id -> {
            if (timer != id) {
                return;
            }
            long late = Math.max(0, System.nanoTime() - expectedAt);
            synchronized (delays) {
                delays[next] = late;
                next = (next + 1) % WINDOW;
            }
            arm();
        });
    }

    private double maxSeconds() {
        long max = 0;
        synchronized (delays) {
            for (long d : delays) {
                max = Math.max(max, d);
            }
        }
        return max / 1e9;
    }
}
