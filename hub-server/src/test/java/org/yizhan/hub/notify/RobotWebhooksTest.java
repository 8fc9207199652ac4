package org.yizhan.hub.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yizhan.testing.notify.GroupRobot;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each group robot's format and signature, against loopback robots that check them as the services document. */
@ExtendWith(VertxExtension.class)
class RobotWebhooksTest {

    private static final String SECRET = "SEC0123456789abcdef-robot-secret";
    private RobotWebhooks robots;

    @BeforeEach
    void setUp(Vertx vertx) {
        robots = new RobotWebhooks(vertx, 5_000);
    }

    @AfterEach
    void tearDown() {
        robots.close();
    }

    private static final Message MESSAGE = new Message("【紧急 urgent】站点离线 station offline · 文三路站",
            List.of("站点 Station: 文三路站 (st-1)", "告警 Alert: 站点离线 #7"), true);

    @Test
    void wecomGetsMarkdownContent(Vertx vertx) throws Exception {
        try (GroupRobot robot = GroupRobot.start(vertx, GroupRobot.Kind.WECOM, Optional.empty())) {
            await(robots.send(channel("wecom", robot.webhook(), null), MESSAGE));
            assertThat(robot.received()).singleElement().satisfies(r -> {
                assertThat(r.body().getString("msgtype")).isEqualTo("markdown");
                assertThat(r.text()).startsWith("**【紧急 urgent】站点离线").contains("文三路站 (st-1)");
            });
        }
    }

    @Test
    void dingTalkGetsSignedMarkdownAndAWrongSecretIsRefused(Vertx vertx) throws Exception {
        try (GroupRobot robot = GroupRobot.start(vertx, GroupRobot.Kind.DINGTALK, Optional.of(SECRET))) {
            await(robots.send(channel("dingtalk", robot.webhook(), SECRET), MESSAGE));
            assertThat(robot.received()).singleElement().satisfies(r ->
                    assertThat(r.body().getJsonObject("markdown").getString("title")).isEqualTo(MESSAGE.title()));

            Throwable refused = failure(robots.send(channel("dingtalk", robot.webhook(), "SECwrong-secret-value"),
                    MESSAGE));
            assertThat(refused).isInstanceOf(Sender.DeliveryFailed.class);
            assertThat(refused.getMessage()).contains("errcode 310000").doesNotContain(robot.token())
                    .doesNotContain("SECwrong");
            Throwable unsigned = failure(robots.send(channel("dingtalk", robot.webhook(), null), MESSAGE));
            assertThat(unsigned.getMessage()).contains("310000");
            assertThat(robot.received()).as("only the signed message got through").hasSize(1);
        }
    }

    @Test
    void feishuGetsASignedCardColouredBySeverityAndAWrongSecretIsRefused(Vertx vertx) throws Exception {
        try (GroupRobot robot = GroupRobot.start(vertx, GroupRobot.Kind.FEISHU, Optional.of(SECRET))) {
            await(robots.send(channel("feishu", robot.webhook(), SECRET), MESSAGE));
            Message resolved = new Message("【已恢复 resolved】站点离线 · <at id=all></at>文三路站",
                    List.of("站点 Station: <at id=all></at> (st-1)"), false, Message.Severity.RESOLVED);
            await(robots.send(channel("feishu", robot.webhook(), SECRET), resolved));
            await(robots.send(channel("feishu", robot.webhook(), SECRET), new Message("门未关闭", List.of("x"), false)));
            assertThat(robot.refusals()).as("every card had the documented shape and a right signature").isEmpty();
            assertThat(robot.received()).hasSize(3);
            GroupRobot.Received urgent = robot.received().get(0);
            assertThat(urgent.body().getString("msg_type")).isEqualTo("interactive");
            assertThat(urgent.body().getJsonObject("card").getJsonObject("header").getJsonObject("title")
                    .getString("content")).isEqualTo(MESSAGE.title());
            assertThat(urgent.body().getJsonObject("card").getJsonArray("elements").getJsonObject(0)
                    .getJsonObject("text").getString("content")).contains("站点 Station: 文三路站 (st-1)\n告警 Alert");
            assertThat(urgent.text()).startsWith(MESSAGE.title()).contains("告警 Alert");
            assertThat(robot.received()).extracting(GroupRobot::cardColour).as("red, green, orange")
                    .containsExactly("red", "green", "orange");
            assertThat(robot.received().get(1).body().getJsonObject("card").getJsonArray("elements").getJsonObject(0)
                    .getJsonObject("text").getString("content")).as("no mention of the whole group in the text")
                    .doesNotContain("<at").contains("&lt;at id=all&gt;");
            Throwable refused = failure(robots.send(channel("feishu", robot.webhook(), SECRET + "x"), MESSAGE));
            assertThat(refused.getMessage()).contains("code 19021").doesNotContain(robot.token());
        }
    }

    @Test
    void anHttpErrorOrAnUnreachableRobotIsAFailedDeliveryWithoutTheKey(Vertx vertx) throws Exception {
        String webhook;
        try (GroupRobot robot = GroupRobot.start(vertx, GroupRobot.Kind.WECOM, Optional.empty())) {
            webhook = robot.webhook();
            robot.failNext(1);
            Throwable down = failure(robots.send(channel("wecom", webhook, null), MESSAGE));
            assertThat(down.getMessage()).startsWith("HTTP 500");
            Throwable badKey = failure(robots.send(channel("wecom", webhook.replace("key=", "key=x"), null), MESSAGE));
            assertThat(badKey.getMessage()).contains("errcode 93000");
            assertThat(robot.received()).isEmpty();
        }
        Throwable gone = failure(robots.send(channel("wecom", webhook, null), MESSAGE));
        assertThat(gone.getMessage()).contains("cannot reach").doesNotContain(webhook.substring(webhook.indexOf("key=") + 4));
    }

    private static Channel channel(String kind, String webhook, String secret) {
        JsonObject body = new JsonObject().put("name", "值班群").put("kind", kind).put("webhook", webhook);
        if (secret != null) {
            body.put("secret", secret);
        }
        return Channel.parse(1, body, Optional.empty());
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Throwable failure(Future<?> f) {
        try {
            f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the delivery succeeded");
    }
}
