package org.yizhan.agent;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.uplink.Outbox;
import org.yizhan.agent.uplink.SessionStore;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsAck;
import org.yizhan.protocol.Topics;
import org.yizhan.protocol.Ulid;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestBroker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * The uplink against a broker-like endpoint whose PUBACK means only "received" (contract 1.1): with
 * {@code mqtt.eventAcks} outbox rows go on the hub's {@code .../events/ack} alone; without it on PUBACK.
 */
@ExtendWith(VertxExtension.class)
class EventAckUplinkIT {

    private static final String ID = "st-acks";
    private static final String ACK_TOPIC = Topics.of(ID, Channel.EVENTS_ACK);

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestBroker broker;
    private int port;
    private Outbox outbox;
    private Uplink uplink;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        this.vertx = vertx;
        broker = new TestBroker();
        port = get(broker.start(vertx));
        outbox = new Outbox(vertx, dir.resolve("outbox.db"));
        get(outbox.open());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (uplink != null) {
            get(uplink.stop());
        }
        get(outbox.close());
        get(broker.close());
    }

    private List<String> stored(int n) throws Exception {
        List<Future<Void>> writes = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Event e = Event.of("door.opened", System.currentTimeMillis(), new JsonObject().put("n", i));
            ids.add(e.id());
            writes.add(outbox.append(e));
        }
        get(Future.all(writes));
        return ids;
    }

    private void startUplink(boolean eventAcks, int ackTimeoutSeconds) throws Exception {
        StationConfig c = TestAgent.config(ID, port, 1, 5);
        c = c.withMqtt(c.mqtt().withEventAcks(eventAcks).withEventAckTimeoutSeconds(ackTimeoutSeconds));
        uplink = new Uplink(vertx, c, outbox, new SessionStore(dir), "test");
        get(uplink.start());
        await().atMost(Duration.ofSeconds(10)).until(uplink::connected);
    }

    private void ack(List<String> ids) {
        broker.send(ACK_TOPIC, new EventsAck(System.currentTimeMillis(), ids).toJson());
    }

    private List<String> sentIds() {
        return broker.events().stream().map(e -> e.getString("id")).toList();
    }

    @Test
    void keepsEventsThroughThePubackAndDeletesExactlyWhatTheHubAcknowledges() throws Exception {
        List<String> ids = stored(3);
        startUplink(true, 60);
        assertThat(broker.subscriptions).contains(ACK_TOPIC);
        await().atMost(Duration.ofSeconds(5)).until(() -> sentIds().containsAll(ids));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> outbox.size() == 3);

        ack(ids.subList(0, 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 1);
        ack(ids.subList(2, 3));
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
        assertThat(sentIds()).as("sent once, nothing was overdue").containsExactlyElementsOf(ids);
    }

    @Test
    void sendsAgainWhatWasNotAcknowledgedInTimeAndStopsOnceAcknowledged() throws Exception {
        List<String> ids = stored(2);
        startUplink(true, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sentIds().size() == 2);
        // the acknowledgement was lost: after a second the same events go out again, oldest first
        await().atMost(Duration.ofSeconds(5)).until(() -> sentIds().size() >= 4);
        assertThat(sentIds().subList(0, 4)).containsExactly(ids.get(0), ids.get(1), ids.get(0), ids.get(1));
        assertThat(outbox.size()).isEqualTo(2);

        ack(ids);
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
        int sent = sentIds().size();
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() -> sentIds().size() == sent);
    }

    @Test
    void sendsUnacknowledgedEventsAgainOnTheNextConnection() throws Exception {
        List<String> ids = stored(2);
        startUplink(true, 600);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.events(1).size() == 2);
        get(uplink.stop());
        uplink = null;
        startUplink(true, 600);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.events(2).size() == 2);
        assertThat(broker.events(2)).extracting(e -> e.getString("id")).containsExactlyElementsOf(ids);
        ack(ids);
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
    }

    @Test
    void ignoresBadAcknowledgementsAndAcksOfUnknownIds() throws Exception {
        List<String> ids = stored(1);
        startUplink(true, 600);
        await().atMost(Duration.ofSeconds(5)).until(() -> sentIds().size() == 1);
        broker.send(ACK_TOPIC, new JsonObject().put("v", 1).put("ts", 1).put("ids", "everything"));
        broker.send(ACK_TOPIC, new JsonObject().put("v", 2).put("ts", 1).put("ids", List.of(ids.get(0))));
        ack(List.of(Ulid.next()));
        broker.send(Topics.of("st-other", Channel.EVENTS_ACK), new EventsAck(1, ids).toJson());
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
                .until(() -> outbox.size() == 1 && uplink.connected());
        ack(ids);
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
    }

    @Test
    void withoutEventAcksDeletesOnPubackAndDoesNotSubscribe() throws Exception {
        broker.ackPublishes = false;
        List<String> ids = stored(2);
        startUplink(false, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sentIds().size() == 2);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> outbox.size() == 2);
        assertThat(sentIds()).as("no timeout resend in PUBACK mode").hasSize(2);
        assertThat(broker.subscriptions).doesNotContain(ACK_TOPIC);
        // an acknowledgement is not what this mode waits for
        ack(ids);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> outbox.size() == 2);

        get(uplink.stop());
        broker.ackPublishes = true;
        startUplink(false, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> outbox.size() == 0);
    }
}
