package org.yizhan.e2e;

import com.pi4j.io.gpio.digital.DigitalState;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Telemetry;
import org.yizhan.protocol.Topics;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * Room loads from the station to the operator: a real hub and a simulated agent on loopback, the agent configured with
 * lights and air conditioning on relays. The agent reports the loads in its telemetry and the hub's station API shows
 * them; a load reported off (for the night) is shown off, and a station that reports none shows {@code null}.
 */
@ExtendWith(VertxExtension.class)
class RoomLoadsIT {

    @TempDir
    Path dir;
    private TestHub hub;
    private Vertx vertx;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        this.vertx = vertx;
        hub = TestHub.start(vertx, dir.resolve("hub"));
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
    }

    private JsonObject station(String id) throws Exception {
        return hub.call("GET", "/api/v1/stations/" + id, hub.adminToken(), null);
    }

    @Test
    void aStationReportsItsLoadsAndTheHubShowsThem() throws Exception {
        StationConfig provisioned = hub.provision(hub.adminToken(), TestHub.station("夜间节能站"));
        StationConfig config = provisioned.withRoomLoads(new StationConfig.RoomLoads(List.of(
                new StationConfig.Load("lights", 18, false, true),
                new StationConfig.Load("air-conditioner", 7, true, false)), "23:00-06:00", 20));
        TestAgent agent = hub.connectedAgent(config, dir.resolve("agent"));

        // a room just emptied is lit by day and by night until the delay has run out: both loads are on
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(station(config.stationId()).getValue("loads")).as("loads in the station API")
                        .isInstanceOf(JsonArray.class));
        JsonArray loads = station(config.stationId()).getJsonArray("loads");
        assertThat(loads.stream().map(o -> ((JsonObject) o).getString("name")).toList())
                .containsExactly("lights", "air-conditioner");
        assertThat(loads.stream().map(o -> ((JsonObject) o).getBoolean("on")).toList()).containsOnly(true);
        JsonArray agentLoads = agent.status().getJsonObject("roomLoads").getJsonArray("loads");
        assertThat(loads.getJsonObject(0).getLong("since")).as("since, as the station says")
                .isEqualTo(agentLoads.getJsonObject(0).getLong("since")).isPositive();
        assertThat(TestAgent.state(agent.hardware().orElseThrow().loadRelays().get("lights")))
                .as("lights on the normally-closed contact: relay at rest").isEqualTo(DigitalState.LOW);
        assertThat(TestAgent.state(agent.hardware().orElseThrow().loadRelays().get("air-conditioner")))
                .as("air conditioning on the normally-open contact of an active-low relay: energised, LOW")
                .isEqualTo(DigitalState.LOW);
    }

    @Test
    void aLoadReportedOffIsShownOffAndAStationWithoutLoadsShowsNone() throws Exception {
        StationConfig provisioned = hub.provision(hub.adminToken(), TestHub.station("无电器站"));
        String id = provisioned.stationId();
        assertThat(station(id).containsKey("loads")).isTrue();
        assertThat(station(id).getValue("loads")).as("nothing reported yet").isNull();

        MqttClient station = MqttClient.create(vertx, new MqttClientOptions().setClientId(id)
                .setUsername(provisioned.mqtt().username()).setPassword(provisioned.mqtt().password()));
        get(station.connect(hub.app().mqttPort(), "127.0.0.1"));
        try {
            long off = System.currentTimeMillis() - 60_000;
            Telemetry t = new Telemetry(System.currentTimeMillis(), Optional.of(new Telemetry.Occupancy(0, 20)),
                    Optional.empty(), List.of(), Optional.empty(),
                    List.of(new Telemetry.Load("lights", false, off), new Telemetry.Load("water-heater", true, 1000)));
            get(station.publish(Topics.of(id, Channel.TELEMETRY), Codec.encode(t), MqttQoS.AT_MOST_ONCE, false,
                    false));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(station(id).getJsonArray("loads")).isEqualTo(new JsonArray()
                            .add(new JsonObject().put("name", "lights").put("on", false).put("since", off))
                            .add(new JsonObject().put("name", "water-heater").put("on", true).put("since", 1000))));
        } finally {
            get(station.disconnect());
        }
    }
}
