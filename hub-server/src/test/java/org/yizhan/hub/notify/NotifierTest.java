package org.yizhan.hub.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.hub.feedback.Deadlines;
import org.yizhan.hub.feedback.Feedback;
import org.yizhan.hub.feedback.FeedbackStore;
import org.yizhan.hub.feedback.OverdueFeedback;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.testing.notify.GroupRobot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yizhan.hub.notify.RobotWebhooksTest.await;

/**
 * The notification rules end to end on a real registry, real alerts and loopback group robots, with a clock moved
 * by hand: one message per alert, quiet hours, reminders until acknowledged, escalation, maintenance windows,
 * retries after a robot's 500, routing, and hubs sharing one outbox.
 */
@ExtendWith(VertxExtension.class)
class NotifierTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** The engine the tests run on; the PostgreSQL subclass overrides it. */
    TestRegistry registry() {
        return H2;
    }

    /** 10:00 in Shanghai. */
    private static final Instant MORNING = Instant.parse("2025-03-03T02:00:00Z");

    private Vertx vertx;
    private Database db;
    private AlertStore alerts;
    private NotifyStore store;
    private MovableClock clock;
    private HubMetrics metrics;
    private Senders senders;
    private Notifier notifier;
    private final List<GroupRobot> robots = new ArrayList<>();

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        this.vertx = vertx;
        db = await(registry().open(vertx));
        alerts = new AlertStore(db);
        store = new NotifyStore(db);
        clock = new MovableClock(MORNING);
        metrics = new HubMetrics();
        senders = new Senders(vertx, 5_000);
        notifier = new Notifier(vertx, store, senders, clock, metrics);
        station("st-1", "拱墅区一号站");
        station("st-2", "西湖区文三路站");
        station("st-3", "滨江区江南站");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (GroupRobot r : robots) {
            r.close();
        }
        await(senders.close());
        await(registry().close(db));
    }

    @Test
    void sendsOneOpenedMessagePerAlertAndAResolvedOneWithTheOutage() throws Exception {
        GroupRobot robot = robot(GroupRobot.Kind.WECOM);
        route(new JsonObject().put("name", "全部").put("channelId", channel(robot)));
        long id = await(alerts.open("st-1", AlertStore.OFFLINE, now(), new JsonObject().put("reason", "lost")));
        pass();
        assertThat(robot.texts()).singleElement().asString().contains("【紧急 urgent】站点离线")
                .contains("拱墅区一号站 (st-1)").contains("#" + id);

        // the station keeps reporting the same trouble: counted on the alert, never a second message
        assertThat(await(alerts.open("st-1", AlertStore.OFFLINE, now(), new JsonObject()))).isEqualTo(id);
        for (int i = 0; i < 3; i++) {
            await(db.tx(c -> AlertStore.openOrRepeat(c, "st-2", AlertStore.DOOR_FORCED, "", now(), new JsonObject())));
            pass();
        }
        assertThat(robot.texts()).as("one for the offline alert, one for the forced door").hasSize(2);

        clock.advance(Duration.ofMinutes(2));
        await(alerts.close("st-1", AlertStore.OFFLINE, now(), new JsonObject().put("outageMillis", 125_000)));
        pass();
        pass();
        assertThat(robot.texts()).hasSize(3);
        assertThat(robot.texts().get(2)).contains("【已恢复 resolved】站点离线").contains("离线时长 Outage: 2 分 5 秒");
    }

    @Test
    void quietHoursHoldNonUrgentAlertsUntilTheMorningButNotUrgentOnes() throws Exception {
        GroupRobot robot = robot(GroupRobot.Kind.WECOM);
        route(new JsonObject().put("name", "夜间静默").put("channelId", channel(robot))
                .put("quietHours", new JsonObject().put("from", "22:00").put("to", "07:00")));
        clock.set(Instant.parse("2025-03-03T15:30:00Z")); // 23:30 in Shanghai
        await(db.tx(c -> AlertStore.openOrRepeat(c, "st-2", AlertStore.DOOR_HELD_OPEN, "", now(), new JsonObject())));
        await(db.tx(c -> AlertStore.openOrRepeat(c, "st-3", AlertStore.SMOKE, "", now(), new JsonObject())));
        pass();
        assertThat(robot.texts()).as("smoke at once, the open door waits").singleElement().asString()
                .contains("烟雾报警").contains("滨江区江南站");

        clock.set(Instant.parse("2025-03-03T22:59:00Z")); // 06:59
        pass();
        assertThat(robot.texts()).hasSize(1);
        clock.set(Instant.parse("2025-03-03T23:00:00Z")); // 07:00
        pass();
        assertThat(robot.texts()).hasSize(2);
        assertThat(robot.texts().get(1)).contains("门未关闭").contains("西湖区文三路站").contains("2025-03-03 23:30:00");
    }

    @Test
    void overdueFeedbackIsAnnouncedOnceAfterTheQuietHoursAndResolvedByTheAnswer() throws Exception {
        GroupRobot robot = robot(GroupRobot.Kind.FEISHU, "feishu-secret-2");
        route(new JsonObject().put("name", "夜间静默").put("channelId", channel(robot, "feishu-secret-2"))
                .put("quietHours", new JsonObject().put("from", "22:00").put("to", "07:00")));
        FeedbackStore feedback = new FeedbackStore(db);
        OverdueFeedback sweeper = new OverdueFeedback(vertx, feedback, db, clock);
        Feedback f = await(feedback.create("st-2", "door", "门禁扫码没反应 13812345678", Optional.empty(),
                Optional.empty(), now())).orElseThrow().feedback();
        await(feedback.triage(f.id(), Deadlines.URGENT, "duty-operator", now()));
        clock.set(Instant.parse("2025-03-03T16:00:30Z")); // 00:00:30 in Shanghai: the urgent item is due by midnight
        assertThat(await(sweeper.sweep())).isEqualTo(1);
        pass();
        assertThat(robot.texts()).as("not urgent: waits out the quiet hours").isEmpty();

        clock.set(Instant.parse("2025-03-03T23:00:00Z")); // 07:00
        assertThat(await(sweeper.sweep())).isZero();
        pass();
        pass();
        assertThat(robot.texts()).singleElement().asString().contains("反馈逾期未答复 feedback overdue")
                .contains("西湖区文三路站").contains(f.id()).contains("答复期限 Answer due: 2025-03-04 00:00:00")
                .doesNotContain("13812345678").doesNotContain("门禁扫码");
        assertThat(robot.received()).extracting(GroupRobot::cardColour).containsExactly("orange");

        clock.advance(Duration.ofMinutes(20));
        await(feedback.answer(f.id(), "已派人检修", "duty-operator", now()));
        pass();
        assertThat(robot.texts()).hasSize(2);
        assertThat(robot.texts().get(1)).contains("【已恢复 resolved】反馈逾期未答复").contains("已答复 Answered by: duty-operator")
                .contains("持续 Lasted: 7 小时 20 分");
        assertThat(robot.refusals()).isEmpty();
        await(sweeper.stop());
    }

    @Test
    void remindsEveryFewMinutesUntilSomeoneAcknowledges() throws Exception {
        GroupRobot robot = robot(GroupRobot.Kind.WECOM);
        route(new JsonObject().put("name", "提醒").put("channelId", channel(robot)).put("remindMinutes", 10));
        long id = await(alerts.open("st-1", AlertStore.OFFLINE, now(), new JsonObject()));
        pass();
        clock.advance(Duration.ofMinutes(9).plusSeconds(59));
        pass();
        assertThat(robot.texts()).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        pass();
        clock.advance(Duration.ofMinutes(10));
        pass();
        assertThat(robot.texts()).hasSize(3);
        assertThat(robot.texts().get(1)).contains("【提醒 reminder 1】").contains("已持续 Not acknowledged, open for 10 分");
        assertThat(robot.texts().get(2)).contains("【提醒 reminder 2】");

        await(alerts.acknowledge(id, "duty-operator", now()));
        clock.advance(Duration.ofMinutes(30));
        pass();
        assertThat(robot.texts()).as("no reminder once acknowledged").hasSize(3);
    }

    @Test
    void escalatesAnAlertStillOpenToAnotherChannelAndTellsItOfTheResolution() throws Exception {
        GroupRobot duty = robot(GroupRobot.Kind.WECOM);
        GroupRobot manager = robot(GroupRobot.Kind.DINGTALK, "SECmanager-group-secret");
        long managerChannel = channel(manager, "SECmanager-group-secret");
        route(new JsonObject().put("name", "离线升级").put("channelId", channel(duty)).put("types", new JsonArray()
                .add("offline")).put("escalateAfterMinutes", 30).put("escalateToChannelId", managerChannel));
        await(alerts.open("st-2", AlertStore.OFFLINE, now(), new JsonObject()));
        pass();
        clock.advance(Duration.ofMinutes(29));
        pass();
        assertThat(manager.texts()).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        pass();
        clock.advance(Duration.ofMinutes(30));
        pass();
        assertThat(manager.texts()).as("escalated once").singleElement().asString().contains("【升级 escalated】")
                .contains("Still open after 30 分");

        await(alerts.close("st-2", AlertStore.OFFLINE, now(), new JsonObject().put("outageMillis", 3_600_000)));
        pass();
        assertThat(duty.texts()).hasSize(2);
        assertThat(duty.texts().get(1)).contains("【已恢复 resolved】").contains("1 小时 0 分");
        assertThat(manager.texts()).hasSize(2);
        assertThat(manager.texts().get(1)).contains("【已恢复 resolved】");
        assertThat(manager.refusals()).as("every DingTalk message was signed right").isEmpty();
    }

    @Test
    void aMaintenanceWindowSilencesTheStationsAlerts() throws Exception {
        GroupRobot robot = robot(GroupRobot.Kind.FEISHU, "feishu-secret-1");
        route(new JsonObject().put("name", "全部").put("channelId", channel(robot, "feishu-secret-1"))
                .put("remindMinutes", 5));
        await(store.createWindow("st-1", now(), now() + 3_600_000, "更换门锁", "tech", now(), Database.Step.none()));
        await(alerts.open("st-1", AlertStore.OFFLINE, now(), new JsonObject()));
        // announced before st-2's window: during it, no reminder; after it, reminders again
        await(alerts.open("st-2", AlertStore.OFFLINE, now(), new JsonObject()));
        pass();
        assertThat(robot.texts()).singleElement().asString().contains("st-2");
        await(store.createWindow("st-2", now(), now() + 600_000, "", "tech", now(), Database.Step.none()));
        clock.advance(Duration.ofMinutes(9));
        pass();
        assertThat(robot.texts()).as("no reminder during st-2's window").hasSize(1);
        clock.advance(Duration.ofMinutes(1));
        pass();
        assertThat(robot.texts()).hasSize(2);
        assertThat(robot.texts().get(1)).contains("【提醒 reminder 1】").contains("st-2");

        clock.advance(Duration.ofHours(2));
        await(alerts.close("st-1", AlertStore.OFFLINE, now(), new JsonObject()));
        pass();
        assertThat(robot.texts()).as("st-1's alert came during its window: silenced for good")
                .noneMatch(t -> t.contains("st-1"));
    }

    @Test
    void aRobotAnswering500IsTriedAgainWithGrowingDelaysAndAFailureIsShown() throws Exception {
        GroupRobot robot = robot(GroupRobot.Kind.WECOM);
        route(new JsonObject().put("name", "全部").put("channelId", channel(robot)));
        robot.failNext(2);
        long alert = await(alerts.open("st-1", AlertStore.OFFLINE, now(), new JsonObject()));
        pass();
        JsonObject first = delivery(alert);
        assertThat(first.getString("status")).isEqualTo("pending");
        assertThat(first.getInteger("attempts")).isEqualTo(1);
        assertThat(first.getString("lastError")).startsWith("HTTP 500");
        assertThat(first.getLong("nextAt")).isEqualTo(now() + NotifyStore.RETRY_DELAYS_MS[0]);
        pass();
        assertThat(delivery(alert).getInteger("attempts")).as("not tried again before it is due").isEqualTo(1);
        clock.advance(Duration.ofMillis(NotifyStore.RETRY_DELAYS_MS[0]));
        pass();
        assertThat(delivery(alert).getInteger("attempts")).isEqualTo(2);
        clock.advance(Duration.ofMillis(NotifyStore.RETRY_DELAYS_MS[1]));
        pass();
        JsonObject sent = delivery(alert);
        assertThat(sent.getString("status")).isEqualTo("sent");
        assertThat(sent.getInteger("attempts")).isEqualTo(3);
        assertThat(robot.texts()).hasSize(1);

        // a robot that stays down: given up after the last try, shown as failed, counted
        robot.failNext(1000);
        long other = await(alerts.open("st-2", AlertStore.SMOKE, now(), new JsonObject()));
        for (int i = 0; i < NotifyStore.MAX_ATTEMPTS + 2; i++) {
            pass();
            clock.advance(Duration.ofHours(1));
        }
        JsonObject failed = delivery(other);
        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(failed.getInteger("attempts")).isEqualTo(NotifyStore.MAX_ATTEMPTS);
        assertThat(metrics.scrape()).contains("yizhan_notify_deliveries_total{channel=\"wecom\",outcome=\"failed\"} 1.0")
                .contains("yizhan_notify_deliveries_total{channel=\"wecom\",outcome=\"retry\"}");
    }

    @Test
    void routesByStationListNamePrefixTypeAndSeverity() throws Exception {
        GroupRobot gongshu = robot(GroupRobot.Kind.WECOM);
        GroupRobot xihu = robot(GroupRobot.Kind.WECOM);
        GroupRobot urgentSmoke = robot(GroupRobot.Kind.WECOM);
        route(new JsonObject().put("name", "一号站").put("channelId", channel(gongshu))
                .put("stationIds", new JsonArray().add("st-1")));
        route(new JsonObject().put("name", "西湖区").put("channelId", channel(xihu)).put("namePrefix", "西湖区"));
        route(new JsonObject().put("name", "紧急").put("channelId", channel(urgentSmoke)).put("severity", "urgent")
                .put("types", new JsonArray().add("smoke").add("door-held-open")));
        await(alerts.open("st-1", AlertStore.OFFLINE, now(), new JsonObject()));
        await(db.tx(c -> AlertStore.openOrRepeat(c, "st-2", AlertStore.DOOR_HELD_OPEN, "", now(), new JsonObject())));
        await(db.tx(c -> AlertStore.openOrRepeat(c, "st-3", AlertStore.SMOKE, "", now(), new JsonObject())));
        await(db.tx(c -> AlertStore.openOrRepeat(c, "st-3", AlertStore.OUTBOX, "disk", now(), new JsonObject())));
        pass();
        assertThat(gongshu.texts()).singleElement().asString().contains("站点离线").contains("st-1");
        assertThat(xihu.texts()).singleElement().asString().contains("门未关闭").contains("st-2");
        assertThat(urgentSmoke.texts()).as("smoke is urgent; a door held open is not").singleElement().asString()
                .contains("烟雾报警").contains("st-3");
    }

    @Test
    void routesByDistrictAndEscalatesALongOutageToTheDistrictManager() throws Exception {
        district("st-2", "西湖区");
        district("st-3", "滨江区");
        GroupRobot xihuDuty = robot(GroupRobot.Kind.WECOM);
        GroupRobot xihuManager = robot(GroupRobot.Kind.DINGTALK, "SECxihu-manager");
        long manager = channel(xihuManager, "SECxihu-manager");
        route(new JsonObject().put("name", "西湖区值班").put("channelId", channel(xihuDuty))
                .put("districts", new JsonArray().add("西湖区")).put("types", new JsonArray().add("offline"))
                .put("escalateAfterMinutes", 30).put("escalateToChannelId", manager));
        await(alerts.open("st-3", AlertStore.OFFLINE, now(), new JsonObject()));
        await(alerts.open("st-1", AlertStore.OFFLINE, now(), new JsonObject()));
        await(alerts.open("st-2", AlertStore.OFFLINE, now(), new JsonObject()));
        pass();
        assertThat(xihuDuty.texts()).as("only the station in 西湖区").singleElement().asString().contains("st-2");
        clock.advance(Duration.ofMinutes(30));
        pass();
        assertThat(xihuManager.texts()).as("offline over 30 minutes goes to the district manager").singleElement()
                .asString().contains("【升级 escalated】").contains("西湖区文三路站");
        assertThat(xihuManager.refusals()).isEmpty();

        // a route stored before districts existed (no "districts" field) still reads and matches every station
        Route old = Route.parse(7, new JsonObject().put("name", "旧路由").put("channelId", 1));
        assertThat(old.districts()).isEmpty();
        assertThat(old.matches("st-9", "任何站", "", "offline")).isTrue();
        assertThat(Route.parse(8, new JsonObject().put("name", "区").put("channelId", 1)
                .put("districts", new JsonArray().add("西湖区"))).matches("st-9", "西湖区某站", "", "offline"))
                .as("a station without a district is not in one").isFalse();
    }

    @Test
    void alertsFromBeforeARouteExistedAreNotSent() throws Exception {
        await(alerts.open("st-1", AlertStore.OFFLINE, now(), new JsonObject()));
        pass();
        GroupRobot robot = robot(GroupRobot.Kind.WECOM);
        route(new JsonObject().put("name", "全部").put("channelId", channel(robot)));
        pass();
        await(alerts.open("st-2", AlertStore.OFFLINE, now(), new JsonObject()));
        pass();
        assertThat(robot.texts()).singleElement().asString().contains("st-2");
    }

    @Test
    void hubsSharingTheRegistrySendEachMessageOnceAndTakeOverADeadHubsClaim() throws Exception {
        GroupRobot robot = robot(GroupRobot.Kind.WECOM);
        route(new JsonObject().put("name", "全部").put("channelId", channel(robot)));
        Notifier other = new Notifier(vertx, store, senders, clock, new HubMetrics());
        Set<String> stations = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String id = "bulk-" + i;
            station(id, "批量站 " + i);
            stations.add(id);
            await(alerts.open(id, AlertStore.OFFLINE, now(), new JsonObject()));
        }
        for (int round = 0; round < 4; round++) {
            // both hubs at once; a planning pass that waits too long for the other's lock fails and is run again
            await(Future.join(notifier.pass(), other.pass()).otherwiseEmpty());
        }
        assertThat(robot.texts()).hasSize(30);
        assertThat(new HashSet<>(robot.texts())).as("no message twice").hasSize(30);

        // a hub died holding a claim: nobody sends it until the claim runs out, then another hub does
        await(alerts.open("st-3", AlertStore.SMOKE, now(), new JsonObject()));
        await(store.plan(now()));
        long id = await(store.due(now(), 10)).get(0);
        assertThat(await(store.claim(id, "hub-that-died", now(), now() + Notifier.CLAIM_MS))).isPresent();
        pass();
        assertThat(robot.texts()).hasSize(30);
        clock.advance(Duration.ofMillis(Notifier.CLAIM_MS + 1));
        pass();
        assertThat(robot.texts()).hasSize(31);
        assertThat(robot.texts().get(30)).contains("烟雾报警");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private void pass() throws Exception {
        await(notifier.pass());
    }

    private long now() {
        return clock.millis();
    }

    private JsonObject delivery(long alertId) throws Exception {
        JsonArray d = await(store.deliveries(Optional.empty(), Optional.of(alertId), 10));
        assertThat(d).as("deliveries of alert %s", alertId).hasSize(1);
        return d.getJsonObject(0);
    }

    private void station(String id, String name) throws Exception {
        await(db.call(c -> Rows.update(c, "INSERT INTO stations (id, name, profile, created_at) VALUES (?, ?, ?, ?)",
                id, name, "simulated", 0L)));
    }

    private void district(String id, String district) throws Exception {
        await(db.call(c -> Rows.update(c, "UPDATE stations SET district = ? WHERE id = ?", district, id)));
    }

    private GroupRobot robot(GroupRobot.Kind kind) throws Exception {
        return robot(kind, null);
    }

    private GroupRobot robot(GroupRobot.Kind kind, String secret) throws Exception {
        GroupRobot r = GroupRobot.start(vertx, kind, Optional.ofNullable(secret));
        robots.add(r);
        return r;
    }

    private long channel(GroupRobot robot) throws Exception {
        return channel(robot, null);
    }

    private long channel(GroupRobot robot, String secret) throws Exception {
        String kind = robot.webhook().contains("/robot/send") ? "dingtalk"
                : robot.webhook().contains("/open-apis/") ? "feishu" : "wecom";
        JsonObject body = new JsonObject().put("name", kind + " 群").put("kind", kind).put("webhook", robot.webhook());
        if (secret != null) {
            body.put("secret", secret);
        }
        return await(store.createChannel(Channel.parse(0, body, Optional.empty()), now(), Database.Step.none())).id();
    }

    private void route(JsonObject spec) throws Exception {
        await(store.createRoute(Route.parse(0, spec), now(), Database.Step.none()));
    }
}
