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
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Topics;
import org.yizhan.protocol.Ulid;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(VertxExtension.class)
class StationAgentUplinkIT {

    private static final String ID = "st-uplink";

    @TempDir
    Path dir;
    private Vertx vertx;
    private TestBroker broker;
    private StationConfig config;
    private TestAgent agent;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        this.vertx = vertx;
        broker = new TestBroker();
        int port = get(broker.start(vertx));
        config = TestAgent.config(ID, port, 2, 5);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        get(broker.close());
    }

    private TestAgent startAgent() throws Exception {
        agent = TestAgent.start(vertx, config, dir);
        agent.awaitUplink();
        return agent;
    }

    @Test
    void connectsAsStationWithWillAndBirthAndSessionGrowsAcrossRestarts() throws Exception {
        startAgent();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.on("state").size() == 1
                && broker.subscriptions.size() == 2);
        TestBroker.Connect c = broker.connects.get(0);
        assertThat(c.clientId()).isEqualTo(ID);
        assertThat(c.username()).isEqualTo(ID);
        assertThat(c.password()).isEqualTo("s3cret-" + ID);
        assertThat(c.keepAlive()).isEqualTo(30);
        assertThat(c.will().isWillFlag()).isTrue();
        assertThat(c.will().getWillTopic()).isEqualTo(Topics.root(ID) + "state");
        assertThat(c.will().getWillQos()).isEqualTo(1);
        assertThat(c.will().isWillRetain()).isTrue();
        JsonObject will = new JsonObject(c.will().getWillMessage());
        assertThat(will.getBoolean("online")).isFalse();
        assertThat(will.getString("reason")).isEqualTo("lost");
        assertThat(will.getLong("session")).isEqualTo(1L);

        TestBroker.Received birth = broker.on("state").get(0);
        assertThat(birth.retain()).as("birth is retained").isTrue();
        assertThat(birth.qos()).isEqualTo(1);
        assertThat(birth.payload().getBoolean("online")).isTrue();
        assertThat(birth.payload().getLong("session")).isEqualTo(1L);
        assertThat(broker.subscriptions).containsExactlyInAnyOrder(Topics.root(ID) + "cmd", Topics.root(ID) + "config");

        agent.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.on("state").size() == 2);
        JsonObject bye = broker.on("state").get(1).payload();
        assertThat(bye.getBoolean("online")).isFalse();
        assertThat(bye.getString("reason")).isEqualTo("shutdown");

        startAgent();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.on("state").size() == 3);
        assertThat(broker.on("state").get(2).payload().getLong("session")).as("session after restart").isEqualTo(2L);
        assertThat(new JsonObject(broker.connects.get(1).will().getWillMessage()).getLong("session")).isEqualTo(2L);
    }

    @Test
    void keepsEventsUntilPubAckAndReplaysEachOnceAfterRestart() throws Exception {
        broker.ackPublishes = false;
        startAgent();
        // door forced open, then closed: door.opened, door.forced, door.closed
        agent.post("/sim/door", new JsonObject().put("open", true).encode());
        agent.post("/sim/door", new JsonObject().put("open", false).encode());
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.events(1).size() >= 3);
        assertThat(agent.outboxSize()).as("no delete before PUBACK").isEqualTo(3);
        List<String> types = broker.events(1).stream().map(e -> e.getString("type")).toList();
        assertThat(types).containsExactly("door.opened", "door.forced", "door.closed");

        agent.stop();
        broker.ackPublishes = true;
        startAgent();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.outboxSize() == 0);
        List<JsonObject> replayed = broker.events(2);
        assertThat(replayed).extracting(e -> e.getString("type"))
                .containsExactly("door.opened", "door.forced", "door.closed");
        Set<String> ids = new HashSet<>();
        replayed.forEach(e -> ids.add(e.getString("id")));
        assertThat(ids).as("each event replayed once").hasSize(3).allMatch(Ulid::isValid);
        assertThat(broker.on("events").stream().filter(r -> r.connection() == 2).toList())
                .as("replayed as one batch").hasSize(1)
                .allMatch(r -> r.payload().getJsonArray("events").size() == 3 && r.qos() == 1);
    }

    @Test
    void doorUnlockCommandPulsesTheRelayAndAnswersOk() throws Exception {
        startAgent();
        var relay = agent.hardware().orElseThrow().doorRelay();
        assertThat(TestAgent.state(relay)).isEqualTo(DigitalState.LOW);
        String id = Ulid.next();
        broker.send(Topics.root(ID) + "cmd", command(id, "door.unlock", new JsonObject().put("seconds", 1),
                System.currentTimeMillis() + 30_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> result(id) != null);
        JsonObject res = result(id);
        assertThat(res.getBoolean("ok")).as("result %s", res).isTrue();
        assertThat(TestAgent.state(relay)).as("door relay during the pulse").isEqualTo(DigitalState.HIGH);
        await().atMost(Duration.ofSeconds(4)).until(() -> TestAgent.state(relay) == DigitalState.LOW);
    }

    @Test
    void refusesExpiredCommandWithoutRunningIt() throws Exception {
        startAgent();
        var relay = agent.hardware().orElseThrow().doorRelay();
        String id = Ulid.next();
        broker.send(Topics.root(ID) + "cmd", command(id, "door.unlock", new JsonObject(),
                System.currentTimeMillis() - 1_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> result(id) != null);
        JsonObject res = result(id);
        assertThat(res.getBoolean("ok")).isFalse();
        assertThat(res.getJsonObject("error").getString("code")).isEqualTo("expired");
        assertThat(TestAgent.state(relay)).as("door stays locked").isEqualTo(DigitalState.LOW);
    }

    @Test
    void answersUnsupportedAndInvalidCommandsAndRepeatsAnswerForRedelivery() throws Exception {
        startAgent();
        long exp = System.currentTimeMillis() + 30_000;
        String bogus = Ulid.next();
        broker.send(Topics.root(ID) + "cmd", command(bogus, "door.explode", new JsonObject(), exp));
        String badPort = Ulid.next();
        broker.send(Topics.root(ID) + "cmd", command(badPort, "charger.disable", new JsonObject().put("port", 9), exp));
        String twice = Ulid.next();
        JsonObject disable = command(twice, "charger.disable", new JsonObject().put("port", 1), exp);
        broker.send(Topics.root(ID) + "cmd", disable);
        broker.send(Topics.root(ID) + "cmd", disable);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.on("cmd/res").size() == 4);
        assertThat(result(bogus).getJsonObject("error").getString("code")).isEqualTo("unsupported");
        assertThat(result(badPort).getJsonObject("error").getString("code")).isEqualTo("invalid");
        assertThat(broker.on("cmd/res").stream().filter(r -> twice.equals(r.payload().getString("id"))))
                .hasSize(2).allMatch(r -> r.payload().getBoolean("ok"));
        JsonObject status = agent.status();
        assertThat(status.getJsonArray("chargers").getJsonObject(0).getString("state")).isEqualTo("disabled");
    }

    @Test
    void appliesNewerConfigAndRejectsInvalidOne() throws Exception {
        startAgent();
        JsonObject good = config.toJson().put("occupancy", new JsonObject().put("capacity", 9));
        good.remove("mqtt");
        broker.send(Topics.root(ID) + "config", new JsonObject().put("v", 1).put("ts", System.currentTimeMillis())
                .put("version", 2).put("config", good));
        JsonObject bad = config.toJson().put("heartbeatSeconds", "often");
        broker.send(Topics.root(ID) + "config", new JsonObject().put("v", 1).put("ts", System.currentTimeMillis())
                .put("version", 3).put("config", bad));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.events().size() >= 2);
        JsonObject applied = broker.events().get(0);
        assertThat(applied.getString("type")).isEqualTo("config.applied");
        assertThat(applied.getJsonObject("data").getInteger("version")).isEqualTo(2);
        JsonObject rejected = broker.events().get(1);
        assertThat(rejected.getString("type")).isEqualTo("config.rejected");
        assertThat(rejected.getJsonObject("data").getJsonArray("problems").encode()).contains("heartbeatSeconds");
        StationConfig stored = org.yizhan.agent.config.ConfigFile.read(dir);
        assertThat(stored.version()).isEqualTo(2);
        assertThat(stored.occupancy().capacity()).isEqualTo(9);
        assertThat(stored.mqtt().password()).as("credentials kept").isEqualTo("s3cret-" + ID);
    }

    @Test
    void restartsInOrderWhenTheHubAsksAndOnlyOnceForOneCommand() throws Exception {
        startAgent();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.on("state").size() == 1);
        long exp = System.currentTimeMillis() + 60_000;
        String unlock = Ulid.next();
        broker.send(Topics.root(ID) + "cmd", command(unlock, "door.unlock", new JsonObject().put("seconds", 20), exp));
        var relay = agent.hardware().orElseThrow().doorRelay();
        await().atMost(Duration.ofSeconds(5)).until(() -> TestAgent.state(relay) == DigitalState.HIGH);

        String restart = Ulid.next();
        JsonObject cmd = command(restart, "agent.restart", new JsonObject(), exp);
        broker.send(Topics.root(ID) + "cmd", cmd);
        await("answered, then the shutdown state and a new birth").atMost(Duration.ofSeconds(20))
                .until(() -> broker.on("state").size() == 3);
        JsonObject res = result(restart);
        assertThat(res.getBoolean("ok")).as(res.encode()).isTrue();
        assertThat(res.getJsonObject("data").getBoolean("restarting")).isTrue();
        assertThat(broker.on("state").get(1).payload().getString("reason")).isEqualTo("shutdown");
        JsonObject birth = broker.on("state").get(2).payload();
        assertThat(birth.getBoolean("online")).isTrue();
        assertThat(birth.getLong("session")).as("a new session").isEqualTo(2L);
        agent.awaitUplink();
        assertThat(TestAgent.state(agent.hardware().orElseThrow().doorRelay()))
                .as("the door is locked again after the restart, its 20 s unlock cut short").isEqualTo(DigitalState.LOW);

        // the same command again (its answer lost on the way): answered, no second restart
        broker.send(Topics.root(ID) + "cmd", cmd);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.on("cmd/res").stream()
                .filter(r -> restart.equals(r.payload().getString("id"))).count() == 2);
        JsonObject again = broker.on("cmd/res").stream().map(TestBroker.Received::payload)
                .filter(p -> restart.equals(p.getString("id"))).toList().get(1);
        assertThat(again.getBoolean("ok")).isTrue();
        assertThat(again.getJsonObject("data").getBoolean("restarting")).isFalse();
        String after = Ulid.next();
        broker.send(Topics.root(ID) + "cmd", command(after, "charger.disable", new JsonObject().put("port", 1), exp));
        await().atMost(Duration.ofSeconds(5)).until(() -> result(after) != null);
        assertThat(broker.on("state")).as("no further shutdown or birth").hasSize(3);
        assertThat(agent.uplinkConnected()).isTrue();
    }

    private JsonObject result(String id) {
        return broker.on("cmd/res").stream().map(TestBroker.Received::payload)
                .filter(p -> id.equals(p.getString("id"))).findFirst().orElse(null);
    }

    static JsonObject command(String id, String name, JsonObject args, long expiresAt) {
        return new JsonObject().put("v", 1).put("ts", System.currentTimeMillis()).put("id", id).put("name", name)
                .put("args", args).put("expiresAt", expiresAt);
    }
}
