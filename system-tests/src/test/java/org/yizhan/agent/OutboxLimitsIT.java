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
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Event;
import org.yizhan.testing.TestHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * An outbox at its limit while the station is offline: the next event evicts the oldest evictable one, which is
 * counted, and the real hub hears of it through an {@code outbox.alarm} as soon as the station is back.
 */
@ExtendWith(VertxExtension.class)
class OutboxLimitsIT {

    @TempDir
    Path dir;
    private TestHub hub;
    private Outbox outbox;
    private Uplink uplink;

    @AfterEach
    void tearDown() throws Exception {
        if (uplink != null) {
            get(uplink.stop());
        }
        if (outbox != null) {
            get(outbox.close());
        }
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void theEventOverTheCapEvictsTheOldestIsCountedAndTheHubGetsTheAlarm(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir);
        StationConfig config = hub.provision(hub.adminToken(), TestHub.station("上限驿站"))
                .withOutbox(new StationConfig.OutboxLimits(3, 1 << 20, 3, 256 * 1024));
        String id = config.stationId();
        Path state = hub.agentDir(id);
        Files.createDirectories(state);
        outbox = new Outbox(vertx, state.resolve("outbox.db"), config.outbox());
        get(outbox.open());
        uplink = new Uplink(vertx, config, outbox, new SessionStore(state), "test");

        // offline: four occupancy events into an outbox for three
        for (int n = 1; n <= 4; n++) {
            get(outbox.append(Event.of("occupancy.full", System.currentTimeMillis(), new JsonObject().put("n", n))));
        }
        assertThat(outbox.evicted()).as("the fourth evicted the oldest").isEqualTo(1);
        assertThat(outbox.refused()).isZero();
        assertThat(outbox.status().getMap()).containsEntry("evicted", 1L).containsEntry("maxEvents", 3);
        assertThat(outbox.size()).as("three events and the alarm, which no limit refuses").isEqualTo(4);

        get(uplink.start());
        await("the outbox drained to the hub").atMost(Duration.ofSeconds(15)).until(() -> outbox.size() == 0);
        List<JsonObject> stored = hub.call("GET", "/api/v1/events?stationId=" + id + "&limit=100", hub.adminToken(),
                null).getJsonArray("events").stream().map(o -> (JsonObject) o).toList();
        assertThat(stored.stream().filter(e -> e.getString("type").equals("occupancy.full"))
                .map(e -> e.getJsonObject("data").getInteger("n")).toList())
                .as("the oldest was evicted, the rest arrived").containsExactlyInAnyOrder(2, 3, 4);
        JsonObject alarm = stored.stream().filter(e -> e.getString("type").equals("outbox.alarm")
                && Boolean.TRUE.equals(e.getJsonObject("data").getValue("active"))).findFirst().orElseThrow()
                .getJsonObject("data");
        assertThat(alarm.getMap()).containsEntry("cause", "cap").containsEntry("evicted", 1)
                .containsEntry("maxEvents", 3);
        await("the outbox alert at the hub, closed once the outbox drained").atMost(Duration.ofSeconds(10))
                .until(() -> hub.call("GET", "/api/v1/alerts?stationId=" + id, hub.adminToken(), null)
                        .getJsonArray("alerts").stream().map(o -> (JsonObject) o)
                        .anyMatch(a -> "outbox".equals(a.getString("type")) && a.getValue("closedAt") != null));
    }
}
