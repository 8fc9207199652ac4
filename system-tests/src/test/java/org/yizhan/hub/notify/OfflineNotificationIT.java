package org.yizhan.hub.notify;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.config.StationConfig;
import org.yizhan.testing.Proc;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.notify.GroupRobot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The check: killing a station's agent (its own process, SIGKILL) posts an offline message to a loopback
 * webhook in each group-robot format (WeCom, DingTalk and Feishu, the last two with signing on) within seconds, and
 * a resolved message with the outage length when it returns.
 */
@ExtendWith(VertxExtension.class)
class OfflineNotificationIT {

    private static final String DING_SECRET = "SECding-robot-secret-0123456789";
    private static final String FEISHU_SECRET = "feishu-robot-secret-0123456789";

    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void killingTheAgentPostsOfflineToEveryRobotAndResolvedWhenItReturns(Vertx vertx) throws Exception {
        TestHub hub = TestHub.start(vertx, tmp.resolve("hub"));
        open.add(hub);
        GroupRobot wecom = robot(vertx, GroupRobot.Kind.WECOM, null);
        GroupRobot ding = robot(vertx, GroupRobot.Kind.DINGTALK, DING_SECRET);
        GroupRobot feishu = robot(vertx, GroupRobot.Kind.FEISHU, FEISHU_SECRET);
        String admin = hub.adminToken();
        for (JsonObject ch : List.of(
                new JsonObject().put("name", "企业微信值班群").put("kind", "wecom").put("webhook", wecom.webhook()),
                new JsonObject().put("name", "钉钉值班群").put("kind", "dingtalk").put("webhook", ding.webhook())
                        .put("secret", DING_SECRET),
                new JsonObject().put("name", "飞书值班群").put("kind", "feishu").put("webhook", feishu.webhook())
                        .put("secret", FEISHU_SECRET))) {
            long id = hub.call("POST", "/api/v1/notify/channels", admin, ch).getLong("id");
            hub.call("POST", "/api/v1/notify/routes", admin, new JsonObject().put("name", ch.getString("name"))
                    .put("channelId", id).put("types", new io.vertx.core.json.JsonArray().add("offline")));
        }

        StationConfig provisioned = hub.provision(admin, TestHub.station("西湖区文三路站").put("heartbeatSeconds", 2));
        String stationId = provisioned.stationId();
        Path dir = tmp.resolve("agent");
        ConfigFile.write(dir, provisioned);
        Proc agent = agent(dir, "agent");
        hub.awaitConnected(stationId);

        agent.kill();
        // within seconds of the kill: the dropped connection marks the station offline at once
        for (GroupRobot robot : List.of(wecom, ding, feishu)) {
            await("offline message at the " + robot + " robot").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).until(() -> !robot.texts().isEmpty());
        }
        for (GroupRobot robot : List.of(wecom, ding, feishu)) {
            assertThat(robot.texts()).singleElement().asString().contains("站点离线").contains("西湖区文三路站")
                    .contains(stationId);
        }

        agent(dir, "agent-back");
        hub.awaitConnected(stationId);
        for (GroupRobot robot : List.of(wecom, ding, feishu)) {
            await("resolved message at the " + robot + " robot").atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(100)).until(() -> robot.texts().size() == 2);
            assertThat(robot.texts().get(1)).contains("【已恢复 resolved】").contains("离线时长 Outage:");
            assertThat(robot.refusals()).as("no message refused for its shape or signature").isEmpty();
        }
        assertThat(feishu.received()).extracting(GroupRobot::cardColour).as("Feishu's card: red when it went down, "
                + "green when it came back").containsExactly("red", "green");
        JsonObject deliveries = hub.call("GET", "/api/v1/notify/deliveries?status=sent", admin, null);
        assertThat(deliveries.getJsonArray("deliveries")).hasSize(6);
    }

    private GroupRobot robot(Vertx vertx, GroupRobot.Kind kind, String secret) throws Exception {
        GroupRobot r = GroupRobot.start(vertx, kind, Optional.ofNullable(secret));
        open.add(r);
        return r;
    }

    private Proc agent(Path dir, String name) throws Exception {
        Files.deleteIfExists(dir.resolve("ports.json"));
        Proc p = Proc.start(name, Proc.jar("station-agent", "yizhan-agent.jar"),
                List.of("run", "--dir", dir.toString(), "--simulate"), Map.of("YIZHAN_AGENT_HTTP_PORT", "0"),
                tmp.resolve("logs"));
        open.add(p);
        Proc.awaitPorts(dir, p);
        return p;
    }
}
