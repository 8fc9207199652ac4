package org.yizhan.agent;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.uplink.Outbox;
import org.yizhan.agent.uplink.SessionStore;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.Ulid;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestBroker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * The outbox sends events in the order the station made them, whatever their time-based ids say: after the
 * station's clock steps back an hour (NTP correcting a clock that ran ahead, or an RTC battery gone), the events
 * made afterwards carry smaller ids, and still go out at once, after the earlier ones.
 */
@ExtendWith(VertxExtension.class)
class OutboxClockStepIT {

    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;
    private Outbox outbox;
    private Uplink uplink;
    private TestBroker broker;

    /** An event as the station makes it when its clock reads {@code clockMillis}. */
    private static Event madeAt(long clockMillis, String type, int n) {
        return new Event(Ulid.next(clockMillis), clockMillis, type, new JsonObject().put("n", n));
    }

    private void start(Vertx vertx) throws Exception {
        broker = new TestBroker();
        int port = get(broker.start(vertx));
        uplink = new Uplink(vertx, TestAgent.config("st-clock", port, 1, 5), outbox, new SessionStore(dir), "test");
        get(uplink.start());
    }

    private List<Integer> received() {
        return broker.events().stream().map(e -> e.getJsonObject("data").getInteger("n")).toList();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (uplink != null) {
            get(uplink.stop());
        }
        if (outbox != null) {
            get(outbox.close());
        }
        if (broker != null) {
            get(broker.close());
        }
    }

    @Test
    void eventsMadeAfterTheClockSteppedBackAreSentAtOnceAfterTheEarlierOnes(Vertx vertx) throws Exception {
        outbox = new Outbox(vertx, dir.resolve("outbox.db"));
        get(outbox.open());
        start(vertx);
        await().atMost(Duration.ofSeconds(10)).until(uplink::connected);
        long now = System.currentTimeMillis();
        get(outbox.append(madeAt(now, "door.opened", 1)));
        uplink.emit("door.closed", new JsonObject().put("n", 2));
        await("the first events sent and acknowledged").atMost(Duration.ofSeconds(10))
                .until(() -> received().containsAll(List.of(1, 2)) && outbox.size() == 0);

        // the clock steps back an hour for two events, then reads right again for the next one
        get(outbox.append(madeAt(now - HOUR, "door.opened", 3)));
        get(outbox.append(madeAt(now - HOUR + 1, "door.closed", 4)));
        uplink.emit("door.opened", new JsonObject().put("n", 5));
        await("the events made with the clock an hour back").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(received()).containsExactly(1, 2, 3, 4, 5));
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.size() == 0);
    }

    @Test
    void aBacklogIsReplayedInTheOrderItWasMadeNotInIdOrder(Vertx vertx) throws Exception {
        outbox = new Outbox(vertx, dir.resolve("outbox.db"));
        get(outbox.open());
        long now = System.currentTimeMillis();
        get(outbox.append(madeAt(now, "door.opened", 1)));
        get(outbox.append(madeAt(now + 1, "door.closed", 2)));
        get(outbox.append(madeAt(now - HOUR, "door.opened", 3)));
        get(outbox.append(madeAt(now - HOUR + 1, "door.closed", 4)));
        start(vertx);
        await("the backlog replayed").atMost(Duration.ofSeconds(10)).until(() -> outbox.size() == 0);
        assertThat(received()).as("in the order the station made them, each once").containsExactly(1, 2, 3, 4);
    }
}
