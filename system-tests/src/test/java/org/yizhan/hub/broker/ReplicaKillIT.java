package org.yizhan.hub.broker;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.config.StationConfig;
import org.yizhan.testing.DoorStreams;
import org.yizhan.testing.Http;
import org.yizhan.testing.MosquittoBroker;
import org.yizhan.testing.PostgresRegistry;
import org.yizhan.testing.Proc;
import org.yizhan.testing.StationList;
import org.yizhan.testing.StoredEvents;
import org.yizhan.testing.TestAgent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hub replicas in broker mode as their own processes on one PostgreSQL, behind a real Mosquitto with dynamic
 * security, and three real agents on simulated hardware streaming door cycles and telemetry. One replica is killed
 * with SIGKILL in the middle of the stream (the first, which took the sweep lease and through which the stations
 * were provisioned, or the second) while the stream goes on. Through the survivor: every door event the agents
 * produced is stored exactly once, no station was ever flagged offline, every station is online, and a command
 * sent afterwards reaches its station; the killed replica, started again, shows every station online too.
 *
 * <p>The broker does not hand a killed subscriber's unacknowledged messages to the other member of the shared
 * group (its session is clean), so what was in flight to the killed replica comes back only through the agents'
 * contract 1.1 resend: they are provisioned here with {@code mqtt.eventAckTimeoutSeconds=5} to keep the test short.
 */
@ExtendWith(VertxExtension.class)
class ReplicaKillIT {

    private static final String ADMIN_PASSWORD = "kill-admin-Pa55word";
    private static final int STATIONS = 3;
    private static final int ACK_TIMEOUT_SECONDS = 5;

    @TempDir
    Path tmp;

    private final List<Proc> procs = new ArrayList<>();
    private final List<TestAgent> agents = new ArrayList<>();
    private MosquittoBroker broker;

    @AfterEach
    void stopAll() throws Exception {
        for (TestAgent a : agents) {
            a.close();
        }
        for (Proc p : procs) {
            p.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private Proc hub(String name, Path dataDir, Map<String, String> registry) throws Exception {
        Map<String, String> env = new HashMap<>(registry);
        env.put("YIZHAN_DATA_DIR", dataDir.toString());
        env.put("YIZHAN_HTTP_HOST", "127.0.0.1");
        env.put("YIZHAN_HTTP_PORT", "0");
        env.put("YIZHAN_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("YIZHAN_STARTUP_GRACE_SECONDS", "3");
        env.put("YIZHAN_MQTT_MODE", "broker");
        env.put("YIZHAN_MQTT_BROKER_URL", broker.url());
        env.put("YIZHAN_MQTT_BROKER_USERNAME", MosquittoBroker.ADMIN);
        env.put("YIZHAN_MQTT_BROKER_PASSWORD", MosquittoBroker.ADMIN_PASSWORD);
        env.put("YIZHAN_MQTT_BROKER_DYNSEC", "true");
        Files.deleteIfExists(dataDir.resolve("ports.json"));
        Proc p = Proc.start(name, Proc.jar("hub-server", "yizhan-hub.jar"), List.of("run"), env, tmp.resolve("logs"));
        procs.add(p);
        return p;
    }

    private static String url(Path dataDir, Proc p) {
        return "http://127.0.0.1:" + Proc.awaitPorts(dataDir, p).getInteger("http");
    }

    private static Http api(String url) throws Exception {
        Http api = new Http(url);
        Http.Response login = api.post("/api/v1/auth/login",
                new JsonObject().put("username", "admin").put("password", ADMIN_PASSWORD));
        assertThat(login.status()).as("admin login: %s", login.body()).isEqualTo(200);
        api.token(login.body().getString("token"));
        return api;
    }

    @ParameterizedTest(name = "kill the {0} replica")
    @ValueSource(strings = {"first", "second"})
    void killingAReplicaUnderLoadLosesNothingDoublesNothingAndRaisesNoFalseAlarm(String victim, Vertx vertx)
            throws Exception {
        broker = MosquittoBroker.start(tmp.resolve("mosquitto"));
        Map<String, String> registry = PostgresRegistry.newDatabase();
        Path dirA = tmp.resolve("hub-a");
        Path dirB = tmp.resolve("hub-b");
        // the first replica migrates the registry and creates the shared secrets before the second starts
        Proc hubA = hub("hub-a", dirA, registry);
        String urlA = url(dirA, hubA);
        Http apiA = api(urlA);
        Proc hubB = hub("hub-b", dirB, registry);
        Http apiB = api(url(dirB, hubB));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < STATIONS; i++) {
            Http.Response created = apiA.post("/api/v1/stations", new JsonObject().put("name", "压测站 " + i)
                    .put("address", "Test road " + i).put("lat", 30.2 + i * 0.01).put("lon", 120.1)
                    .put("profile", "simulated").put("ports", 2).put("capacity", 10)
                    .put("heartbeatSeconds", 2).put("telemetrySeconds", 1));
            assertThat(created.status()).as("create station: %s", created.body()).isEqualTo(201);
            String id = created.body().getJsonObject("station").getString("id");
            Path state = tmp.resolve("agent-" + i);
            StationConfig provisioned = new Provisioner().provision(urlA, created.body().getString("claimCode"),
                    state);
            assertThat(provisioned.mqtt().eventAcks()).as("the hub provisions contract 1.1 acks").isTrue();
            assertThat(provisioned.mqtt().port()).as("stations are sent to the broker").isEqualTo(broker.port());
            agents.add(TestAgent.start(vertx, provisioned.withMqtt(
                    provisioned.mqtt().withEventAckTimeoutSeconds(ACK_TIMEOUT_SECONDS)), state));
            ids.add(id);
        }
        for (Http api : List.of(apiA, apiB)) {
            StationList.awaitAllOnline(api, ids, Duration.ofSeconds(30));
        }

        // the stream: every agent cycles its door over and over; telemetry goes on by itself every second. A
        // person comes through every 50 ms or so: a steady load, not a flood the 2-core test machine would spend
        // its time on
        DoorStreams doors = DoorStreams.start(agents, 50);

        Proc victimProc = "first".equals(victim) ? hubA : hubB;
        Http survivor = "first".equals(victim) ? apiB : apiA;
        Path victimDir = "first".equals(victim) ? dirA : dirB;
        String victimName = "first".equals(victim) ? "hub-a" : "hub-b";
        await("the survivor stores door events of every station before the kill").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> {
                    doors.assertNoFailure();
                    for (String id : ids) {
                        assertThat(doorEvents(survivor, id).size()).isGreaterThanOrEqualTo(10);
                    }
                });
        int[] atKill = doors.cycles();
        victimProc.kill();
        assertThat(victimProc.isAlive()).isFalse();
        // keep the stream going until every station has cycled its door 20 more times and the survivor has
        // stored events that came after the kill
        await("the stream goes on after the kill").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            doors.assertNoFailure();
            for (int i = 0; i < STATIONS; i++) {
                assertThat(doors.cycles(i)).isGreaterThanOrEqualTo(atKill[i] + 20);
                assertThat(doorEvents(survivor, ids.get(i)).size()).isGreaterThan(2 * atKill[i]);
            }
        });
        doors.stop();

