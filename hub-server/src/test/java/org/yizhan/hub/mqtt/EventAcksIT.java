package org.yizhan.hub.mqtt;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsAck;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.ProtocolException;
import org.yizhan.protocol.Topics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.hub.mqtt.MqttEndpointFixture.await;
import static org.yizhan.hub.mqtt.MqttEndpointFixture.publish;

/** Contract 1.1 on the embedded endpoint: {@code .../events/ack} after commit, before the PUBACK. */
@ExtendWith(VertxExtension.class)
class EventAcksIT {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    private static final String ST = "st-001";
    private static final String OTHER = "st-002";
    private MqttEndpointFixture hub;
    private String secret;
    private String otherSecret;
    private final List<MqttClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp(Vertx vertx) {
        hub = MqttEndpointFixture.open(vertx, H2);
        secret = hub.station(ST, 10);
        otherSecret = hub.station(OTHER, 10);
        hub.start(0);
    }

    @AfterEach
    void tearDown() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(0, 100, false);
                }
                c.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
        hub.close();
    }

    private MqttClient connect(String id, String password) throws MqttException {
        MqttClient c = hub.connect(id, password, 1, 30);
        clients.add(c);
        return c;
    }

    /** Subscribes to the station's own acknowledgements and collects them, decoded strictly. */
    private static List<EventsAck> acks(MqttClient c, String stationId) throws MqttException {
        List<EventsAck> got = new CopyOnWriteArrayList<>();
        IMqttToken t = c.subscribeWithResponse(Topics.of(stationId, Channel.EVENTS_ACK), 1, (topic, m) -> {
            try {
                got.add(Codec.decode(Channel.EVENTS_ACK, m.getPayload(), EventsAck.class));
            } catch (ProtocolException e) {
                throw new AssertionError("the hub sent a bad ack: " + e.getMessage(), e);
            }
        });
        assertThat(t.getGrantedQos()).containsExactly(1);
        return got;
    }

    private static Event event(String type) {
        return Event.of(type, System.currentTimeMillis(), new JsonObject());
    }

    private JsonArray stored() {
        return await(hub.events.list(Optional.of(ST), Optional.empty(), Optional.empty(), 100))
                .getJsonArray("events");
    }

    @Test
    void acknowledgesABatchAfterCommitAndAResentBatchAgain() throws Exception {
        MqttClient c = connect(ST, secret);
        List<EventsAck> acks = acks(c, ST);
        List<Event> batch = List.of(event("door.opened"), event("door.closed"), event("access.granted"));
        List<String> ids = batch.stream().map(Event::id).toList();
        publish(c, ST, Channel.EVENTS, EventsMessage.batch(batch).toJson());
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.size() == 1);
        assertThat(acks.get(0).ids()).containsExactlyElementsOf(ids);
        assertThat(stored()).hasSize(3);

        // The ack was lost on the way: the station sends the batch again; stored once, acknowledged again.
        publish(c, ST, Channel.EVENTS, EventsMessage.batch(batch).toJson());
        Event single = event("smoke.alarm");
        publish(c, ST, Channel.EVENTS, EventsMessage.single(single).toJson());
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.size() == 3);
        assertThat(acks.get(1).ids()).containsExactlyElementsOf(ids);
        assertThat(acks.get(2).ids()).containsExactly(single.id());
        assertThat(stored()).hasSize(4);
        assertThat(acksSent()).isEqualTo(3);
    }

    private double acksSent() {
        return hub.metrics.scrape().lines().filter(l -> l.startsWith("yizhan_events_acks_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void acknowledgesDeadLetteredEventsSoTheyCannotJamTheOutbox() throws Exception {
        MqttClient c = connect(ST, secret);
        List<EventsAck> acks = acks(c, ST);
        Event good = event("door.opened");
        JsonObject bad = event("door.closed").toJsonInBatch().put("type", "NOT A TYPE");
        JsonObject payload = new JsonObject().put("v", 1)
                .put("events", new JsonArray().add(good.toJsonInBatch()).add(bad));
        publish(c, ST, Channel.EVENTS, payload);
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.size() == 1);
        assertThat(acks.get(0).ids()).containsExactly(good.id(), bad.getString("id"));
        assertThat(await(hub.deadLetters.list(10))).singleElement()
                .satisfies(d -> assertThat(((JsonObject) d).getString("payload")).contains(bad.getString("id"))
                        .doesNotContain(good.id()));
        assertThat(stored()).as("the bad event is refused alone").extracting(e -> ((JsonObject) e).getString("id"))
                .containsExactly(good.id());

        c.publish(Topics.of(ST, Channel.EVENTS), "not json".getBytes(StandardCharsets.UTF_8), 1, false);
        publish(c, ST, Channel.HEARTBEAT, new JsonObject().put("v", 1).put("ts", 1).put("seq", 1)
                .put("uptimeS", 1).put("outbox", 0));
        assertThat(c.isConnected()).isTrue();
        assertThat(acks).as("nothing to acknowledge in garbage").hasSize(1);
    }

    /** Every id acknowledged so far, whichever ack carried it. */
    private static List<String> ackedIds(List<EventsAck> acks) {
        return acks.stream().flatMap(a -> a.ids().stream()).toList();
    }

    @Test
    void deadLettersAndAcknowledgesAnEventTooBigToStoreAndStoresTheRestOfItsBatch() throws Exception {
        MqttClient c = connect(ST, secret);
        List<EventsAck> acks = acks(c, ST);
        Event before = event("door.opened");
        Event big = Event.of("selftest.result", System.currentTimeMillis(),
                new JsonObject().put("log", "x".repeat(100 * 1024)));
        Event after = event("door.closed");
        byte[] wire = EventsMessage.batch(List.of(before, big, after)).toJson().encode().getBytes(StandardCharsets.UTF_8);
        assertThat(wire.length).as("the batch is within the contract's batch limit").isLessThan(Channel.EVENTS.maxBytes());
        c.publish(Topics.of(ST, Channel.EVENTS), wire, 1, false);

        await().atMost(Duration.ofSeconds(5)).until(() -> ackedIds(acks).size() == 3);
        assertThat(ackedIds(acks)).containsExactlyInAnyOrder(before.id(), big.id(), after.id());
        assertThat(stored()).extracting(e -> ((JsonObject) e).getString("id"))
                .as("the rest of the batch is stored").containsExactly(before.id(), after.id());
        JsonArray dead = await(hub.deadLetters.list(10));
        assertThat(dead).hasSize(1);
        assertThat(dead.getJsonObject(0).getString("payload")).contains(big.id());
        assertThat(dead.getJsonObject(0).getString("error")).contains("events[1]");
        assertThat(c.isConnected()).as("the connection stays up").isTrue();

        Event next = event("access.granted");
        publish(c, ST, Channel.EVENTS, EventsMessage.single(next).toJson());
        await().atMost(Duration.ofSeconds(5)).until(() -> ackedIds(acks).contains(next.id()));
        assertThat(stored()).hasSize(3);
    }

    @Test
    void deadLettersAndAcknowledgesASingleEventOverTheEventLimit() throws Exception {
        MqttClient c = connect(ST, secret);
        List<EventsAck> acks = acks(c, ST);
        Event big = Event.of("selftest.result", System.currentTimeMillis(),
                new JsonObject().put("log", "x".repeat(70 * 1024)));
        publish(c, ST, Channel.EVENTS, EventsMessage.single(big).toJson());
        await().atMost(Duration.ofSeconds(5)).until(() -> ackedIds(acks).contains(big.id()));
        assertThat(stored()).isEmpty();
        assertThat(await(hub.deadLetters.list(10))).singleElement()
                .satisfies(d -> assertThat(((JsonObject) d).getString("error")).contains("the limit for one event"));
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    void acknowledgesNothingAndDropsTheConnectionWhenTheRegistryIsAway() throws Exception {
        MqttClient c = connect(ST, secret);
        List<EventsAck> acks = acks(c, ST);
        ((AutoCloseable) hub.db.dataSource()).close();
        Event e = event("door.opened");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> publish(c, ST, Channel.EVENTS,
                EventsMessage.single(e).toJson())).as("no PUBACK: the hub drops the connection instead")
                .isInstanceOf(MqttException.class);
        assertThat(c.isConnected()).isFalse();
        assertThat(acks).as("not stored, so not acknowledged: the station sends it again").isEmpty();
    }

    @Test
    void storesAndAcknowledgesAThousandEventReplayBatch() throws Exception {
        MqttClient c = connect(ST, secret);
        List<EventsAck> acks = acks(c, ST);
        List<Event> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            batch.add(Event.of("access.granted", System.currentTimeMillis(), new JsonObject().put("n", i)
                    .put("method", "qr").put("member", String.format("m-%08d", i))));
        }
        byte[] wire = EventsMessage.batch(batch).toJson().encode().getBytes(StandardCharsets.UTF_8);
        assertThat(wire.length).as("about 122 KiB").isBetween(100 * 1024, 130 * 1024);
        c.publish(Topics.of(ST, Channel.EVENTS), wire, 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> ackedIds(acks).size() == 1000);
        assertThat(ackedIds(acks)).containsExactlyInAnyOrderElementsOf(batch.stream().map(Event::id).toList());
        assertThat(await(hub.events.list(Optional.of(ST), Optional.empty(), Optional.empty(), 1000))
                .getJsonArray("events")).as("stored whole").hasSize(1000);
        assertThat(await(hub.deadLetters.list(10))).isEmpty();
    }

    @Test
    void sendsNoAckToAStationThatDidNotSubscribeAndStillAcknowledgesWithPuback() throws Exception {
        MqttClient c = connect(ST, secret);
        publish(c, ST, Channel.EVENTS, EventsMessage.single(event("door.opened")).toJson());
        // publish returned: the PUBACK came, after the commit, as before contract 1.1
        assertThat(stored()).hasSize(1);
        assertThat(acksSent()).isZero();
    }

    @Test
    void aStationGetsOnlyItsOwnAcksAndMayNotSubscribeToOrPublishAnothers() throws Exception {
        MqttClient c = connect(ST, secret);
        MqttClient other = connect(OTHER, otherSecret);
        List<EventsAck> mine = acks(c, ST);
        List<EventsAck> theirs = acks(other, OTHER);
        int[] granted;
        try {
            granted = c.subscribeWithResponse(new String[]{Topics.of(OTHER, Channel.EVENTS_ACK),
                    "yizhan/v1/stations/+/events/ack"}, new int[]{1, 1}).getGrantedQos();
        } catch (MqttException ex) {
            granted = new int[]{0x80, 0x80};
        }
        assertThat(granted).containsExactly(0x80, 0x80);
        assertThat(hub.rejected("acl")).isEqualTo(2);

        // a forged ack for itself is a down channel: dropped and counted, never delivered
        publish(c, ST, Channel.EVENTS_ACK, new EventsAck(1, List.of(event("x.y").id())).toJson());
        assertThat(hub.rejected("acl")).isEqualTo(3);

        Event e = event("door.opened");
        publish(other, OTHER, Channel.EVENTS, EventsMessage.single(e).toJson());
        await().atMost(Duration.ofSeconds(5)).until(() -> theirs.size() == 1);
        assertThat(theirs.get(0).ids()).containsExactly(e.id());
        Event mineEvent = event("door.closed");
        publish(c, ST, Channel.EVENTS, EventsMessage.single(mineEvent).toJson());
        await().atMost(Duration.ofSeconds(5)).until(() -> mine.size() == 1);
        assertThat(mine).singleElement().satisfies(a -> assertThat(a.ids()).containsExactly(mineEvent.id()));
        assertThat(theirs).hasSize(1);
    }
}
