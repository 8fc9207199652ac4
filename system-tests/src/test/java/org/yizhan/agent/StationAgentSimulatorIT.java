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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Drives a simulated station through its local HTTP simulator API; the uplink has no hub to reach. */
@ExtendWith(VertxExtension.class)
class StationAgentSimulatorIT {

    @TempDir
    Path dir;
    private TestAgent agent;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        // port 9 (discard) on loopback refuses: the agent runs offline and keeps retrying in the background
        agent = TestAgent.start(vertx, TestAgent.config("st-sim", 9, 2, 2), dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        agent.stop();
    }

    private HttpResponse<Buffer> post(String path, String body) throws Exception {
        return agent.post(path, body);
    }

    private JsonObject status() throws Exception {
        return agent.status();
    }

    @Test
    void writesPortsFileAndReportsStatus() throws Exception {
        JsonObject ports = new JsonObject(Files.readString(dir.resolve("ports.json"), StandardCharsets.UTF_8));
        assertThat(ports.getInteger("http")).isEqualTo(agent.httpPort()).isPositive();
        JsonObject s = status();
        assertThat(s.getString("stationId")).isEqualTo("st-sim");
        assertThat(s.getJsonObject("door").getMap()).containsEntry("open", false).containsEntry("locked", true);
        assertThat(s.getJsonObject("occupancy").getMap()).containsEntry("count", 0).containsEntry("capacity", 2);
        assertThat(s.getJsonArray("chargers")).hasSize(2);
        assertThat(s.getJsonArray("chargers").getJsonObject(0).getString("state")).isEqualTo("available");
        assertThat(s.getJsonObject("uplink").getBoolean("connected")).isFalse();
        assertThat(s.getInteger("outbox")).isZero();
        assertThat(s.containsKey("lastAccess")).isTrue();
        assertThat(s.getValue("lastAccess")).isNull();
    }

    @Test
    void countsPeopleInAndOutAndNeverBelowZero() throws Exception {
        assertThat(post("/sim/beam", "{\"direction\":\"out\"}").statusCode()).isEqualTo(200);
        post("/sim/beam", "{\"direction\":\"in\"}");
        post("/sim/beam", "{\"direction\":\"in\"}");
        await().atMost(Duration.ofSeconds(3))
                .until(() -> status().getJsonObject("occupancy").getInteger("count") == 2);
        // reaching capacity raises occupancy.full (it waits in the outbox while offline), with the door events none
        await().atMost(Duration.ofSeconds(3)).until(() -> agent.outboxSize() == 1);
        post("/sim/beam", "{\"direction\":\"out\"}");
        post("/sim/beam", "{\"direction\":\"out\"}");
        post("/sim/beam", "{\"direction\":\"out\"}");
        await().atMost(Duration.ofSeconds(3))
                .until(() -> status().getJsonObject("occupancy").getInteger("count") == 0);
        post("/sim/beam", "{\"direction\":\"in\"}");
        await().atMost(Duration.ofSeconds(3))
                .until(() -> status().getJsonObject("occupancy").getInteger("count") == 1);
    }

    @Test
    void exitButtonUnlocksTheDoorForAPulse() throws Exception {
        Relay relay = agent.hardware().orElseThrow().doorRelay();
        assertThat(post("/sim/exit-button", "").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> TestAgent.state(relay) == DigitalState.HIGH);
        assertThat(status().getJsonObject("door").getBoolean("locked")).isFalse();
    }

    @Test
    void smokeAlarmOpensEveryChargerRelay() throws Exception {
        var relays = agent.hardware().orElseThrow().chargerRelays();
        assertThat(relays.values()).allMatch(r -> TestAgent.state(r) == DigitalState.LOW);
        post("/sim/charger/1", "{\"plugged\":true,\"powerW\":180}");
        post("/sim/charger/2", "{\"plugged\":true,\"powerW\":150,\"tempC\":31}");
        await().atMost(Duration.ofSeconds(5)).until(() ->
                relays.values().stream().allMatch(r -> TestAgent.state(r) == DigitalState.HIGH)
                        && "charging".equals(status().getJsonArray("chargers").getJsonObject(1).getString("state")));
        assertThat(post("/sim/smoke", "{\"alarm\":true}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() ->
                relays.values().stream().allMatch(r -> TestAgent.state(r) == DigitalState.LOW));
        JsonObject s = status();
        assertThat(s.getBoolean("smokeAlarm")).isTrue();
        assertThat(s.getJsonArray("chargers").stream().map(o -> ((JsonObject) o).getString("state")))
                .containsOnly("faulted");
    }

    @Test
    void chargerGoesOccupiedChargingAndBackToAvailable() throws Exception {
        post("/sim/charger/1", "{\"plugged\":true,\"powerW\":0}");
        await().atMost(Duration.ofSeconds(4)).until(() -> "occupied".equals(port1().getString("state")));
        post("/sim/charger/1", "{\"powerW\":120}");
        await().atMost(Duration.ofSeconds(4)).until(() -> "charging".equals(port1().getString("state")));
        post("/sim/charger/1", "{\"plugged\":false}");
        await().atMost(Duration.ofSeconds(4)).until(() -> "available".equals(port1().getString("state")));
        assertThat(agent.outboxSize()).as("session_started and session_ended kept").isEqualTo(2);
    }

    private JsonObject port1() throws Exception {
        return status().getJsonArray("chargers").getJsonObject(0);
    }

    @Test
    void rejectsMalformedSimulatorBodiesWith400() throws Exception {
        String[][] cases = {
                {"/sim/beam", "{"}, {"/sim/beam", "{\"direction\":\"up\"}"}, {"/sim/beam", "[1,2]"},
                {"/sim/door", "{\"open\":\"yes\"}"}, {"/sim/smoke", "{}"},
                {"/sim/charger/1", "{\"powerW\":-5}"}, {"/sim/charger/1", "{\"plugged\":1}"},
                {"/sim/charger/x", "{}"},
        };
        for (String[] c : cases) {
            HttpResponse<Buffer> r = post(c[0], c[1]);
            assertThat(r.statusCode()).as("%s %s", c[0], c[1]).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("bad-request");
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).isNotBlank();
        }
        assertThat(post("/sim/charger/99", "{}").statusCode()).isEqualTo(404);
        assertThat(status().getJsonObject("rejected").getLong("http")).isEqualTo(cases.length);
        assertThat(status().getJsonObject("occupancy").getInteger("count")).isZero();
    }
}