        for (int i = 0; i < STATIONS; i++) {
            String id = ids.get(i);
            int produced = doors.cycles(i);
            TestAgent agent = agents.get(i);
            await(id + ": every door event stored, the outbox empty").atMost(Duration.ofSeconds(45))
                    .untilAsserted(() -> {
                        Map<String, Integer> byType = new HashMap<>();
                        for (JsonObject e : doorEvents(survivor, id)) {
                            byType.merge(e.getString("type"), 1, Integer::sum);
                        }
                        assertThat(byType.getOrDefault("door.opened", 0)).as("door openings").isEqualTo(produced);
                        assertThat(byType.getOrDefault("door.closed", 0)).as("door closings").isEqualTo(produced);
                        assertThat(agent.outboxSize()).as("outbox").isZero();
                    });
        }

        for (String id : ids) {
            JsonArray alerts = survivor.get("/api/v1/alerts?stationId=" + id).body().getJsonArray("alerts");
            assertThat(alerts).as("alerts of %s", id).noneSatisfy(a ->
                    assertThat(((JsonObject) a).getString("type")).isEqualTo("offline"));
        }
        StationList.assertAllOnline(survivor, ids);

        // a command through the survivor reaches its station and opens the door
        String target = ids.get(STATIONS - 1);
        Http.Response cmd = survivor.post("/api/v1/stations/" + target + "/commands",
                new JsonObject().put("name", "door.unlock").put("args", new JsonObject().put("seconds", 2)));
        assertThat(cmd.status()).as("command: %s", cmd.body()).isEqualTo(202);
        String cmdId = cmd.body().getString("id");
        await("the command succeeds").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                survivor.get("/api/v1/commands/" + cmdId).body().getString("status")).isEqualTo("succeeded"));

        // the killed replica, started again on its data directory, shows every station online
        Proc again = hub(victimName + "-again", victimDir, registry);
        Http apiAgain = api(url(victimDir, again));
        StationList.awaitAllOnline(apiAgain, ids, Duration.ofSeconds(30));

        // and still no offline alert anywhere, after the sweep lease has had time to move
        for (String id : ids) {
            assertThat(apiAgain.get("/api/v1/alerts?stationId=" + id).body().getJsonArray("alerts"))
                    .as("alerts of %s", id).noneSatisfy(a ->
                            assertThat(((JsonObject) a).getString("type")).isEqualTo("offline"));
        }
    }

    /** The station's door openings and closings through the API, every page; fails on an id listed twice. */
    private static List<JsonObject> doorEvents(Http api, String stationId) throws Exception {
        StoredEvents stored = StoredEvents.read(StoredEvents.of(api), stationId, "door.opened", "door.closed");
        assertThat(stored.duplicates()).as("events of %s listed twice", stationId).isZero();
        return stored.events();
    }
}
