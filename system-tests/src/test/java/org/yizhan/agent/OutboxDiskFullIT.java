package org.yizhan.agent;

import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.testing.FullDiskStore;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The station's SD card fills up (the outbox's SQLite writes fail with {@code SQLITE_FULL}): the door still opens,
 * the events wait in memory and still reach the real hub, the hub gets an {@code outbox.alarm} and opens an alert;
 * once the disk takes writes again the events are written and nothing is lost or stored twice.
 */
@ExtendWith(VertxExtension.class)
class OutboxDiskFullIT {

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestHub hub;
    private FullDiskStore disk;
    private TestAgent agent;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        this.vertx = vertx;
        hub = TestHub.start(vertx, dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        hub.close();
    }

    private TestAgent agentOnFillingDisk(StationConfig config) throws Exception {
        agent = TestAgent.start(vertx, config, hub.agentDir(config.stationId()), file -> {
            disk = new FullDiskStore(file);
            return disk;
        });
        return agent;
    }

    private JsonArray stored(String stationId) throws Exception {
        return hub.call("GET", "/api/v1/events?stationId=" + stationId + "&limit=200", hub.adminToken(), null)
                .getJsonArray("events");
    }

    private List<String> types(String stationId) throws Exception {
        return stored(stationId).stream().map(o -> ((JsonObject) o).getString("type")).toList();
    }

    private List<JsonObject> alarms(String stationId) throws Exception {
        return stored(stationId).stream().map(o -> (JsonObject) o)
                .filter(e -> "outbox.alarm".equals(e.getString("type"))).map(e -> e.getJsonObject("data")).toList();
    }

    private Optional<JsonObject> outboxAlert(String stationId) throws Exception {
        return hub.call("GET", "/api/v1/alerts?stationId=" + stationId, hub.adminToken(), null)
                .getJsonArray("alerts").stream().map(o -> (JsonObject) o)
                .filter(a -> "outbox".equals(a.getString("type"))).findFirst();
    }

    /** The rider presses the exit button: the relay releases the lock; the door opens and closes. */
    private void exitThroughTheDoor() throws Exception {
        agent.simulate("/sim/exit-button", new JsonObject());
        await("the door relay released").atMost(Duration.ofSeconds(3))
                .until(() -> agent.doorRelay() == DigitalState.HIGH);
        agent.simulate("/sim/door", new JsonObject().put("open", true));
        agent.simulate("/sim/door", new JsonObject().put("open", false));
    }

    private void assertEachEventOnce(String stationId) throws Exception {
        List<String> ids = stored(stationId).stream().map(o -> ((JsonObject) o).getString("id")).toList();
        assertThat(ids).as("no event stored twice").doesNotHaveDuplicates();
    }

    @Test
    void theDoorOpensAndEventsAndAnAlarmReachTheHubWhileTheDiskIsFull() throws Exception {
        StationConfig config = hub.provision(hub.adminToken(), TestHub.station("满盘驿站"));
        String id = config.stationId();
        agentOnFillingDisk(config);
        hub.awaitConnected(id);
        agent.awaitUplink();

        disk.full = true;
        exitThroughTheDoor();
        await("door events and the alarm at the hub while the disk is full").atMost(Duration.ofSeconds(15))
                .until(() -> types(id).containsAll(List.of("door.opened", "door.closed", "outbox.alarm")));
        assertThat(disk.full).isTrue();
        assertThat(alarms(id).get(0).getMap()).as("the alarm says why").containsEntry("active", true)
                .containsEntry("cause", "disk");
        assertThat(alarms(id).get(0).getString("error")).contains("disk full");
        assertThat(outboxAlert(id)).as("the hub opened an outbox alert").hasValueSatisfying(a ->
                assertThat(a.getValue("closedAt")).isNull());
        JsonObject state = agent.status().getJsonObject("outboxState");
        assertThat(state.getBoolean("writable")).as("status shows the disk cannot be written: %s", state).isFalse();
        assertThat(disk.written.get()).as("nothing was written while the disk was full").isZero();

        disk.full = false;
        await("the station says it can write again, and the hub closes the alert").atMost(Duration.ofSeconds(20))
                .until(() -> alarms(id).stream().anyMatch(a -> Boolean.FALSE.equals(a.getValue("active")))
                        && outboxAlert(id).map(a -> a.getValue("closedAt") != null).orElse(false));
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.outboxSize() == 0);
        assertThat(agent.status().getJsonObject("outboxState").getBoolean("writable")).isTrue();
        assertThat(types(id)).as("each door event once").containsOnlyOnce("door.opened", "door.closed");
        assertEachEventOnce(id);
    }

    @Test
    void eventsKeptInMemoryOfflineAreWrittenWhenTheDiskFreesAndReachTheHubLater() throws Exception {
        StationConfig config = hub.provision(hub.adminToken(), TestHub.station("离线满盘驿站"));
        String id = config.stationId();
        StationConfig.Mqtt m = config.mqtt();
        StationConfig offline = config.withMqtt(new StationConfig.Mqtt("127.0.0.1", 9, false, m.username(),
                m.password(), m.keepAliveSeconds(), Optional.empty(), m.eventAcks(), m.eventAckTimeoutSeconds()));
        agentOnFillingDisk(offline);

        disk.full = true;
        exitThroughTheDoor();
        await("the door events and the alarm wait in memory").atMost(Duration.ofSeconds(5))
                .until(() -> agent.status().getJsonObject("outboxState").getInteger("inMemory") >= 3);
        assertThat(agent.outboxSize()).as("counted as pending").isGreaterThanOrEqualTo(3);

        disk.full = false;
        await("written to disk once it takes writes again").atMost(Duration.ofSeconds(20))
                .until(() -> agent.status().getJsonObject("outboxState").getInteger("inMemory") == 0);
        assertThat(disk.written.get()).as("door opened, closed, the alarm and its all-clear")
                .isGreaterThanOrEqualTo(4);
        agent.close();

        // the station comes back on line with what is on its disk
        agent = hub.connectedAgent(config, hub.agentDir(id));
        await("the kept events at the hub").atMost(Duration.ofSeconds(15)).until(() -> agent.outboxSize() == 0
                && types(id).containsAll(List.of("door.opened", "door.closed", "outbox.alarm")));
        assertThat(types(id)).containsOnlyOnce("door.opened", "door.closed");
        assertThat(alarms(id)).extracting(a -> a.getValue("active")).as("the alarm and its all-clear")
                .containsExactlyInAnyOrder(true, false);
        assertEachEventOnce(id);
    }
}
