package org.yizhan.testing;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every agent cycles its simulated door (open, close) over and over on a thread of its own until {@link #stop}: a
 * steady stream of door events, each agent's cycles counted (every cycle is a {@code door.opened} and a
 * {@code door.closed}). A failed cycle ends the streams and is reported by {@link #assertNoFailure}.
 */
public final class DoorStreams {

    private final AtomicBoolean streaming = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<AtomicInteger> cycles = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private DoorStreams() {
    }

    /** Starts one stream per agent, pausing {@code pauseMillis} between cycles. */
    public static DoorStreams start(List<TestAgent> agents, long pauseMillis) {
        DoorStreams s = new DoorStreams();
        for (TestAgent agent : agents) {
            AtomicInteger done = new AtomicInteger();
            s.cycles.add(done);
            Thread t = new Thread(() -> {
                try {
                    while (s.streaming.get()) {
                        agent.simulate("/sim/door", new JsonObject().put("open", true));
                        agent.simulate("/sim/door", new JsonObject().put("open", false));
                        done.incrementAndGet();
                        Thread.sleep(pauseMillis);
                    }
                } catch (Throwable e) {
                    s.failure.set(e);
                    s.streaming.set(false);
                }
            }, "door-stream-" + agent.stationId());
            t.setDaemon(true);
            t.start();
            s.threads.add(t);
        }
        return s;
    }

    /** The cycles agent {@code i} (in the order given to {@link #start}) has completed so far. */
    public int cycles(int i) {
        return cycles.get(i).get();
    }

    public int[] cycles() {
        return cycles.stream().mapToInt(AtomicInteger::get).toArray();
    }

    public void assertNoFailure() {
        assertThat(failure.get()).as("the door streams").isNull();
    }

    /** Ends the streams after their current cycle and waits for them. */
    public void stop() throws InterruptedException {
        streaming.set(false);
        for (Thread t : threads) {
            t.join(20_000);
        }
        assertNoFailure();
    }
}
