package org.yizhan.e2e;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.uplink.Outbox;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.Limits;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * What the hub cannot store does not jam a real agent's uplink: an event too big for the registry is dead-lettered
 * and acknowledged, the outbox drains, the connection stays up, and a 1,000-event backlog is stored whole.
 */
@ExtendWith(VertxExtension.class)
class UndeliverableEventsIT {

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHub hub;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        this.vertx = vertx;
        hub = TestHub.start(vertx, dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        hub.close();
    }

    private JsonArray stored(String stationId) throws Exception {
        return hub.call("GET", "/api/v1/events?stationId=" + stationId + "&limit=1000", hub.adminToken(), null)
                .getJsonArray("events");
    }

    private static List<String> ids(JsonArray events) {
        return events.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    }

    /** Writes the events to the station's outbox, as the agent had them when it last stopped. */
    private Path outboxHolding(String stationId, List<Event> events) throws Exception {
        Path state = hub.agentDir(stationId);
        Files.createDirectories(state);
        Outbox outbox = new Outbox(vertx, state.resolve("outbox.db"));
        get(outbox.open());
        List<Future<Void>> writes = new ArrayList<>();
        events.forEach(e -> writes.add(outbox.append(e)));
        get(Future.all(writes));
        get(outbox.close());
        return state;
    }

    @Test
    void anEventTooBigToStoreIsDeadLetteredAndAcknowledgedAndTheBacklogBehindItIsStoredWhole() throws Exception {
        StationConfig config = hub.provision(hub.adminToken(), TestHub.station("卡住驿站"));
        String id = config.stationId();
        long now = System.currentTimeMillis();
        // within the batch limit, but beyond what one event may be (and what the registry's column holds)
        Event big = Event.of("selftest.result", now, new JsonObject().put("log", "x".repeat(100 * 1024)));
        assertThat(big.toJson().encode().length()).isBetween(Limits.EVENT_BYTES, Limits.BATCH_BYTES);
        List<Event> backlog = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            backlog.add(Event.of("access.granted", now + i, new JsonObject().put("n", i).put("method", "qr")
                    .put("member", String.format("m-%08d", i))));
        }
        List<Event> all = new ArrayList<>(List.of(big));
        all.addAll(backlog);
        Path state = outboxHolding(id, all);

        TestAgent agent = hub.connectedAgent(config, state).awaitUplink();
        long session = agent.status().getJsonObject("uplink").getLong("session");
        await("the outbox drains").atMost(Duration.ofSeconds(30)).until(() -> agent.outboxSize() == 0);
        assertThat(ids(stored(id))).as("the backlog is stored whole, the big event not")
                .containsExactlyElementsOf(backlog.stream().map(Event::id).toList());

        JsonArray dead = hub.call("GET", "/api/v1/dead-letters", hub.adminToken(), null).getJsonArray("deadLetters");
        assertThat(dead).as("the big event is kept for operators").singleElement().satisfies(d -> {
            assertThat(((JsonObject) d).getString("topic")).endsWith(id + "/events");
            assertThat(((JsonObject) d).getString("payload")).contains(big.id());
        });
        assertThat(agent.status().getJsonObject("uplink").getLong("session"))
                .as("the connection stayed up: no reconnect").isEqualTo(session);
        assertThat(agent.uplinkConnected()).isTrue();

        agent.post("/sim/door", new JsonObject().put("open", true).encode());
        await("the next event is stored").atMost(Duration.ofSeconds(10)).until(() -> !hub.call("GET",
                "/api/v1/events?stationId=" + id + "&type=door.opened", hub.adminToken(), null)
                .getJsonArray("events").isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.outboxSize() == 0);
    }
}
