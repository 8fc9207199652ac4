package org.yizhan.agent;

import org.yizhan.testing.TestAgent;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.config.StationConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.testing.Futures.get;

/**
 * Charging sessions and cut-offs driven through the simulator API with the uplink down (the hub is unreachable),
 * on a station whose rules are shortened for tests: full after 1 s under 30 W, 1 s of float, a 400 W cabinet
 * with 150 W reserved per new session, two sessions per member a day. Events are read from the outbox.
 */
@ExtendWith(VertxExtension.class)
class ChargerSafetyIT {

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestAgent agent;

    static StationConfig fastConfig(String id, int mqttPort) throws Exception {
        JsonObject j = TestAgent.config(id, mqttPort, 2, 5).toJson();
        j.getJsonObject("charger").put("fullAfterSeconds", 1).put("floatMaxSeconds", 1).put("cabinetMaxW", 400)
                .put("cabinetReserveW", 150).put("dailySessions", 2);
        return StationConfig.parse(j);
    }

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        this.vertx = vertx;
        startAgent();
    }

    private void startAgent() throws Exception {
        agent = TestAgent.start(vertx, fastConfig("st-safe", 9), dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        agent.stop();
    }

    private JsonObject charger(int port, JsonObject body) throws Exception {
        HttpResponse<Buffer> r = agent.post("/sim/charger/" + port, body.encode());
        assertThat(r.statusCode()).as("sim answer %s", r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private JsonObject port(int n) throws Exception {
        JsonObject s = agent.status();
        return s.getJsonArray("chargers").getJsonObject(n - 1);
    }

    private Relay relay(int n) {
        return agent.hardware().orElseThrow().chargerRelays().get(n);
    }

    /** Events waiting in the outbox, oldest first. */
    private List<JsonObject> events() throws Exception {
        List<JsonObject> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db").toAbsolutePath());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type, data FROM events ORDER BY seq")) {
            while (rs.next()) {
                out.add(new JsonObject().put("type", rs.getString(1)).put("data", new JsonObject(rs.getString(2))));
            }
        }
        return out;
    }

    private List<JsonObject> events(String type) throws Exception {
        return events().stream().filter(e -> type.equals(e.getString("type")))
                .map(e -> e.getJsonObject("data")).toList();
    }

    private void plugAndCharge(int port, double watts, String member) throws Exception {
        JsonObject r = charger(port, new JsonObject().put("plugged", true).put("powerW", watts).put("member", member));
        assertThat(r.getJsonObject("session")).as("session started: %s", r).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> "charging".equals(port(port).getString("state")));
        assertThat(TestAgent.state(relay(port))).isEqualTo(DigitalState.HIGH);
    }

    @Test
    void batteryUnderThresholdFinishesThenEndsAsFullAndOpensTheRelay() throws Exception {
        plugAndCharge(1, 350, "m-full");
        await().atMost(Duration.ofSeconds(5)).until(() -> port(1).getDouble("energyWh") >= 0.1);
        charger(1, new JsonObject().put("powerW", 20));
        await().atMost(Duration.ofSeconds(6)).until(() -> "finishing".equals(port(1).getString("state")));
        await().atMost(Duration.ofSeconds(6)).until(() -> !events("charger.session_ended").isEmpty());
        JsonObject ended = events("charger.session_ended").get(0);
        assertThat(ended.getString("reason")).isEqualTo("full");
        assertThat(ended.getString("member")).isEqualTo("m-full");
        assertThat(ended.getInteger("port")).isEqualTo(1);
        assertThat(ended.getDouble("energyWh")).isGreaterThanOrEqualTo(0.1);
        assertThat(ended.getLong("endedAt")).isGreaterThan(ended.getLong("startedAt"));
        assertThat(ended.getString("sessionId"))
                .isEqualTo(events("charger.session_started").get(0).getString("sessionId"));
        await().atMost(Duration.ofSeconds(3)).until(() -> TestAgent.state(relay(1)) == DigitalState.LOW);
        assertThat(port(1).getString("state")).as("bike still plugged, no session").isEqualTo("occupied");
        charger(1, new JsonObject().put("plugged", false));
        assertThat(port(1).getString("state")).isEqualTo("available");
    }

    @Test
    void unpluggingEndsTheSessionAsUnplugged() throws Exception {
        plugAndCharge(2, 150, "m-unplug");
        charger(2, new JsonObject().put("plugged", false));
        assertThat(port(2).getString("state")).isEqualTo("available");
        await().atMost(Duration.ofSeconds(3)).until(() -> TestAgent.state(relay(2)) == DigitalState.LOW);
        await().atMost(Duration.ofSeconds(3)).until(() -> !events("charger.session_ended").isEmpty());
        assertThat(events("charger.session_ended").get(0).getString("reason")).isEqualTo("unplugged");
    }

    @Test
    void overTemperatureOpensTheRelayBeforeTheReadingIsAnsweredAndFaultsThePort() throws Exception {
        plugAndCharge(1, 180, "m-hot");
        charger(1, new JsonObject().put("tempC", 75));
        assertThat(TestAgent.state(relay(1))).as("relay open when the pushed reading is answered")
                .isEqualTo(DigitalState.LOW);
        assertThat(port(1).getString("state")).isEqualTo("faulted");
        assertThat(port(1).getString("fault")).isEqualTo("over-temperature");
        await().atMost(Duration.ofSeconds(3)).until(() -> events("charger.safety_cutoff").size() == 1
                && events("charger.session_ended").size() == 1);
        JsonObject cut = events("charger.safety_cutoff").get(0);
        assertThat(cut.getInteger("port")).isEqualTo(1);
        assertThat(cut.getString("cause")).isEqualTo("over-temperature");
        assertThat(cut.getJsonObject("reading").getDouble("tempC")).isEqualTo(75.0);
        assertThat(cut.getLong("cutoffMicros")).isNotNegative();
        assertThat(events("charger.session_ended").get(0).getString("reason")).isEqualTo("safety-cutoff");
        // cooling down does not clear the fault by itself, and no session can start
        JsonObject again = charger(1, new JsonObject().put("tempC", 30).put("plugged", true));
        assertThat(again.getJsonObject("refused").getString("code")).isEqualTo("faulted");
        assertThat(port(1).getString("state")).isEqualTo("faulted");
        assertThat(TestAgent.state(relay(1))).isEqualTo(DigitalState.LOW);
        assertThat(port(2).getString("state")).as("the other port is untouched").isEqualTo("available");
    }

    @Test
    void overcurrentCutsOffThePort() throws Exception {
        plugAndCharge(2, 180, "m-amps");
        charger(2, new JsonObject().put("currentA", 7.5));
        assertThat(TestAgent.state(relay(2))).isEqualTo(DigitalState.LOW);
        assertThat(port(2).getString("fault")).isEqualTo("overcurrent");
    }

    @Test
    void smokeOpensEveryRelayAndEndsEverySessionAsSafetyCutoff() throws Exception {
        plugAndCharge(1, 120, "m-s1");
        plugAndCharge(2, 120, "m-s2");
        assertThat(agent.post("/sim/smoke", new JsonObject().put("alarm", true).encode()).statusCode()).isEqualTo(200);
        assertThat(TestAgent.state(relay(1))).as("open by the time the input is set").isEqualTo(DigitalState.LOW);
        assertThat(TestAgent.state(relay(2))).isEqualTo(DigitalState.LOW);
        await().atMost(Duration.ofSeconds(3)).until(() -> events("smoke.alarm").size() == 1
                && events("charger.session_ended").size() == 2);
        assertThat(events("smoke.alarm").get(0).getJsonArray("portsCutOff").getList()).containsExactly(1, 2);
        assertThat(events("charger.session_ended")).allMatch(e -> "safety-cutoff".equals(e.getString("reason")));
        agent.post("/sim/smoke", new JsonObject().put("alarm", false).encode());
        await().atMost(Duration.ofSeconds(3)).until(() -> events("smoke.alarm").size() == 2);
        assertThat(port(1).getString("state")).as("faulted until an operator clears it").isEqualTo("faulted");
    }

    @Test
    void meterThatStopsAnsweringFaultsItsPort() throws Exception {
        plugAndCharge(1, 180, "m-meter");
        charger(1, new JsonObject().put("meterSilent", true));
        assertThat(TestAgent.state(relay(1))).isEqualTo(DigitalState.LOW);
        assertThat(port(1).getString("state")).isEqualTo("faulted");
        assertThat(port(1).getString("fault")).isEqualTo("meter-failed");
        await().atMost(Duration.ofSeconds(3)).until(() -> events("charger.safety_cutoff").size() == 1);
        assertThat(events("charger.safety_cutoff").get(0).getJsonObject("reading").getString("error"))
                .contains("does not answer");
    }

    @Test
    void cabinetNearItsLimitRefusesANewSession() throws Exception {
        plugAndCharge(1, 300, "m-big");
        await().atMost(Duration.ofSeconds(3)).until(() -> port(1).getDouble("powerW") >= 299);
        JsonObject r = charger(2, new JsonObject().put("plugged", true).put("powerW", 100).put("member", "m-next"));
        assertThat(r.getJsonObject("session")).isNull();
        assertThat(r.getJsonObject("refused").getString("code")).isEqualTo("cabinet-limit");
        assertThat(port(2).getString("state")).isEqualTo("occupied");
        assertThat(TestAgent.state(relay(2))).isEqualTo(DigitalState.LOW);
    }

    @Test
    void dailyQuotaHoldsAcrossARestart() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertThat(charger(1, new JsonObject().put("plugged", true).put("member", "m-quota"))
                    .getJsonObject("session")).isNotNull();
            charger(1, new JsonObject().put("plugged", false));
        }
        JsonObject third = charger(1, new JsonObject().put("plugged", true).put("member", "m-quota"));
        assertThat(third.getJsonObject("refused").getString("code")).isEqualTo("quota-exceeded");
        charger(1, new JsonObject().put("plugged", false));
        agent.stop();
        startAgent();
        JsonObject afterRestart = charger(1, new JsonObject().put("plugged", true).put("member", "m-quota"));
        assertThat(afterRestart.getJsonObject("refused").getString("code")).isEqualTo("quota-exceeded");
        assertThat(charger(2, new JsonObject().put("plugged", true).put("member", "m-other"))
                .getJsonObject("session")).as("another member is not affected").isNotNull();
    }
}
