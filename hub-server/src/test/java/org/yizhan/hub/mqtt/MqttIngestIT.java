package org.yizhan.hub.mqtt;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.live.Bus;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Topics;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.yizhan.hub.mqtt.MqttEndpointFixture.await;
import static org.yizhan.hub.mqtt.MqttEndpointFixture.publish;

@ExtendWith(VertxExtension.class)
class MqttIngestIT {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** The engine the tests run on; the PostgreSQL subclass overrides it. */
    TestRegistry registry() {
        return H2;
    }

    private static final String ST = "st-001";
    private MqttEndpointFixture hub;
    private String secret;
    private final List<MqttClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp(Vertx vertx) {
        hub = MqttEndpointFixture.open(vertx, registry());
        secret = hub.station(ST, 10);
        hub.station("st-002", 10);
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

    private MqttClient connect(String id, String password, long session, int keepAlive) throws MqttException {
        MqttClient c = hub.connect(id, password, session, keepAlive);
        clients.add(c);
        return c;
    }

    private static JsonObject heartbeat(long seq) {
        return new Heartbeat(System.currentTimeMillis(), seq, 100 + seq, 0).toJson();
    }

    @Test
    void acceptsBirthHeartbeatAndTelemetry() throws Exception {
        MqttClient c = connect(ST, secret, 1, 30);
        publish(c, ST, Channel.STATE, StateMessage.birth(System.currentTimeMillis(), 1, "0.3.1", 7).toJson());
        publish(c, ST, Channel.HEARTBEAT, heartbeat(1));
        JsonObject telemetry = new JsonObject().put("v", 1).put("ts", System.currentTimeMillis())
                .put("occupancy", new JsonObject().put("count", 3).put("capacity", 20))
                .put("chargers", new JsonArray().add(new JsonObject().put("port", 1).put("state", "charging")
                        .put("powerW", 182.5).put("energyWh", 1234.5)));
        publish(c, ST, Channel.TELEMETRY, telemetry);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(hub.timeSeries.heartbeats).extracting(Heartbeat::seq).containsExactly(1L);
            assertThat(hub.timeSeries.telemetry).hasSize(1);
            assertThat(hub.live.telemetry(ST)).get()
                    .satisfies(t -> assertThat(t.getJsonObject("occupancy").getInteger("count")).isEqualTo(3));
            assertThat(hub.live("telemetry")).singleElement()
                    .satisfies(m -> assertThat(m.getString("stationId")).isEqualTo(ST));
        });
        assertThat(hub.ingest.presence(ST)).get().satisfies(p -> {
            assertThat(p.state()).isEqualTo("online");
            assertThat(p.lastSeen()).isPresent();
        });
        assertThat(hub.ingest.isConnected(ST)).isTrue();
        long lastSession = await(hub.db.call(conn -> {
            try (var rs = conn.createStatement().executeQuery("SELECT last_session FROM stations WHERE id = 'st-001'")) {
                rs.next();
                return rs.getLong(1);
            }
        }));
        assertThat(lastSession).as("session of the birth kept in the registry").isEqualTo(1);
        assertThat(hub.metrics.scrape()).contains("yizhan_mqtt_messages_in_total{type=\"heartbeat\"} 1.0");
    }

    @Test
    void storesAnEventSentTwiceOnceAndPublishesItLiveOnce() throws Exception {
        MqttClient c = connect(ST, secret, 1, 30);
        Event e = Event.of("access.granted", System.currentTimeMillis(), new JsonObject().put("method", "qr"));
        publish(c, ST, Channel.EVENTS, EventsMessage.single(e).toJson());
        // PUBACK came back (publish returned), so the event must already be committed.
        JsonObject page = await(hub.events.list(Optional.of(ST), Optional.empty(), Optional.empty(), 10));
        assertThat(page.getJsonArray("events")).hasSize(1);

        publish(c, ST, Channel.EVENTS, EventsMessage.batch(List.of(e,
                Event.of("door.opened", System.currentTimeMillis(), new JsonObject()))).toJson());
        page = await(hub.events.list(Optional.of(ST), Optional.empty(), Optional.empty(), 10));
        assertThat(page.getJsonArray("events")).extracting(o -> ((JsonObject) o).getString("type"))
                .containsExactly("access.granted", "door.opened");
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(hub.live("event")).hasSize(2));
    }

    @Test
    void acknowledgesAnEventOnlyAfterItIsCommitted() throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(hub.url(), ST, new MemoryPersistence());
        c.connect(MqttEndpointFixture.options(ST, secret, 1, 30)).waitForCompletion(5000);
        Event e = Event.of("door.forced", System.currentTimeMillis(), new JsonObject());
        // Another transaction holds the event's row, so the hub's insert waits for it.
        Connection blocker = hub.db.dataSource().getConnection();
        try {
            blocker.setAutoCommit(false);
            try (PreparedStatement ps = blocker.prepareStatement(
                    "INSERT INTO events (id, station_id, ts, received_at, type, data) VALUES (?, ?, 0, 0, 'x.y', '{}')")) {
                ps.setString(1, e.id());
                ps.setString(2, ST);
                ps.executeUpdate();
            }
            IMqttDeliveryToken token = c.publish(Topics.of(ST, Channel.EVENTS),
                    EventsMessage.single(e).toJson().encode().getBytes(StandardCharsets.UTF_8), 1, false);
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(token.isComplete()).as("PUBACK before commit").isFalse());
            blocker.rollback();
            token.waitForCompletion(5000);
            assertThat(token.isComplete()).isTrue();
            JsonObject page = await(hub.events.list(Optional.of(ST), Optional.empty(), Optional.empty(), 10));
            assertThat(page.getJsonArray("events")).singleElement()
                    .satisfies(o -> assertThat(((JsonObject) o).getString("type")).isEqualTo("door.forced"));
        } finally {
            blocker.close();
            c.disconnectForcibly(0, 100, false);
            c.close(true);
        }
    }

    @Test
    void refusesWrongPasswordUnknownStationAndMismatchedClientId() throws Exception {
        assertThatThrownBy(() -> connect(ST, "wrong-secret", 1, 30))
                .isInstanceOfSatisfying(MqttException.class, ex ->
                        assertThat(ex.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        assertThatThrownBy(() -> connect("no-such-station", secret, 1, 30))
                .isInstanceOfSatisfying(MqttException.class, ex ->
                        assertThat(ex.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        MqttClient wrongId = hub.client("st-002");
        clients.add(wrongId);
        var o = MqttEndpointFixture.options(ST, secret, 1, 30);
        assertThatThrownBy(() -> wrongId.connect(o))
                .isInstanceOfSatisfying(MqttException.class, ex ->
                        assertThat(ex.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        assertThat(hub.rejected("bad-password")).isEqualTo(1);
        assertThat(hub.rejected("unknown-station")).isEqualTo(1);
        assertThat(hub.rejected("client-id")).isEqualTo(1);
        assertThat(hub.ingest.presence(ST)).get().as("never connected")
                .satisfies(p -> assertThat(p.state()).isEqualTo("unknown"));
    }

    @Test
    void dropsAndCountsPublishUnderAnotherStationsRootOrOnADownChannel() throws Exception {
        MqttClient c = connect(ST, secret, 1, 30);
        Event e = Event.of("door.opened", System.currentTimeMillis(), new JsonObject());
        publish(c, "st-002", Channel.EVENTS, EventsMessage.single(e).toJson());
        publish(c, ST, Channel.COMMAND, new Command("01HZZZZZZZZZZZZZZZZZZZZZZZ", 1, "door.unlock",
                new JsonObject(), Long.MAX_VALUE).toJson());
        // Both QoS 1 publishes were acknowledged (publish returned) so they cannot loop; the connection stays.
        assertThat(c.isConnected()).isTrue();
        assertThat(hub.rejected("acl")).isEqualTo(2);
        JsonObject page = await(hub.events.list(Optional.empty(), Optional.empty(), Optional.empty(), 10));
        assertThat(page.getJsonArray("events")).isEmpty();
    }

    @Test
    void refusesSubscriptionOutsideTheStationsRoot() throws Exception {
        MqttClient c = connect(ST, secret, 1, 30);
        int[] granted;
        try {
            IMqttToken t = c.subscribeWithResponse(new String[]{"yizhan/v1/stations/+/cmd", Topics.of(ST, Channel.COMMAND)},
                    new int[]{1, 1});
            granted = t.getGrantedQos();
        } catch (MqttException ex) {
            assertThat(ex.getReasonCode()).isEqualTo(MqttException.REASON_CODE_SUBSCRIBE_FAILED);
            granted = new int[]{0x80};
        }
        assertThat(granted[0]).as("SUBACK failure for the wildcard over all stations").isEqualTo(0x80);
        assertThat(hub.rejected("acl")).isEqualTo(1);
        IMqttToken own = c.subscribeWithResponse(new String[]{Topics.of(ST, Channel.CONFIG)}, new int[]{1});
        assertThat(own.getGrantedQos()).containsExactly(1);
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    void countsAndDeadLettersGarbageWhileTheConnectionStaysUp() throws Exception {
        MqttClient c = connect(ST, secret, 1, 30);
        c.publish(Topics.of(ST, Channel.EVENTS), "not json".getBytes(StandardCharsets.UTF_8), 1, false);
        c.publish(Topics.of(ST, Channel.HEARTBEAT), "{\"v\":1,\"ts\":5}".getBytes(StandardCharsets.UTF_8), 1, false);
        c.publish(Topics.of(ST, Channel.TELEMETRY), new byte[]{'{', (byte) 0xC3, (byte) 0x28, '}'}, 1, false);
        c.publish(Topics.of(ST, Channel.COMMAND_RESULT), "{\"v\":2,\"ts\":5,\"id\":\"x\",\"ok\":true}"
                .getBytes(StandardCharsets.UTF_8), 1, false);
        c.publish(Topics.root(ST) + "unknown", "{}".getBytes(StandardCharsets.UTF_8), 1, false);
        publish(c, ST, Channel.HEARTBEAT, heartbeat(9));

        assertThat(c.isConnected()).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(hub.timeSeries.heartbeats).extracting(Heartbeat::seq).containsExactly(9L));
        assertThat(hub.rejected("malformed")).isEqualTo(2);
        assertThat(hub.rejected("missing")).isEqualTo(1);
        assertThat(hub.rejected("version")).isEqualTo(1);
        assertThat(hub.rejected("topic")).isEqualTo(1);
        JsonArray dead = await(hub.deadLetters.list(10));
        assertThat(dead).hasSize(5);
        JsonObject oldest = dead.getJsonObject(4);
        assertThat(oldest.getString("topic")).isEqualTo(Topics.of(ST, Channel.EVENTS));
        assertThat(oldest.getString("payload")).isEqualTo("not json");
        assertThat(oldest.getString("error")).contains("JSON object");
        assertThat(oldest.getString("stationId")).isEqualTo(ST);
        assertThat(dead.getJsonObject(3).getString("error")).contains("seq");
    }

    @Test
    void closesTheConnectionOnAnOversizedPacket() throws Exception {
        MqttClient c = connect(ST, secret, 1, 30);
        AtomicBoolean lost = new AtomicBoolean();
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.set(true);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        byte[] big = new byte[300 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        try {
            c.publish(Topics.of(ST, Channel.EVENTS), big, 1, false);
        } catch (MqttException expected) {
            // the hub closed the connection before acknowledging
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(lost).isTrue();
            assertThat(hub.rejected("too-large")).isEqualTo(1);
            assertThat(hub.ingest.presence(ST)).get()
                    .satisfies(p -> assertThat(p.state()).isEqualTo("offline"));
        });
        JsonObject page = await(hub.events.list(Optional.empty(), Optional.empty(), Optional.empty(), 10));
        assertThat(page.getJsonArray("events")).isEmpty();
    }

    @Test
    void deliversADispatchedCommandAndRecordsItsResult() throws Exception {
        JsonObject waiting = await(hub.commands.create(ST, "charger.stop", new JsonObject().put("port", 2), 60_000, "op"));
        MqttClient c = connect(ST, secret, 1, 30);
        List<Command> received = new CopyOnWriteArrayList<>();
        c.subscribe(Topics.of(ST, Channel.COMMAND), 1, (topic, msg) ->
                received.add(Codec.decode(Channel.COMMAND, msg.getPayload(), Command.class)));
        // The command stored while the station was away arrives when it subscribes.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(received).extracting(Command::id).containsExactly(waiting.getString("id")));

        JsonObject created = await(hub.commands.create(ST, "door.unlock", new JsonObject().put("seconds", 5), 30_000, "op"));
        String id = created.getString("id");
        hub.vertx.eventBus().send(Bus.COMMAND_DISPATCH, id);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(received).extracting(Command::id).contains(id);
            assertThat(await(hub.commands.get(id))).get()
                    .satisfies(cmd -> assertThat(cmd.getString("status")).isEqualTo(CommandStore.DELIVERED));
        });
        Command got = received.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        assertThat(got.name()).isEqualTo("door.unlock");
        assertThat(got.args().getInteger("seconds")).isEqualTo(5);

        publish(c, ST, Channel.COMMAND_RESULT, CommandResult.ok(System.currentTimeMillis(), id).toJson());
        JsonObject done = await(hub.commands.get(id)).orElseThrow();
        assertThat(done.getString("status")).isEqualTo(CommandStore.SUCCEEDED);
        assertThat(done.getJsonObject("result").getBoolean("ok")).isTrue();
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(hub.live("command"))
                .anySatisfy(m -> assertThat(m.getJsonObject("data").getString("status")).isEqualTo("succeeded")));

        // A result for another station's command is not recorded.
        JsonObject other = await(hub.commands.create("st-002", "selftest.run", new JsonObject(), 30_000, "op"));
        publish(c, ST, Channel.COMMAND_RESULT,
                CommandResult.failed(System.currentTimeMillis(), other.getString("id"), "x", "y").toJson());
        assertThat(await(hub.commands.get(other.getString("id")))).get()
                .satisfies(cmd -> assertThat(cmd.getString("status")).isEqualTo(CommandStore.PENDING));
    }

    @Test
    void expiresACommandNobodyTookAndSaysSoLive() {
        JsonObject created = await(hub.commands.create(ST, "door.unlock", new JsonObject(), 300, "op"));
        hub.vertx.eventBus().send(Bus.COMMAND_DISPATCH, created.getString("id"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(await(hub.commands.get(created.getString("id")))).get()
                    .satisfies(cmd -> assertThat(cmd.getString("status")).isEqualTo(CommandStore.EXPIRED));
            assertThat(hub.live("command")).anySatisfy(m ->
                    assertThat(m.getJsonObject("data").getString("status")).isEqualTo("expired"));
        });
    }

    @Test
    void aNewConnectionWithTheSameClientIdReplacesTheOld() throws Exception {
        MqttClient first = connect(ST, secret, 1, 30);
        MqttClient second = connect(ST, secret, 2, 30);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(first.isConnected()).isFalse());
        assertThat(second.isConnected()).isTrue();
        assertThat(hub.ingest.presence(ST)).get().satisfies(p -> assertThat(p.state()).isEqualTo("online"));
    }

    @Test
    void deliversTheRetainedConfigOnSubscribe() throws Exception {
        JsonObject config = new JsonObject().put("version", 8).put("heartbeatSeconds", 10);
        assertThat(await(hub.ingest.publishConfig(ST, config))).as("nobody listening yet").isFalse();
        MqttClient c = connect(ST, secret, 1, 30);
        List<JsonObject> got = new CopyOnWriteArrayList<>();
        List<Boolean> retained = new CopyOnWriteArrayList<>();
        c.subscribe(Topics.ROOT + ST + "/#", 1, (topic, msg) -> {
            got.add(new JsonObject(new String(msg.getPayload(), StandardCharsets.UTF_8)));
            retained.add(msg.isRetained());
        });
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(got).singleElement()
                .satisfies(m -> {
                    assertThat(m.getInteger("version")).isEqualTo(8);
                    assertThat(m.getJsonObject("config").getInteger("heartbeatSeconds")).isEqualTo(10);
                }));
        assertThat(retained).containsExactly(true);
        assertThat(await(hub.ingest.publishConfig(ST, config.copy().put("version", 9)))).isTrue();
        assertThat(got).hasSize(2);
    }
}
