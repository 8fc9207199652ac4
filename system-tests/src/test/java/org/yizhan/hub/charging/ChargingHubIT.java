package org.yizhan.hub.charging;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.HubApp;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestHub;
import org.yizhan.hub.live.Bus;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.Topics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Charging sessions, charger commands and safety alerts through a real hub (H2, QuestDB, MQTT, HTTP) on free
 * ports, with stations played by the Eclipse Paho client over real MQTT.
 */
@ExtendWith(VertxExtension.class)
class ChargingHubIT {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @TempDir
    static Path dataDir;

    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static String technician;
    static String operator;
    static final List<JsonObject> liveMessages = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startHub(Vertx vertx) throws Exception {
        vertx.eventBus().<JsonObject>consumer(Bus.LIVE, m -> liveMessages.add(m.body()));
        hub = TestHub.start(vertx, dataDir);
        app = hub.app();
        api = hub.client();
        technician = hub.user("tech", "technician");
        operator = hub.user("oper", "operator");
    }

    @AfterAll
    static void stopHub() throws Exception {
        hub.close();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** A registered, provisioned station with 4 ports, connected over MQTT. */
    private record Station(String id, MqttClient mqtt) implements AutoCloseable {
        void send(Event e) throws MqttException {
            mqtt.publish(Topics.of(id, Channel.EVENTS), e.toJson().encode().getBytes(StandardCharsets.UTF_8), 1, false);
        }

        void send(String type, long ts, JsonObject data) throws MqttException {
            send(Event.of(type, ts, data));
        }

        void telemetry(JsonObject t) throws MqttException {
            mqtt.publish(Topics.of(id, Channel.TELEMETRY), t.put("v", Codec.VERSION).put("ts", System.currentTimeMillis())
                    .encode().getBytes(StandardCharsets.UTF_8), 1, false);
        }

        @Override
        public void close() throws MqttException {
            if (mqtt.isConnected()) {
                mqtt.disconnect();
            }
            mqtt.close();
        }
    }

    private static Station station(String name) throws Exception {
        JsonObject created = hub.createStation(technician, TestHub.station(name));
        String id = created.getJsonObject("station").getString("id");
        JsonObject answer = get(api.post("/api/v1/provision", new JsonObject().put("claimCode", created.getString("claimCode"))))
                .bodyAsJsonObject();
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + app.mqttPort(), id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(id);
        o.setPassword(answer.getJsonObject("mqtt").getString("password").toCharArray());
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(5);
        c.connect(o);
        return new Station(id, c);
    }

    private static HttpResponse<Buffer> getAs(String token, String path) throws Exception {
        return get(api.get(path, token));
    }

    private static HttpResponse<Buffer> command(String token, String stationId, JsonObject body) throws Exception {
        return get(api.post("/api/v1/stations/" + stationId + "/commands", token, body));
    }

    private static String field(HttpResponse<Buffer> r) {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
        return r.bodyAsJsonObject().getJsonObject("error").getString("field");
    }

    private static List<JsonObject> openAlerts(String stationId) throws Exception {
        HttpResponse<Buffer> r = getAs(operator, "/api/v1/alerts?open=true&stationId=" + stationId);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("alerts").stream().map(o -> (JsonObject) o).toList();
    }

    private static List<JsonObject> liveAlerts(String stationId) {
        return liveMessages.stream().filter(m -> "alert".equals(m.getString("kind"))
                && stationId.equals(m.getString("stationId"))).map(m -> m.getJsonObject("data")).toList();
    }

    private static long at(int day, int hour) {
        return ZonedDateTime.of(2025, 5, day, hour, 0, 0, 0, SHANGHAI).toInstant().toEpochMilli();
    }

    // ---- sessions ------------------------------------------------------------------------------------------

    @Test
    void sessionEventsBecomeOneSessionRowEvenWhenTheEndIsSentTwice() throws Exception {
        try (Station s = station("Sessions")) {
            long t0 = System.currentTimeMillis() - 3_600_000;
            s.send("charger.session_started", t0, new JsonObject().put("port", 1).put("member", "m-7f3a")
                    .put("sessionId", "sess-1").put("startedAt", t0).put("extra", "ignored"));
            Event end = Event.of("charger.session_ended", t0 + 1_800_000, new JsonObject().put("port", 1)
                    .put("member", "m-7f3a").put("sessionId", "sess-1").put("startedAt", t0)
                    .put("endedAt", t0 + 1_800_000).put("energyWh", 312.5).put("reason", "full"));
            s.send(end);
            s.send(end);
            // an end whose start the hub never saw still makes a session; one without sessionId makes none
            s.send("charger.session_ended", t0 - 60_000, new JsonObject().put("port", 2).put("sessionId", "sess-2")
                    .put("endedAt", t0 - 60_000).put("energyWh", 5).put("reason", "unplugged"));
            s.send("charger.session_ended", t0, new JsonObject().put("port", 3).put("reason", "full"));

            JsonObject page = getAs(operator, "/api/v1/stations/" + s.id() + "/sessions").bodyAsJsonObject();
            JsonArray sessions = page.getJsonArray("sessions");
            assertThat(sessions).as(page.encode()).hasSize(2);
            JsonObject first = sessions.getJsonObject(0);
            assertThat(first.getString("sessionId")).as("newest first").isEqualTo("sess-1");
            assertThat(first.getInteger("port")).isEqualTo(1);
            assertThat(first.getString("member")).isEqualTo("m-7f3a");
            assertThat(first.getLong("startedAt")).isEqualTo(t0);
            assertThat(first.getLong("endedAt")).isEqualTo(t0 + 1_800_000);
            assertThat(first.getDouble("energyWh")).isEqualTo(312.5);
            assertThat(first.getString("reason")).isEqualTo("full");
            JsonObject orphan = sessions.getJsonObject(1);
            assertThat(orphan.getString("sessionId")).isEqualTo("sess-2");
            assertThat(orphan.getLong("startedAt")).as("no start known: the end").isEqualTo(t0 - 60_000);
            assertThat(orphan.getValue("member")).isNull();
            assertThat(page.getValue("next")).isNull();

            HttpResponse<Buffer> one = getAs(operator, "/api/v1/stations/" + s.id() + "/sessions?limit=1");
            String next = one.bodyAsJsonObject().getString("next");
            assertThat(next).isNotNull();
            JsonArray second = getAs(operator, "/api/v1/stations/" + s.id() + "/sessions?limit=1&after=" + next)
                    .bodyAsJsonObject().getJsonArray("sessions");
            assertThat(second.getJsonObject(0).getString("sessionId")).isEqualTo("sess-2");
            JsonArray port2 = getAs(operator, "/api/v1/stations/" + s.id() + "/sessions?port=2")
                    .bodyAsJsonObject().getJsonArray("sessions");
            assertThat(port2).hasSize(1);
            assertThat(app.metrics().scrape()).contains("yizhan_sessions_skipped_total 1.0");
        }
    }

    @Test
    void badOptionalFieldsOfASessionAreStoredAsUnknown() throws Exception {
        try (Station s = station("Tolerant")) {
            long ts = System.currentTimeMillis() - 10_000;
            s.send("charger.session_started", ts, new JsonObject().put("sessionId", "odd").put("port", "one")
                    .put("member", 123).put("startedAt", -5));
            s.send("charger.session_ended", ts + 5_000, new JsonObject().put("sessionId", "odd").put("port", 99)
                    .put("energyWh", -3).put("reason", "Exploded!"));
            JsonObject row = getAs(operator, "/api/v1/stations/" + s.id() + "/sessions").bodyAsJsonObject()
                    .getJsonArray("sessions").getJsonObject(0);
            assertThat(row.getValue("port")).isNull();
            assertThat(row.getValue("member")).isNull();
            assertThat(row.getLong("startedAt")).as("the event's time").isEqualTo(ts);
            assertThat(row.getLong("endedAt")).isEqualTo(ts + 5_000);
            assertThat(row.getValue("energyWh")).isNull();
            assertThat(row.getString("reason")).isEqualTo("unknown");
        }
    }

    @Test
    void summaryGivesEnergySessionsAndUtilisationPerLocalDayAndAcrossStations() throws Exception {
        try (Station s = station("Summary")) {
            s.send("charger.session_ended", at(1, 12), new JsonObject().put("port", 1).put("sessionId", "a")
                    .put("startedAt", at(1, 10)).put("endedAt", at(1, 12)).put("energyWh", 600).put("reason", "full"));
            s.send("charger.session_ended", at(2, 1), new JsonObject().put("port", 2).put("sessionId", "b")
                    .put("startedAt", at(1, 23)).put("endedAt", at(2, 1)).put("energyWh", 400).put("reason", "unplugged"));

            JsonObject out = getAs(operator, "/api/v1/stations/" + s.id() + "/sessions/summary?from=2025-05-01&to=2025-05-02")
                    .bodyAsJsonObject();
            assertThat(out.getString("timeZone")).isEqualTo("Asia/Shanghai");
            JsonObject d1 = out.getJsonArray("days").getJsonObject(0);
            assertThat(d1.getString("date")).isEqualTo("2025-05-01");
            assertThat(d1.getInteger("sessions")).isEqualTo(2);
            assertThat(d1.getDouble("energyWh")).isEqualTo(800.0);
            assertThat(d1.getDouble("busyMinutes")).isEqualTo(180.0);
            assertThat(d1.getDouble("utilisation")).isEqualTo(0.0313);
            JsonObject d2 = out.getJsonArray("days").getJsonObject(1);
            assertThat(d2.getDouble("energyWh")).isEqualTo(200.0);
            assertThat(out.getJsonObject("total").getDouble("energyWh")).isEqualTo(1000.0);
            assertThat(out.getJsonObject("total").getDouble("utilisation")).isEqualTo(0.0208);

            JsonObject all = getAs(operator, "/api/v1/charging/summary?from=2025-05-01&to=2025-05-02").bodyAsJsonObject();
            assertThat(all.getJsonObject("total").getInteger("sessions")).isEqualTo(2);
            assertThat(all.getJsonObject("total").getDouble("energyWh")).isEqualTo(1000.0);
            JsonObject mine = all.getJsonArray("stations").stream().map(o -> (JsonObject) o)
                    .filter(o -> s.id().equals(o.getString("stationId"))).findFirst().orElseThrow();
            assertThat(mine.getDouble("busyMinutes")).isEqualTo(240.0);
        }
    }

    @Test
    void sessionAndSummaryParametersAreChecked() throws Exception {
        String id = hub.createStation(technician, TestHub.station("Params")).getJsonObject("station").getString("id");
        String base = "/api/v1/stations/" + id + "/sessions";
        assertThat(field(getAs(operator, base + "?port=5"))).as("4 ports").isEqualTo("port");
        assertThat(field(getAs(operator, base + "?limit=0"))).isEqualTo("limit");
        assertThat(field(getAs(operator, base + "?after=x1"))).isEqualTo("after");
        assertThat(field(getAs(operator, base + "?from=20&to=10"))).isEqualTo("from");
        assertThat(field(getAs(operator, base + "/summary?from=2025-13-01"))).isEqualTo("from");
        assertThat(field(getAs(operator, base + "/summary?from=2025-05-03&to=2025-05-01"))).isEqualTo("from");
        assertThat(field(getAs(operator, "/api/v1/charging/summary?from=2020-01-01&to=2025-01-01"))).isEqualTo("from");
        assertThat(field(getAs(operator, "/api/v1/charging/summary?to=yesterday"))).isEqualTo("to");
        assertThat(getAs(operator, "/api/v1/stations/st-none-here/sessions").statusCode()).isEqualTo(404);
        assertThat(getAs(operator, "/api/v1/stations/st-none-here/sessions/summary").statusCode()).isEqualTo(404);
        assertThat(get(api.get(base)).statusCode()).as("no token").isEqualTo(401);
        assertThat(get(api.get("/api/v1/charging/summary")).statusCode()).isEqualTo(401);
        JsonObject week = getAs(operator, base + "/summary").bodyAsJsonObject();
        assertThat(week.getJsonArray("days")).as("the last 7 days by default").hasSize(7);
    }

    // ---- commands ------------------------------------------------------------------------------------------

    @Test
    void chargerCommandArgumentsAreCheckedAgainstTheStation() throws Exception {
        String id = hub.createStation(technician, TestHub.station("Args")).getJsonObject("station").getString("id");
        JsonObject stop = new JsonObject().put("name", "charger.stop");
        assertThat(field(command(operator, id, stop.copy()))).isEqualTo("args.port");
        assertThat(field(command(operator, id, stop.copy().put("args", new JsonObject().put("port", 5)))))
                .isEqualTo("args.port");
        assertThat(field(command(operator, id, stop.copy().put("args", new JsonObject().put("port", 1.5)))))
                .isEqualTo("args.port");
        assertThat(field(command(operator, id, stop.copy().put("args", new JsonObject().put("port", "1")))))
                .isEqualTo("args.port");
        assertThat(field(command(operator, id, stop.copy().put("args", new JsonObject().put("port", 1).put("force", true)))))
                .isEqualTo("args.force");
        assertThat(field(command(operator, id, new JsonObject().put("name", "charger.disable")
                .put("args", new JsonObject().put("port", 1).put("member", "m-1"))))).as("member only for start")
                .isEqualTo("args.member");
        assertThat(field(command(operator, id, new JsonObject().put("name", "charger.start")
                .put("args", new JsonObject().put("port", 1))))).isEqualTo("args.member");
        assertThat(field(command(operator, id, new JsonObject().put("name", "charger.start")
                .put("args", new JsonObject().put("port", 1).put("member", "<script>"))))).isEqualTo("args.member");

        assertThat(field(command(operator, id, new JsonObject().put("name", "charger.start")
                .put("args", new JsonObject().put("port", 1).put("member", "m-1").put("minutes", 721))))).isEqualTo("args.minutes");
        assertThat(field(command(operator, id, stop.copy().put("args", new JsonObject().put("port", 1).put("by", "hub")))))
                .isEqualTo("args.by");

        HttpResponse<Buffer> ok = command(operator, id, new JsonObject().put("name", "charger.start")
                .put("args", new JsonObject().put("port", 4).put("member", "m-7f3a").put("minutes", 240)));
        assertThat(ok.statusCode()).as(ok.bodyAsString()).isEqualTo(202);
        assertThat(get(api.post("/api/v1/stations/" + id + "/commands", stop.copy()
                .put("args", new JsonObject().put("port", 1)))).statusCode()).as("anonymous").isEqualTo(401);
    }

    /**
     * The charger commands the station receives. The hub also sends its own {@code credentials.sync} when a
     * station comes online; this test station leaves that to the door-access tests.
     */
    private static BlockingQueue<Command> chargerCommands(Station s) throws Exception {
        BlockingQueue<Command> received = new LinkedBlockingQueue<>();
        s.mqtt().subscribe(Topics.of(s.id(), Channel.COMMAND), 1, (topic, m) -> {
            Command c = Codec.decode(Channel.COMMAND, m.getPayload(), Command.class);
            if (c.name().startsWith("charger.")) {
                received.add(c);
            }
        });
        return received;
    }

    @Test
    void operatorStopsAPortAndTheResultComesBack() throws Exception {
        try (Station s = station("Stop")) {
            BlockingQueue<Command> received = chargerCommands(s);
            HttpResponse<Buffer> r = command(operator, s.id(), new JsonObject().put("name", "charger.stop")
                    .put("args", new JsonObject().put("port", 2)));
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202);
            Command cmd = received.poll(10, TimeUnit.SECONDS);
            assertThat(cmd).as("the station gets the command").isNotNull();
            assertThat(cmd.name()).isEqualTo("charger.stop");
            assertThat(cmd.args().getInteger("port")).isEqualTo(2);
            s.mqtt().publish(Topics.of(s.id(), Channel.COMMAND_RESULT),
                    CommandResult.ok(System.currentTimeMillis(), cmd.id()).toJson().encode().getBytes(StandardCharsets.UTF_8), 1, false);
            JsonObject status = getAs(operator, "/api/v1/commands/" + cmd.id()).bodyAsJsonObject();
            assertThat(status.getString("status")).isEqualTo("succeeded");
        }
    }

