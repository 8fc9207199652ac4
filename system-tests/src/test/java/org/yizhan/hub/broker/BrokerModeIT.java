package org.yizhan.hub.broker;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.StateMessage;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.MosquittoBroker;
import org.yizhan.testing.PostgresRegistry;
import org.yizhan.testing.TestAgent;
import org.yizhan.testing.TestHub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hub replicas on one PostgreSQL, both clients of a real Mosquitto with the dynamic-security plugin
 * ({@code mqtt-mode=broker}, {@code mqtt-broker-dynsec=true}): a station provisioned on one works through the
 * broker (events stored once, commands from the other replica, retained config); a foreign client with a
 * station's credentials speaks the contract but cannot touch another station's topics; retired credentials stop
 * working.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerModeIT {

    @TempDir
    static Path dir;
    static MosquittoBroker broker;
    static TestHub a;
    static TestHub b;
    /** Replica b runs on a Vert.x of its own, as a second process would: its event bus (the live stream) is its own. */
    static Vertx vertxB;
    static TestAgent agent;
    static String stationId;
    static StationConfig foreign;
    static final String HOOK_TOKEN = "hook-token-for-the-broker-0123456789";

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        broker = MosquittoBroker.start(dir.resolve("mosquitto"));
        Map<String, String> env = new HashMap<>(PostgresRegistry.newDatabase());
        env.putAll(Map.of("YIZHAN_MQTT_MODE", "broker", "YIZHAN_MQTT_BROKER_URL", broker.url(),
                "YIZHAN_MQTT_BROKER_USERNAME", MosquittoBroker.ADMIN,
                "YIZHAN_MQTT_BROKER_PASSWORD", MosquittoBroker.ADMIN_PASSWORD,
                "YIZHAN_MQTT_BROKER_DYNSEC", "true", "YIZHAN_MQTT_BROKER_HOOK_TOKEN", HOOK_TOKEN));
        try {
            a = TestHub.start(vertx, dir.resolve("a"), env);
            vertxB = Vertx.vertx();
            b = TestHub.start(vertxB, dir.resolve("b"), env);
        } catch (Exception e) {
            throw new IllegalStateException("hub start failed; broker log:\n" + broker.log(), e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(a, b, broker);
        if (vertxB != null) {
            vertxB.close().await();
        }
    }

    private static void awaitOnline(TestHub hub, String id) {
        await(id + " online on " + hub.dataDir()).atMost(Duration.ofSeconds(30))
                .until(() -> hub.app().mqtt().isConnected(id));
    }

    @Test
    @Order(1)
    void aStationProvisionedOnOneReplicaConnectsThroughTheBrokerAndIsOnlineOnBoth() throws Exception {
        assertThat(a.app().mqttPort()).as("readiness sees the broker link").isEqualTo(broker.port());
        agent = a.stationWithAgent("经纪站", 30.27, 120.15);
        stationId = agent.stationId();
        assertThat(agent.config().mqtt().port()).as("the station is sent to the broker").isEqualTo(broker.port());
        awaitOnline(a, stationId);
        awaitOnline(b, stationId);
    }

    @Test
    @Order(2)
    void eachEventIsStoredExactlyOnce() throws Exception {
        for (int i = 0; i < 3; i++) {
            agent.simulate("/sim/door", new JsonObject().put("open", true));
            agent.simulate("/sim/door", new JsonObject().put("open", false));
        }
        String token = a.adminToken();
        await("door events stored").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                b.call("GET", "/api/v1/events?stationId=" + stationId + "&type=door.closed&limit=100", token, null)
                        .getJsonArray("events")).hasSize(3));
        JsonArray opened = a.call("GET", "/api/v1/events?stationId=" + stationId + "&type=door.opened&limit=100",
                token, null).getJsonArray("events");
        assertThat(opened).hasSize(3);
        await("outbox emptied").atMost(Duration.ofSeconds(20)).until(() -> agent.outboxSize() == 0);
    }

    @Test
    @Order(3)
    void aCommandFromTheOtherReplicaReachesTheAgent() throws Exception {
        String operator = b.user("broker-operator", "operator");
        JsonObject cmd = b.call("POST", "/api/v1/stations/" + stationId + "/commands", operator,
                new JsonObject().put("name", "door.unlock").put("args", new JsonObject().put("seconds", 2)));
        String id = cmd.getString("id");
        await("command succeeded").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                b.call("GET", "/api/v1/commands/" + id, operator, null).getString("status")).isEqualTo("succeeded"));
    }

    @Test
    @Order(4)
    void theConfigurationIsRetainedAtTheBroker() throws Exception {
        List<String> got = broker.receive("admin-reader", MosquittoBroker.ADMIN, MosquittoBroker.ADMIN_PASSWORD,
                "yizhan/v1/stations/" + stationId + "/config", 2);
        assertThat(got).as("retained config").hasSize(1);
        assertThat(got.get(0)).contains("\"stationId\":\"" + stationId + "\"");
    }

    @Test
    @Order(5)
    void aForeignClientWithProvisionedCredentialsSpeaksTheContract() throws Exception {
        foreign = a.provision(a.adminToken(), TestHub.station("外来客户端"));
        String id = foreign.stationId();
        String user = foreign.mqtt().username();
        String pw = foreign.mqtt().password();
        String birth = Codec.encode(StateMessage.birth(System.currentTimeMillis(), 1, "mosquitto_pub", 0)).toString();
        assertThat(broker.publish(id, user, pw, "yizhan/v1/stations/" + id + "/state", birth)).isZero();
        Event e = Event.of("door.opened", System.currentTimeMillis(), new JsonObject());
        String events = Codec.encode(new EventsMessage(List.of(e), false)).toString();
        assertThat(broker.publish(id, user, pw, "yizhan/v1/stations/" + id + "/events", events)).isZero();
        String token = a.adminToken();
        await("the foreign event is stored").atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                a.call("GET", "/api/v1/events?stationId=" + id + "&limit=10", token, null).getJsonArray("events")
                        .stream().map(o -> ((JsonObject) o).getString("id")).toList()).containsExactly(e.id()));
        awaitOnline(b, id);
        // its birth made a replica publish its configuration, retained, which it may read
        await("its own config").atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                broker.receive(id, user, pw, "yizhan/v1/stations/" + id + "/config", 2)).hasSize(1));
    }

    @Test
    @Order(6)
    void aForeignClientCannotTouchAnotherStationsTopics() throws Exception {
        String id = foreign.stationId();
        String user = foreign.mqtt().username();
        String pw = foreign.mqtt().password();
        // another station's retained state and config are there (the admin reads them), but not for this client
        assertThat(broker.receive("admin-reader-2", MosquittoBroker.ADMIN, MosquittoBroker.ADMIN_PASSWORD,
                "yizhan/v1/stations/" + stationId + "/#", 2)).as("admin sees the retained topics").isNotEmpty();
        assertThat(broker.receive(id, user, pw, "yizhan/v1/stations/" + stationId + "/#", 2))
                .as("another station's topics").isEmpty();
        assertThat(broker.receive(id, user, pw, "yizhan/v1/stations/+/config", 2)).as("every station's config")
                .isEmpty();
        // a forged event on the other station's root, and a forged command to it: the broker drops both
        Event forged = Event.of("door.opened", System.currentTimeMillis(), new JsonObject().put("forged", true));
        broker.publish(id, user, pw, "yizhan/v1/stations/" + stationId + "/events",
                Codec.encode(new EventsMessage(List.of(forged), false)).toString());
        broker.publish(id, user, pw, "yizhan/v1/stations/" + stationId + "/cmd",
                new JsonObject().put("v", 1).put("ts", 1).put("id", "forged").put("name", "door.unlock").encode());
        // a marker published after them on its own root arrives; the forged one, sent first, never does
        Event marker = Event.of("door.closed", System.currentTimeMillis(), new JsonObject());
        assertThat(broker.publish(id, user, pw, "yizhan/v1/stations/" + id + "/events",
                Codec.encode(new EventsMessage(List.of(marker), false)).toString())).isZero();
        String token = a.adminToken();
        await("the marker is stored").atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                a.call("GET", "/api/v1/events?stationId=" + id + "&limit=10", token, null).getJsonArray("events")
                        .stream().map(o -> ((JsonObject) o).getString("id")).toList()).contains(marker.id()));
        JsonArray theirs = a.call("GET", "/api/v1/events?stationId=" + stationId + "&limit=100", token, null)
                .getJsonArray("events");
        assertThat(theirs.stream().map(o -> ((JsonObject) o).getString("id")).toList()).doesNotContain(forged.id());
    }

    @Test
    @Order(7)
    void retiredCredentialsStopWorking() throws Exception {
        String id = foreign.stationId();
        String user = foreign.mqtt().username();
        String pw = foreign.mqtt().password();
        String beat = new JsonObject().put("v", 1).put("ts", System.currentTimeMillis()).encode();
        assertThat(broker.publish(id, user, pw, "yizhan/v1/stations/" + id + "/heartbeat", beat)).isZero();
        b.call("DELETE", "/api/v1/stations/" + id + "/credentials", b.adminToken(), null);
        assertThat(broker.publish(id, user, pw, "yizhan/v1/stations/" + id + "/heartbeat", beat))
                .as("the broker refuses the retired credentials").isNotZero();
        assertThat(b.send("DELETE", "/api/v1/stations/" + id + "/credentials", b.user("op2", "operator"), null)
                .statusCode()).as("operators may not retire").isEqualTo(403);
        assertThat(b.send("DELETE", "/api/v1/stations/no-such-station/credentials", b.adminToken(), null)
                .statusCode()).isEqualTo(404);
        assertThat(agent.uplinkConnected()).as("the other station is untouched").isTrue();
    }

    @Test
    @Order(8)
    void everyReplicasLiveStreamShowsEveryMessageOnce() throws Exception {
        String token = a.adminToken();
        List<String> onA = stream(a, token);
        List<String> onB = stream(b, token);
        java.util.Set<String> before = eventIds(token);
        long since = System.currentTimeMillis();
        for (int i = 0; i < 4; i++) {
            agent.simulate("/sim/door", new JsonObject().put("open", true));
            agent.simulate("/sim/door", new JsonObject().put("open", false));
        }
        await("8 new door events stored").atMost(Duration.ofSeconds(30))
                .until(() -> eventIds(token).size() >= before.size() + 8);
        java.util.Set<String> fresh = new java.util.HashSet<>(eventIds(token));
        fresh.removeAll(before);
        // the shared subscription hands each message to one replica; both streams show every event, once
        for (List<String> lines : List.of(onA, onB)) {
            await("every new event on the stream").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(ids(lines, "event", "id")).containsAll(fresh));
            assertThat(ids(lines, "event", "id")).as("no event shown twice").doesNotHaveDuplicates();
        }
        // door changes send telemetry: each replica shows the same telemetry messages, each once
        await("the same telemetry on both replicas").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<String> ta = sentSince(ids(onA, "telemetry", "ts"), since);
            assertThat(ta).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sentSince(ids(onB, "telemetry", "ts"), since));
        });
    }

    private static java.util.Set<String> eventIds(String token) throws Exception {
        return a.call("GET", "/api/v1/events?stationId=" + stationId + "&limit=500", token, null)
                .getJsonArray("events").stream().map(o -> ((JsonObject) o).getString("id"))
                .collect(java.util.stream.Collectors.toSet());
    }

    /** The {@code data} lines of one station's SSE stream on the replica, collected as they come. */
    private static List<String> stream(TestHub hub, String token) throws Exception {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                hub.url("/api/v1/stream?stationId=" + stationId + "&access_token=" + token))).build();
        http.sendAsync(req, java.net.http.HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body().forEach(lines::add));
        await("stream connected").atMost(Duration.ofSeconds(10)).until(() -> lines.contains(": connected"));
        return lines;
    }

    /** The telemetry timestamps sent at or after {@code since}, when both streams were already connected. */
    private static List<String> sentSince(List<String> ts, long since) {
        return ts.stream().filter(t -> Long.parseLong(t) >= since).toList();
    }

    /** The {@code field} of the data of each {@code kind} message in the stream lines. */
    private static List<String> ids(List<String> lines, String kind, String field) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).equals("event: " + kind) && lines.get(i + 1).startsWith("data: ")) {
                JsonObject data = new JsonObject(lines.get(i + 1).substring(6)).getJsonObject("data");
                out.add(String.valueOf(data.getValue(field)));
            }
        }
        return out;
    }

    @Test
    @Order(9)
    void theBrokersAuthenticationHookLetsInEachStationWithItsOwnTopicsOnly() throws Exception {
        StationConfig.Mqtt m = agent.config().mqtt();
        JsonObject allow = hook(HOOK_TOKEN, new JsonObject().put("clientid", m.username()).put("username", m.username())
                .put("password", m.password()));
        assertThat(allow.getString("result")).isEqualTo("allow");
        assertThat(allow.getBoolean("is_superuser")).isFalse();
        JsonArray acl = allow.getJsonArray("acl");
        String own = "yizhan/v1/stations/" + stationId + "/";
        assertThat(permits(acl, "publish", own + "events")).isTrue();
        assertThat(permits(acl, "publish", own + "telemetry")).isTrue();
        assertThat(permits(acl, "publish", own + "cmd")).as("commands go down, never up").isFalse();
        assertThat(permits(acl, "publish", own + "config")).isFalse();
        assertThat(permits(acl, "subscribe", own + "cmd")).isTrue();
        assertThat(permits(acl, "subscribe", own + "#")).isTrue();
        String other = "yizhan/v1/stations/" + foreign.stationId() + "/";
        assertThat(permits(acl, "publish", other + "events")).isFalse();
        assertThat(permits(acl, "subscribe", other + "cmd")).isFalse();
        assertThat(permits(acl, "subscribe", "yizhan/v1/stations/+/config")).isFalse();
        assertThat(permits(acl, "subscribe", "#")).isFalse();
        // and the list closes with a deny of everything, so no authoriser after it can widen it
        assertThat(acl.getJsonObject(acl.size() - 1)).isEqualTo(new JsonObject().put("permission", "deny")
                .put("action", "all").put("topic", "#"));

        // the same on the other replica: the hook reads the shared registry
        assertThat(hook(b, HOOK_TOKEN, new JsonObject().put("clientid", m.username()).put("username", m.username())
                .put("password", m.password())).getString("result")).isEqualTo("allow");
        for (JsonObject bad : List.of(
                new JsonObject().put("clientid", m.username()).put("username", m.username()).put("password", "x" + m.password()),
                new JsonObject().put("clientid", "someone-else").put("username", m.username()).put("password", m.password()),
                new JsonObject().put("clientid", "no-such-station").put("username", "no-such-station").put("password", "pw"),
                new JsonObject().put("clientid", m.username()).put("username", m.username()),
                // retired in the test before
                new JsonObject().put("clientid", foreign.mqtt().username()).put("username", foreign.mqtt().username())
                        .put("password", foreign.mqtt().password()))) {
            assertThat(hook(HOOK_TOKEN, bad)).as("%s", bad.put("password", "***")).isEqualTo(
                    new JsonObject().put("result", "deny"));
        }
        java.net.http.HttpResponse<String> noToken = hookRaw(a, null, allow.encode());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(hookRaw(a, HOOK_TOKEN + "x", "{}").statusCode()).isEqualTo(401);
        assertThat(hookRaw(a, HOOK_TOKEN, "not json").statusCode()).isEqualTo(400);
        assertThat(hookRaw(a, HOOK_TOKEN, new JsonObject().put("clientid", 42).encode()).statusCode()).isEqualTo(400);
        assertThat(hookRaw(a, HOOK_TOKEN, new JsonObject().put("clientid", "x".repeat(300)).encode()).statusCode())
                .isEqualTo(400);
        assertThat(hookRaw(a, HOOK_TOKEN, "{\"password\":\"" + "x".repeat(2_000_000) + "\"}").statusCode())
                .as("an oversized body").isEqualTo(413);
    }

    private static JsonObject hook(String token, JsonObject body) throws Exception {
        return hook(a, token, body);
    }

    private static JsonObject hook(TestHub hub, String token, JsonObject body) throws Exception {
        java.net.http.HttpResponse<String> r = hookRaw(hub, token, body.encode());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/json"));
        return new JsonObject(r.body());
    }

    private static java.net.http.HttpResponse<String> hookRaw(TestHub hub, String token, String body) throws Exception {
        java.net.http.HttpRequest.Builder req = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(hub.url("/api/v1/broker/authenticate")))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return java.net.http.HttpClient.newHttpClient().send(req.build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Whether EMQX would let the action on the topic through this access list: rules in order, the first whose
     * action and topic match decides (a rule's topic filter matches a topic, or a subscription's filter it covers).
     */
    private static boolean permits(JsonArray acl, String action, String topic) {
        for (Object o : acl) {
            JsonObject rule = (JsonObject) o;
            boolean actionMatches = rule.getString("action").equals("all") || rule.getString("action").equals(action);
            if (actionMatches && covers(rule.getString("topic"), topic)) {
                return rule.getString("permission").equals("allow");
            }
        }
        return false;
    }

    /** MQTT topic matching, with a filter on the right matched level by level like a topic. */
    private static boolean covers(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") ? !t[i].equals("#") : f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    @Test
    @Order(10)
    void anEventTooBigToStoreIsDeadLetteredWithoutHoldingUpTheSharedSubscription() throws Exception {
        StationConfig station = a.provision(a.adminToken(), TestHub.station("大事件驿站"));
        String id = station.stationId();
        String user = station.mqtt().username();
        String pw = station.mqtt().password();
        String topic = "yizhan/v1/stations/" + id + "/events";
        long now = System.currentTimeMillis();
        Event good = Event.of("door.opened", now, new JsonObject());
        Event big = Event.of("selftest.result", now, new JsonObject().put("log", "x".repeat(100 * 1024)));
        Event next = Event.of("door.closed", now, new JsonObject());
        assertThat(broker.publish(id, user, pw, topic, Codec.encode(EventsMessage.batch(List.of(good, big))).toString()))
                .isZero();
        assertThat(broker.publish(id, user, pw, topic, Codec.encode(EventsMessage.single(next)).toString())).isZero();
        String token = a.adminToken();
        await("the rest of the batch and the next event are stored").atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(b.call("GET", "/api/v1/events?stationId=" + id + "&limit=10", token,
                        null).getJsonArray("events").stream().map(o -> ((JsonObject) o).getString("id")).toList())
                        .containsExactlyInAnyOrder(good.id(), next.id()));
        assertThat(a.call("GET", "/api/v1/dead-letters", token, null).getJsonArray("deadLetters").stream()
                .map(o -> ((JsonObject) o).getString("payload")))
                .as("the big event is kept for operators").anyMatch(p -> p.contains(big.id()));
    }
}
