package org.yizhan.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.uplink.Outbox;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.Topics;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/** Contract 1.1 between a real hub and a real agent: outbox rows go on {@code .../events/ack}, or on PUBACK. */
@ExtendWith(VertxExtension.class)
class EventAcksIT {

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
        return hub.call("GET", "/api/v1/events?stationId=" + stationId + "&limit=100", hub.adminToken(), null)
                .getJsonArray("events");
    }

    private static void doorOpenedAndClosed(TestAgent agent) throws Exception {
        agent.post("/sim/door", new JsonObject().put("open", true).encode());
        agent.post("/sim/door", new JsonObject().put("open", false).encode());
    }

    private static List<String> types(JsonArray events) {
        return events.stream().map(o -> ((JsonObject) o).getString("type")).toList();
    }

    @Test
    void aProvisionedAgentDrainsItsOutboxOnTheHubsAcks() throws Exception {
        TestAgent agent = hub.stationWithAgent("确认驿站", 30.27, 120.13).awaitUplink();
        String id = agent.stationId();
        assertThat(agent.config().mqtt().eventAcks()).as("the hub provisions stations to wait for its acks").isTrue();
        doorOpenedAndClosed(agent);
        await().atMost(Duration.ofSeconds(10)).until(() -> types(stored(id)).containsAll(
                List.of("door.opened", "door.closed")));
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.outboxSize() == 0);
        assertThat(hub.send("GET", "/metrics", null, null).body()).containsPattern("yizhan_events_acks_total\\S* [1-9]");
    }

    @Test
    void anAgentWithoutEventAcksStillDrainsOnPuback() throws Exception {
        StationConfig given = hub.provision(hub.adminToken(), TestHub.station("老驿站"));
        StationConfig old = given.withMqtt(given.mqtt().withEventAcks(false));
        TestAgent agent = hub.connectedAgent(old, hub.agentDir(old.stationId())).awaitUplink();
        doorOpenedAndClosed(agent);
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.outboxSize() == 0);
        assertThat(types(stored(old.stationId()))).as("door forced open, then closed")
                .containsExactly("door.opened", "door.forced", "door.closed");
    }

    @Test
    void eventsTheHubCommittedWithoutTheStationHearingAreSentAgainStoredOnceAndAcknowledged() throws Exception {
        StationConfig config = hub.provision(hub.adminToken(), TestHub.station("丢确认驿站"));
        String id = config.stationId();
        List<Event> events = List.of(Event.of("door.opened", System.currentTimeMillis(), new JsonObject()),
                Event.of("door.closed", System.currentTimeMillis(), new JsonObject()));
        // The station sent its events and the hub committed them; the acknowledgement never reached it
        // (here: the first connection did not listen for it).
        MqttClient first = new MqttClient("tcp://127.0.0.1:" + hub.app().mqttPort(), id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(id);
        o.setPassword(config.mqtt().password().toCharArray());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        first.connect(o);
        first.publish(Topics.of(id, Channel.EVENTS),
                EventsMessage.batch(events).toJson().encode().getBytes(StandardCharsets.UTF_8), 1, false);
        first.disconnect();
        first.close();
        assertThat(stored(id)).hasSize(2);

        // ... so they are still in its outbox when the agent starts again
        Path state = hub.agentDir(id);
        Files.createDirectories(state);
        Outbox outbox = new Outbox(vertx, state.resolve("outbox.db"));
        get(outbox.open());
        for (Event e : events) {
            get(outbox.append(e));
        }
        get(outbox.close());

        TestAgent agent = hub.connectedAgent(config, state).awaitUplink();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.outboxSize() == 0);
        JsonArray after = stored(id);
        assertThat(after).extracting(e -> ((JsonObject) e).getString("id"))
                .as("stored once").containsExactly(events.get(0).id(), events.get(1).id());
    }
}
