package org.yizhan.hub.mqtt;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yizhan.hub.presence.Presence;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Topics;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.hub.mqtt.MqttEndpointFixture.await;
import static org.yizhan.hub.mqtt.MqttEndpointFixture.publish;

@ExtendWith(VertxExtension.class)
class PresenceOverMqttIT {

    private static final String ST = "st-010";
    private MqttEndpointFixture hub;
    private final List<MqttClient> clients = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
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
        for (Socket s : sockets) {
            s.close();
        }
        hub.close();
    }

    private MqttClient connect(String secret, long session, int keepAlive) throws MqttException {
        MqttClient c = hub.connect(ST, secret, session, keepAlive);
        clients.add(c);
        publish(c, ST, Channel.STATE, StateMessage.birth(System.currentTimeMillis(), session, "test", 1).toJson());
        return c;
    }

    private String presenceState() {
        return hub.ingest.presence(ST).map(Presence::state).orElse("none");
    }

    private JsonArray alerts(boolean openOnly) {
        return await(hub.alerts.list(Optional.of(ST), openOnly, 10));
    }

    @Test
    void flagsAStationKilledWithoutDisconnectOfflineAndRaisesAnAlert(Vertx vertx) throws Exception {
        hub = MqttEndpointFixture.open(vertx);
        String secret = hub.station(ST, 10);
        hub.start(0);
        MqttClient c = connect(secret, 1, 2);
        await().atMost(Duration.ofSeconds(2)).until(() -> presenceState().equals("online"));

        c.disconnectForcibly(0, 0, false);

        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(hub.ingest.presence(ST)).get().satisfies(p -> {
                assertThat(p.state()).isEqualTo("offline");
                assertThat(p.reason()).contains("lost");
                assertThat(p.since()).isPresent();
            });
            assertThat(alerts(true)).singleElement().satisfies(a -> {
                JsonObject alert = (JsonObject) a;
                assertThat(alert.getString("type")).isEqualTo("offline");
                assertThat(alert.getJsonObject("data").getLong("since")).isPositive();
            });
        });
        assertThat(hub.timeSeries.presence).extracting(RecordingTimeSeries.PresencePoint::online).containsExactly(true, false);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(hub.live("presence")).last()
                    .satisfies(m -> assertThat(m.getJsonObject("data").getString("state")).isEqualTo("offline"));
            assertThat(hub.live("alert")).singleElement()
                    .satisfies(m -> assertThat(m.getJsonObject("data").getValue("closedAt")).isNull());
        });
    }

    @Test
    void flagsAHalfOpenConnectionOfflineWithinOneAndAHalfKeepAlives(Vertx vertx) throws Exception {
        hub = MqttEndpointFixture.open(vertx);
        String secret = hub.station(ST, 60);
        hub.start(0);
        Socket s = new Socket("127.0.0.1", hub.ingest.actualPort());
        sockets.add(s);
        s.getOutputStream().write(connectPacket(ST, secret, 2,
                StateMessage.will(System.currentTimeMillis(), 1, "raw", 1).toJson().encode()));
        s.getOutputStream().flush();
        byte[] connack = new byte[4];
        new DataInputStream(s.getInputStream()).readFully(connack);
        assertThat(connack).containsExactly(0x20, 0x02, 0x00, 0x00);
        // CONNACK goes out before the presence change is applied on the event loop.
        await().atMost(Duration.ofSeconds(1)).until(() -> presenceState().equals("online"));
        // measured on the hub's clock: this thread may read the CONNACK late on a busy machine
        long onlineSince = hub.ingest.presence(ST).orElseThrow().since().orElseThrow();

        // The client now says nothing at all, not even PINGREQ, but keeps the socket open.
        await().atMost(Duration.ofSeconds(5)).until(() -> presenceState().equals("offline"));
        long after = hub.ingest.presence(ST).orElseThrow().since().orElseThrow() - onlineSince;
        assertThat(after).as("offline after 1.5 x keep-alive (3 s), not before").isBetween(2500L, 4500L);
        assertThat(hub.ingest.presence(ST).orElseThrow().reason()).contains("lost");
        InputStream in = s.getInputStream();
        assertThat(in.read()).as("the hub closed the socket").isEqualTo(-1);
    }

    @Test
    void flagsAStationThatStopsPublishingAndClosesTheAlertWithTheOutage(Vertx vertx) throws Exception {
        hub = MqttEndpointFixture.open(vertx);
        String secret = hub.station(ST, 1);
        hub.start(0);
        MqttClient c = connect(secret, 1, 60);
        long start = System.currentTimeMillis();

        await().atMost(Duration.ofSeconds(5)).until(() -> presenceState().equals("offline"));
        assertThat(System.currentTimeMillis() - start).as("3 x heartbeat of 1 s").isBetween(2500L, 4500L);
        assertThat(hub.ingest.presence(ST).orElseThrow().reason()).contains("silent");
        assertThat(c.isConnected()).as("the link itself is still up").isTrue();
        await().atMost(Duration.ofSeconds(2)).until(() -> alerts(true).size() == 1);

        publish(c, ST, Channel.HEARTBEAT, new Heartbeat(System.currentTimeMillis(), 1, 10, 0).toJson());

        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(presenceState()).isEqualTo("online");
            assertThat(alerts(true)).isEmpty();
            JsonObject closed = alerts(false).getJsonObject(0);
            assertThat(closed.getLong("closedAt")).isNotNull();
            assertThat(closed.getJsonObject("data").getLong("outageMillis")).isBetween(1L, 10_000L);
            assertThat(hub.live("alert")).hasSize(2).last()
                    .satisfies(m -> assertThat(m.getJsonObject("data").getLong("closedAt")).isNotNull());
        });
    }

    @Test
    void ignoresALateWillFromAnOldSessionAfterReconnect(Vertx vertx) throws Exception {
        hub = MqttEndpointFixture.open(vertx);
        String secret = hub.station(ST, 10);
        hub.start(0);
        MqttClient first = connect(secret, 1, 30);
        MqttClient second = connect(secret, 2, 30);
        await().atMost(Duration.ofSeconds(3)).until(() -> !first.isConnected());

        publish(second, ST, Channel.STATE, StateMessage.will(System.currentTimeMillis(), 1, "test", 1).toJson());
        publish(second, ST, Channel.HEARTBEAT, new Heartbeat(System.currentTimeMillis(), 1, 10, 0).toJson());
        await().atMost(Duration.ofSeconds(2)).until(() -> hub.timeSeries.heartbeats.size() == 1);
        assertThat(presenceState()).as("a will of session 1 after the birth of session 2").isEqualTo("online");
        assertThat(hub.timeSeries.presence).extracting(RecordingTimeSeries.PresencePoint::online).containsExactly(true);
        assertThat(alerts(false)).isEmpty();

        // The shutdown notice of the current session applies; a clean stop does not page at once.
        publish(second, ST, Channel.STATE, StateMessage.shutdown(System.currentTimeMillis(), 2, "test", 1).toJson());
        second.disconnect();
        await().atMost(Duration.ofSeconds(2)).until(() -> presenceState().equals("offline"));
        assertThat(hub.ingest.presence(ST).orElseThrow().reason()).contains("shutdown");
        assertThat(alerts(false)).as("alert waits 3 x heartbeat after a clean shutdown").isEmpty();
    }

    @Test
    void waitsForTheStartupGraceThenFlagsStationsThatDidNotReturn(Vertx vertx) throws Exception {
        hub = MqttEndpointFixture.open(vertx);
        hub.station(ST, 1);
        String backSecret = hub.station("st-011", 1);
        long before = System.currentTimeMillis() - 60_000;
        await(hub.db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE stations SET presence_state = 'online', presence_since = ?, last_seen = ?")) {
                ps.setLong(1, before);
                ps.setLong(2, before);
                ps.executeUpdate();
            }
            return null;
        }));
        hub.start(2);
        long start = System.currentTimeMillis();
        assertThat(presenceState()).as("still online as before the restart").isEqualTo("online");
        MqttClient back = hub.connect("st-011", backSecret, 5, 30);
        clients.add(back);

        await().atMost(Duration.ofSeconds(5)).until(() -> presenceState().equals("offline"));
        assertThat(System.currentTimeMillis() - start).as("not during the 2 s grace").isGreaterThanOrEqualTo(1900L);
        assertThat(hub.ingest.presence(ST).orElseThrow().since()).hasValue(before);
        await().atMost(Duration.ofSeconds(2)).until(() -> alerts(true).size() == 1);
        assertThat(hub.ingest.presence("st-011")).get()
                .satisfies(p -> assertThat(p.state()).isEqualTo("online"));
        assertThat(hub.timeSeries.presence).extracting(RecordingTimeSeries.PresencePoint::stationId)
                .as("st-011 never flipped").containsExactly(ST);
    }

    /** An MQTT 3.1.1 CONNECT with username, password, clean session and a QoS 1 retained will on the state topic. */
    private static byte[] connectPacket(String clientId, String password, int keepAlive, String will) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(4);
        body.write(0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02);
        body.write(keepAlive >> 8);
        body.write(keepAlive & 0xFF);
        writeString(body, clientId);
        writeString(body, Topics.of(clientId, Channel.STATE));
        writeString(body, will);
        writeString(body, clientId);
        writeString(body, password);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x10);
        int len = b.length;
        do {
            int digit = len % 128;
            len /= 128;
            out.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }
}
