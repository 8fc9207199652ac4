package org.yizhan.e2e;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.Http;
import org.yizhan.testing.Proc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real hub and the real agent as separate processes, over loopback: provisioning, presence,
 * history, a killed agent flagged offline with an alert, and no event lost or doubled while the hub
 * is down.
 */
class StationLifecycleIT {

    private static final String ADMIN_PASSWORD = "e2e-admin-Pa55word";

    @TempDir
    Path tmp;

    private final List<Proc> procs = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Proc p : procs) {
            p.close();
        }
    }

    private Proc hub(Path dataDir, int httpPort, int mqttPort) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("YIZHAN_DATA_DIR", dataDir.toString());
        env.put("YIZHAN_HTTP_HOST", "127.0.0.1");
        env.put("YIZHAN_HTTP_PORT", Integer.toString(httpPort));
        env.put("YIZHAN_MQTT_HOST", "127.0.0.1");
        env.put("YIZHAN_MQTT_PORT", Integer.toString(mqttPort));
        env.put("YIZHAN_PUBLIC_MQTT_HOST", "127.0.0.1");
        env.put("YIZHAN_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("YIZHAN_STARTUP_GRACE_SECONDS", "3");
        // every reading written: with the dead bands the reading that reaches 3 riders may share its one-second
        // history bucket with the one before it, and the steady 3 after it is written only at the 60 s keep time
        env.put("YIZHAN_TS_UNCHANGED_WRITE_SECONDS", "0");
        Files.deleteIfExists(dataDir.resolve("ports.json"));
        Proc p = Proc.start("hub", Proc.jar("hub-server", "yizhan-hub.jar"), List.of("run"), env, tmp.resolve("logs"));
        procs.add(p);
        return p;
    }

    private Proc agent(Path dir) throws Exception {
        Files.deleteIfExists(dir.resolve("ports.json"));
        Proc p = Proc.start("agent", Proc.jar("station-agent", "yizhan-agent.jar"),
                List.of("run", "--dir", dir.toString(), "--simulate"),
                Map.of("YIZHAN_AGENT_HTTP_PORT", "0"), tmp.resolve("logs"));
        procs.add(p);
        return p;
    }

    @Test
    void stationGoesOnlineOfflineAndLosesNoEventWhileHubIsDown() throws Exception {
        Path hubDir = tmp.resolve("hub");
        Path agentDir = tmp.resolve("agent");
        Proc hub = hub(hubDir, 0, 0);
        JsonObject ports = Proc.awaitPorts(hubDir, hub);
        int httpPort = ports.getInteger("http");
        int mqttPort = ports.getInteger("mqtt");
        Http api = new Http("http://127.0.0.1:" + httpPort);

        Http.Response login = api.post("/api/v1/auth/login",
                new JsonObject().put("username", "admin").put("password", ADMIN_PASSWORD));
        assertThat(login.status()).as("admin login: %s", login.body()).isEqualTo(200);
        api.token(login.body().getString("token"));

        Http.Response created = api.post("/api/v1/stations", new JsonObject().put("name", "E2E 驿站")
                .put("address", "Test road 1").put("lat", 31.23).put("lon", 121.47).put("profile", "simulated")
                .put("ports", 2).put("capacity", 10).put("heartbeatSeconds", 2).put("telemetrySeconds", 5));
        assertThat(created.status()).as("create station: %s", created.body()).isEqualTo(201);
        String stationId = created.body().getJsonObject("station").getString("id");
        String claimCode = created.body().getString("claimCode");

        int rc = Proc.run("provision", Proc.jar("station-agent", "yizhan-agent.jar"),
                List.of("provision", "--hub", "http://127.0.0.1:" + httpPort, "--code", claimCode,
                        "--dir", agentDir.toString()), Map.of(), tmp.resolve("logs"));
        assertThat(rc).as("provision exit code").isZero();
        Path config = agentDir.resolve("config.json");
        assertThat(Files.getPosixFilePermissions(config)).as("config.json holds the station secret")
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(config)).contains(stationId);

        int second = Proc.run("provision-again", Proc.jar("station-agent", "yizhan-agent.jar"),
                List.of("provision", "--hub", "http://127.0.0.1:" + httpPort, "--code", claimCode,
                        "--dir", tmp.resolve("other").toString()), Map.of(), tmp.resolve("logs"));
        assertThat(second).as("a claim code works once").isNotZero();

        Proc agent = agent(agentDir);
        JsonObject agentPorts = Proc.awaitPorts(agentDir, agent);
        Http sim = new Http("http://127.0.0.1:" + agentPorts.getInteger("http"));
        awaitPresence(api, stationId, "online", Duration.ofSeconds(30));

        for (int i = 0; i < 3; i++) {
            assertThat(sim.post("/sim/beam", new JsonObject().put("direction", "in")).status()).isEqualTo(200);
        }
        await("occupancy reaches the hub").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> {
                    JsonObject s = api.get("/api/v1/stations/" + stationId).body();
                    assertThat(s.getJsonObject("occupancy", new JsonObject()).getInteger("count")).isEqualTo(3);
                });
        long now = System.currentTimeMillis();
        await("history has occupancy points").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Http.Response h = api.get("/api/v1/stations/" + stationId + "/history?metric=occupancy.count&from="
                            + (now - 600_000) + "&to=" + (System.currentTimeMillis() + 60_000) + "&step=1000");
                    assertThat(h.status()).as("history: %s", h.body()).isEqualTo(200);
                    JsonArray points = h.body().getJsonArray("points");
                    assertThat(points).as("history points").isNotEmpty();
                    assertThat(points.getJsonArray(points.size() - 1).getDouble(1)).isEqualTo(3.0);
                });

        int doorCycles = 0;
        doorCycles += cycleDoor(sim, 2);
        // the simulator answers once the contact has changed; the events follow a moment later. A kill -9 before
        // they are in the outbox loses them, as a power cut would: wait until the hub has them.
        await("door events reach the hub").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(api.get("/api/v1/events?stationId=" + stationId
                        + "&type=door.closed&limit=100").body().getJsonArray("events")).hasSize(2));

        // kill -9: no DISCONNECT, the will applies
        agent.kill();
        awaitPresence(api, stationId, "offline", Duration.ofSeconds(20));
        JsonArray open = api.get("/api/v1/alerts?stationId=" + stationId + "&open=true").body().getJsonArray("alerts");
        assertThat(open).as("an offline alert is open").anySatisfy(a ->
                assertThat(((JsonObject) a).getString("type")).isEqualTo("offline"));

        Proc agent2 = agent(agentDir);
        JsonObject agentPorts2 = Proc.awaitPorts(agentDir, agent2);
        Http sim2 = new Http("http://127.0.0.1:" + agentPorts2.getInteger("http"));
        awaitPresence(api, stationId, "online", Duration.ofSeconds(30));
        await("offline alert closes with the outage length").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonArray all = api.get("/api/v1/alerts?stationId=" + stationId).body().getJsonArray("alerts");
            assertThat(all).anySatisfy(a -> {
                JsonObject alert = (JsonObject) a;
                assertThat(alert.getString("type")).isEqualTo("offline");
                assertThat(alert.getValue("closedAt")).isNotNull();
                assertThat(alert.getJsonObject("data").getLong("outageMillis")).isPositive();
            });
        });

        // the hub goes away while the station keeps producing events
        hub.stop();
        doorCycles += cycleDoor(sim2, 5);
        Http agentStatus = sim2;
        await("events wait in the outbox").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(agentStatus.get("/status").body().getInteger("outbox")).isGreaterThanOrEqualTo(10));

        // the session the agent had with the first hub: it changes only when a connection to the new hub succeeds
        long sessionBefore = agentStatus.get("/status").body().getJsonObject("uplink").getLong("session");
        Proc hub2 = hub(hubDir, httpPort, mqttPort);
        Proc.awaitPorts(hubDir, hub2);
        Http api2 = new Http("http://127.0.0.1:" + httpPort);
        api2.token(api2.post("/api/v1/auth/login", new JsonObject().put("username", "admin")
                .put("password", ADMIN_PASSWORD)).body().getString("token"));
        // the registry still holds the station's last presence, so the new hub may show it online at once: wait
        // for the agent itself to be back (its reconnect backoff grows to a minute while the hub is down)
        await("the agent reconnects with a new session").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    JsonObject uplink = agentStatus.get("/status").body().getJsonObject("uplink");
                    assertThat(uplink.getBoolean("connected")).isTrue();
                    assertThat(uplink.getLong("session")).isGreaterThan(sessionBefore);
                });
        awaitPresence(api2, stationId, "online", Duration.ofSeconds(30));
        await("the outbox drains").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(agentStatus.get("/status").body().getInteger("outbox")).isZero());

        Map<String, Integer> byType = new HashMap<>();
        Set<String> ids = new HashSet<>();
        String after = null;
        for (int page = 0; page < 50; page++) {
            JsonObject r = api2.get("/api/v1/events?stationId=" + stationId + "&limit=100"
                    + (after == null ? "" : "&after=" + after)).body();
            for (Object o : r.getJsonArray("events")) {
                JsonObject e = (JsonObject) o;
                assertThat(ids.add(e.getString("id"))).as("event %s listed once", e.getString("id")).isTrue();
                byType.merge(e.getString("type"), 1, Integer::sum);
            }
            after = r.getString("next");
            if (after == null) {
                break;
            }
        }
        assertThat(byType.getOrDefault("door.opened", 0)).as("every door opening arrives exactly once")
                .isEqualTo(doorCycles);
        assertThat(byType.getOrDefault("door.closed", 0)).as("every door closing arrives exactly once")
                .isEqualTo(doorCycles);
    }

    private static int cycleDoor(Http sim, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            assertThat(sim.post("/sim/door", new JsonObject().put("open", true)).status()).isEqualTo(200);
            assertThat(sim.post("/sim/door", new JsonObject().put("open", false)).status()).isEqualTo(200);
        }
        return times;
    }

    private static void awaitPresence(Http api, String stationId, String state, Duration within) {
        await("station " + stationId + " is " + state).atMost(within).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    Http.Response r = api.get("/api/v1/stations/" + stationId);
                    assertThat(r.status()).as("station: %s", r.body()).isEqualTo(200);
                    assertThat(r.body().getJsonObject("presence").getString("state")).isEqualTo(state);
                });
    }
}