    // ---- alerts --------------------------------------------------------------------------------------------

    @Test
    void safetyCutoffOpensAnAlertPerPortOnTheLiveStreamAndEnablingThePortClosesIt() throws Exception {
        try (Station s = station("Cutoff")) {
            long now = System.currentTimeMillis();
            s.send("charger.safety_cutoff", now, new JsonObject().put("port", 2).put("cause", "over-temperature")
                    .put("reading", new JsonObject().put("tempC", 71.5)));
            s.send("charger.safety_cutoff", now + 1, new JsonObject().put("cause", "cabinet-overload").put("reading", 3650));

            List<JsonObject> open = openAlerts(s.id());
            assertThat(open).extracting(a -> a.getString("type")).containsExactly("safety-cutoff", "safety-cutoff");
            JsonObject port2 = open.stream().filter(a -> "port:2".equals(a.getString("subject"))).findFirst().orElseThrow();
            assertThat(port2.getJsonObject("data").getInteger("port")).isEqualTo(2);
            assertThat(port2.getJsonObject("data").getString("cause")).isEqualTo("over-temperature");
            assertThat(port2.getJsonObject("data").getJsonObject("reading").getDouble("tempC")).isEqualTo(71.5);
            JsonObject cabinet = open.stream().filter(a -> "cabinet".equals(a.getString("subject"))).findFirst().orElseThrow();
            assertThat(cabinet.getJsonObject("data").getValue("port")).isNull();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(liveAlerts(s.id()))
                    .extracting(a -> a.getLong("id")).contains(port2.getLong("id"), cabinet.getLong("id")));

            BlockingQueue<Command> received = chargerCommands(s);
            assertThat(command(operator, s.id(), new JsonObject().put("name", "charger.enable")
                    .put("args", new JsonObject().put("port", 2))).statusCode()).isEqualTo(202);
            Command enable = received.poll(10, TimeUnit.SECONDS);
            assertThat(enable).isNotNull();
            s.mqtt().publish(Topics.of(s.id(), Channel.COMMAND_RESULT),
                    CommandResult.ok(System.currentTimeMillis(), enable.id()).toJson().encode().getBytes(StandardCharsets.UTF_8), 1, false);

            assertThat(openAlerts(s.id())).as("the cabinet alert waits for an operator")
                    .extracting(a -> a.getString("subject")).containsExactly("cabinet");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(liveAlerts(s.id()))
                    .anySatisfy(a -> {
                        assertThat(a.getLong("id")).isEqualTo(port2.getLong("id"));
                        assertThat(a.getLong("closedAt")).isNotNull();
                    }));
        }
    }

    @Test
    void smokeAlarmOpensAnAlertAndTheAllClearClosesIt() throws Exception {
        try (Station s = station("Smoke")) {
            long now = System.currentTimeMillis();
            s.send("smoke.alarm", now, new JsonObject().put("active", true));
            s.send("smoke.alarm", now + 5, new JsonObject().put("active", true));
            List<JsonObject> open = openAlerts(s.id());
            assertThat(open).extracting(a -> a.getString("type")).containsExactly("smoke");
            assertThat(open.get(0).getJsonObject("data").getInteger("repeats")).as("a repeat adds no alert").isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(liveAlerts(s.id())).extracting(a -> a.getString("type")).contains("smoke"));

            s.send("smoke.alarm", now + 60_000, new JsonObject().put("active", false));
            assertThat(openAlerts(s.id())).isEmpty();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(liveAlerts(s.id()))
                    .anySatisfy(a -> assertThat(a.getLong("closedAt")).isEqualTo(now + 60_000)));
        }
    }

    @Test
    void forcedDoorStaysOpenAndHeldOpenDoorClosesWithTheDoor() throws Exception {
        try (Station s = station("Door")) {
            long now = System.currentTimeMillis();
            s.send("door.forced", now, new JsonObject());
            s.send("door.held_open", now + 1, new JsonObject().put("seconds", 120));
            assertThat(openAlerts(s.id())).extracting(a -> a.getString("type"))
                    .containsExactlyInAnyOrder("door-forced", "door-held-open");
            s.send("door.closed", now + 2, new JsonObject());
            assertThat(openAlerts(s.id())).extracting(a -> a.getString("type")).containsExactly("door-forced");
        }
    }

    // ---- station view --------------------------------------------------------------------------------------

    @Test
    void stationShowsTodaysSessionsAndEachPortsCurrentSession() throws Exception {
        try (Station s = station("Today")) {
            long now = System.currentTimeMillis();
            s.send("charger.session_started", now - 60_000, new JsonObject().put("port", 3).put("member", "m-aa01")
                    .put("sessionId", "live-1").put("startedAt", now - 60_000));
            s.telemetry(new JsonObject().put("chargers", new JsonArray()
                    .add(new JsonObject().put("port", 1).put("state", "available").put("powerW", 0).put("energyWh", 0))
                    .add(new JsonObject().put("port", 3).put("state", "charging").put("powerW", 180.5).put("energyWh", 42.0))));
            await().atMost(Duration.ofSeconds(5)).until(() -> app.live().telemetry(s.id()).isPresent());

            JsonObject view = getAs(operator, "/api/v1/stations/" + s.id()).bodyAsJsonObject();
            assertThat(view.getJsonObject("today").getInteger("sessions")).isEqualTo(1);
            assertThat(view.getJsonObject("today").getDouble("energyWh")).as("what the open session drew").isEqualTo(42.0);
            JsonArray chargers = view.getJsonArray("chargers");
            assertThat(chargers.getJsonObject(0).getValue("session")).isNull();
            JsonObject session = chargers.getJsonObject(1).getJsonObject("session");
            assertThat(session.getString("member")).isEqualTo("m-aa01");
            assertThat(session.getLong("startedAt")).isEqualTo(now - 60_000);
            assertThat(session.getDouble("energyWh")).isEqualTo(42.0);

            JsonObject listed = getAs(operator, "/api/v1/stations").bodyAsJsonObject().getJsonArray("stations").stream()
                    .map(o -> (JsonObject) o).filter(o -> s.id().equals(o.getString("id"))).findFirst().orElseThrow();
            assertThat(listed.getJsonObject("today").getInteger("sessions")).isEqualTo(1);
        }
    }
}
