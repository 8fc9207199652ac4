package org.yizhan.agent;

import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestBroker;
import com.pi4j.io.gpio.digital.DigitalState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.protocol.Topics;
import org.yizhan.protocol.Ulid;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.agent.StationAgentUplinkIT.command;
import static org.yizhan.testing.Futures.get;

/** charger.start, charger.stop and charger.enable from the hub over the real MQTT test endpoint. */
@ExtendWith(VertxExtension.class)
class ChargerCommandIT {

    private static final String ID = "st-cmd";

    @TempDir
    Path dir;
    private TestBroker broker;
    private TestAgent agent;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        broker = new TestBroker();
        int port = get(broker.start(vertx));
        agent = TestAgent.start(vertx, ChargerSafetyIT.fastConfig(ID, port), dir);
        agent.awaitUplink();
    }

    @AfterEach
    void tearDown() throws Exception {
        agent.stop();
        get(broker.close());
    }

    private JsonObject run(String name, JsonObject args) {
        String id = Ulid.next();
        broker.send(Topics.root(ID) + "cmd", command(id, name, args, System.currentTimeMillis() + 30_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> result(id) != null);
        return result(id);
    }

    private JsonObject result(String id) {
        return broker.on("cmd/res").stream().map(TestBroker.Received::payload)
                .filter(p -> id.equals(p.getString("id"))).findFirst().orElse(null);
    }

    private void sim(int port, JsonObject body) throws Exception {
        assertThat(agent.post("/sim/charger/" + port, body.encode())
                .statusCode()).isEqualTo(200);
    }

    private String state(int port) throws Exception {
        return agent.status()
                .getJsonArray("chargers").getJsonObject(port - 1).getString("state");
    }

    private DigitalState relay(int port) {
        return agent.chargerRelay(port);
    }

    @Test
    void startsASessionForTheMemberAndTheRiderStopsIt() throws Exception {
        sim(1, new JsonObject().put("plugged", true).put("powerW", 120).put("startSession", false));
        assertThat(state(1)).isEqualTo("occupied");
        assertThat(relay(1)).as("no session, no power").isEqualTo(DigitalState.LOW);
        JsonObject started = run("charger.start", new JsonObject().put("port", 1).put("member", "m-7f3a"));
        assertThat(started.getBoolean("ok")).as("%s", started).isTrue();
        assertThat(started.getJsonObject("data").getString("member")).isEqualTo("m-7f3a");
        String sessionId = started.getJsonObject("data").getString("sessionId");
        assertThat(Ulid.isValid(sessionId)).isTrue();
        assertThat(relay(1)).isEqualTo(DigitalState.HIGH);
        JsonObject busy = run("charger.start", new JsonObject().put("port", 1).put("member", "m-other"));
        assertThat(busy.getJsonObject("error").getString("code")).isEqualTo("busy");
        JsonObject stop = run("charger.stop", new JsonObject().put("port", 1).put("by", "rider"));
        assertThat(stop.getBoolean("ok")).isTrue();
        assertThat(stop.getJsonObject("data").getString("sessionId")).isEqualTo(sessionId);
        assertThat(relay(1)).isEqualTo(DigitalState.LOW);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.events().stream()
                .anyMatch(e -> "charger.session_ended".equals(e.getString("type"))));
        JsonObject ended = broker.events().stream().filter(e -> "charger.session_ended".equals(e.getString("type")))
                .findFirst().orElseThrow().getJsonObject("data");
        assertThat(ended.getString("reason")).isEqualTo("stopped-by-rider");
        assertThat(ended.getString("sessionId")).isEqualTo(sessionId);
        assertThat(run("charger.start", new JsonObject().put("port", 1)).getJsonObject("error").getString("code"))
                .as("member is required").isEqualTo("invalid");
        assertThat(run("charger.start", new JsonObject().put("port", 1).put("member", "bad member!"))
                .getJsonObject("error").getString("code")).isEqualTo("invalid");
    }

    @Test
    void refusesAStartWhenTheCabinetIsNearItsLimit() throws Exception {
        sim(1, new JsonObject().put("plugged", true).put("powerW", 320).put("member", "m-a"));
        await().atMost(Duration.ofSeconds(5)).until(() -> "charging".equals(state(1)));
        sim(2, new JsonObject().put("plugged", true).put("powerW", 100).put("startSession", false));
        JsonObject r = run("charger.start", new JsonObject().put("port", 2).put("member", "m-b"));
        assertThat(r.getBoolean("ok")).isFalse();
        assertThat(r.getJsonObject("error").getString("code")).isEqualTo("cabinet-limit");
        assertThat(relay(2)).isEqualTo(DigitalState.LOW);
    }

    @Test
    void operatorClearsAFaultWithEnableOnlyOnceTheCauseIsGone() throws Exception {
        sim(2, new JsonObject().put("plugged", true).put("powerW", 150).put("member", "m-c"));
        await().atMost(Duration.ofSeconds(5)).until(() -> "charging".equals(state(2)));
        sim(2, new JsonObject().put("tempC", 80));
        assertThat(state(2)).isEqualTo("faulted");
        JsonObject early = run("charger.enable", new JsonObject().put("port", 2));
        assertThat(early.getBoolean("ok")).isFalse();
        assertThat(early.getJsonObject("error").getString("code")).isEqualTo("fault-persists");
        assertThat(early.getJsonObject("error").getString("message")).contains("80.0 °C");
        sim(2, new JsonObject().put("tempC", 35));
        JsonObject cleared = run("charger.enable", new JsonObject().put("port", 2));
        assertThat(cleared.getBoolean("ok")).as("%s", cleared).isTrue();
        assertThat(cleared.getJsonObject("data").getString("state")).isEqualTo("occupied");
        assertThat(relay(2)).as("clearing does not restart the session").isEqualTo(DigitalState.LOW);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.events().stream()
                .filter(e -> "charger.fault".equals(e.getString("type"))).count() == 2);
        assertThat(broker.events().stream().map(e -> e.getString("type")))
                .contains("charger.safety_cutoff", "charger.session_started", "charger.session_ended");
    }
}
