package org.yizhan.agent;

import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.uplink.Outbox;
import org.yizhan.agent.uplink.SessionStore;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.Limits;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

@ExtendWith(VertxExtension.class)
class OutboxReplayIT {

    @TempDir
    Path dir;

    @Test
    void replaysABacklogOldestFirstInBoundedBatchesEachEventOnce(Vertx vertx) throws Exception {
        Outbox outbox = new Outbox(vertx, dir.resolve("outbox.db"));
        get(outbox.open());
        List<Future<Void>> writes = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 620; i++) {
            Event e = Event.of("door.opened", System.currentTimeMillis(), new JsonObject().put("n", i)
                    .put("note", "x".repeat(600)));
            ids.add(e.id());
            writes.add(outbox.append(e));
        }
        get(Future.all(writes));
        assertThat(outbox.size()).isEqualTo(620);

        TestBroker broker = new TestBroker();
        int port = get(broker.start(vertx));
        Uplink uplink = new Uplink(vertx, TestAgent.config("st-backlog", port, 1, 5), outbox,
                new SessionStore(dir), "test");
        get(uplink.start());
        await().atMost(Duration.ofSeconds(20)).until(() -> outbox.size() == 0);

        List<TestBroker.Received> publishes = broker.on("events");
        assertThat(publishes).hasSizeGreaterThanOrEqualTo(2)
                .allMatch(r -> r.payload().containsKey("events")
                        && r.payload().encode().getBytes(StandardCharsets.UTF_8).length <= Limits.BATCH_BYTES);
        List<String> received = broker.events().stream().map(e -> e.getString("id")).toList();
        assertThat(received).as("oldest first, each once").containsExactlyElementsOf(ids);
        Set<Integer> ns = new HashSet<>();
        broker.events().forEach(e -> ns.add(e.getJsonObject("data").getInteger("n")));
        assertThat(ns).hasSize(620);

        get(uplink.stop());
        get(outbox.close());
        get(broker.close());
    }
}
