package org.yizhan.hub.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.yizhan.hub.http.ApiException;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Channels and routes as admins send them: bad settings are refused naming the field; secrets never shown. */
class NotifyConfigTest {

    private static final String KEY = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa";
    private static final String WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + KEY;

    @Test
    void aChannelShowsItsSecretsMaskedAndKeepsThemWhenSentBackMasked() {
        Channel ding = Channel.parse(4, new JsonObject().put("name", "区长群").put("kind", "dingtalk")
                .put("webhook", "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789")
                .put("secret", "SECsecret-value-0001"), Optional.empty());
        JsonObject view = ding.view();
        assertThat(view.encode()).doesNotContain("abcdef0123456789").doesNotContain("SECsecret-value-0001")
                .contains("access_token=abcd****");
        assertThat(ding.toString()).doesNotContain("abcdef").doesNotContain("SECsecret");

        JsonObject edited = view.getJsonObject("settings").copy().put("name", "区长群 (新)");
        Channel renamed = Channel.parse(4, edited, Optional.of(ding));
        assertThat(renamed.settings()).isEqualTo(ding.settings());
        assertThat(renamed.name()).isEqualTo("区长群 (新)");
        Channel unsigned = Channel.parse(4, edited.copy().put("secret", ""), Optional.of(ding));
        assertThat(unsigned.settings().containsKey("secret")).as("an empty secret turns signing off").isFalse();

        Channel feishu = Channel.parse(5, new JsonObject().put("name", "f").put("kind", "feishu")
                .put("webhook", "https://open.feishu.cn/open-apis/bot/v2/hook/2f0e8c7a-1111-2222"), Optional.empty());
        assertThat(feishu.view().getJsonObject("settings").getString("webhook"))
                .isEqualTo("https://open.feishu.cn/open-apis/bot/v2/hook/2f0e****");
        assertThat(feishu.scrub("POST /open-apis/bot/v2/hook/2f0e8c7a-1111-2222 failed")).doesNotContain("8c7a-1111");

        Channel mail = Channel.parse(6, new JsonObject().put("name", "m").put("kind", "email").put("host", "smtp.qq.com")
                .put("port", 587).put("starttls", "required").put("username", "u").put("password", "p4ssw0rd")
                .put("from", "a@b.cn").put("to", new JsonArray().add("c@d.cn")), Optional.empty());
        assertThat(mail.view().encode()).doesNotContain("p4ssw0rd");
    }

    @Test
    void badChannelsAreRefusedNamingTheField() {
        assertBad(new JsonObject().put("kind", "wecom").put("webhook", WECOM), "name");
        assertBad(new JsonObject().put("name", "x").put("kind", "telegram").put("webhook", WECOM), "kind");
        assertBad(new JsonObject().put("name", "x").put("kind", "wecom"), "webhook");
        assertBad(new JsonObject().put("name", "x").put("kind", "wecom").put("webhook", "ftp://host/x"), "webhook");
        assertBad(new JsonObject().put("name", "x").put("kind", "wecom").put("webhook", "not a url at all"), "webhook");
        assertBad(new JsonObject().put("name", "x").put("kind", "wecom").put("webhook", WECOM).put("secret", "s"),
                "secret");
        JsonObject mail = new JsonObject().put("name", "m").put("kind", "email").put("host", "smtp.example.org")
                .put("from", "a@b.cn").put("to", new JsonArray().add("c@d.cn"));
        assertBad(mail.copy().put("to", new JsonArray()), "to");
        assertBad(mail.copy().put("to", new JsonArray().add("not-an-address")), "to[0]");
        assertBad(mail.copy().put("port", 70000), "port");
        assertBad(mail.copy().put("starttls", "maybe"), "starttls");
        assertBad(mail.copy().put("password", "p"), "username");
        assertBad(mail.copy().put("from", "nobody"), "from");
        Channel wecom = Channel.parse(1, new JsonObject().put("name", "x").put("kind", "wecom").put("webhook", WECOM),
                Optional.empty());
        assertThatThrownBy(() -> Channel.parse(1, mail, Optional.of(wecom))).isInstanceOf(ApiException.class)
                .hasMessageStartingWith("kind: cannot change");
    }

    @Test
    void badRoutesAreRefusedNamingTheField() {
        JsonObject ok = new JsonObject().put("name", "r").put("channelId", 1);
        assertThat(Route.parse(0, ok).zone()).isEqualTo(Route.DEFAULT_ZONE);
        assertBadRoute(ok.copy().put("quietHours", new JsonObject().put("from", "22:00").put("to", "7:00")),
                "quietHours.to");
        assertBadRoute(ok.copy().put("quietHours", new JsonObject().put("from", "22:00").put("to", "22:00")),
                "quietHours.to");
        assertBadRoute(ok.copy().put("timeZone", "Mars/Olympus"), "timeZone");
        assertBadRoute(ok.copy().put("escalateAfterMinutes", 30), "escalateToChannelId");
        assertBadRoute(ok.copy().put("escalateToChannelId", 2), "escalateAfterMinutes");
        assertBadRoute(ok.copy().put("escalateToChannelId", 1).put("escalateAfterMinutes", 5), "escalateToChannelId");
        assertBadRoute(ok.copy().put("remindMinutes", -1), "remindMinutes");
        assertBadRoute(ok.copy().put("severity", "high"), "severity");
        assertBadRoute(ok.copy().put("types", new JsonArray().add("Offline!")), "types");
        assertBadRoute(ok.copy().put("stationIds", new JsonArray().add("A B")), "stationIds");
        assertBadRoute(ok.copy().put("channelId", "one"), "channelId");
        assertBadRoute(ok.copy().put("enabled", "yes"), "enabled");
    }

    @Test
    void quietHoursAcrossMidnightContainTheNightOnly() {
        QuietHours q = QuietHours.parse(new JsonObject().put("from", "22:00").put("to", "07:00"));
        // 22:00 and 06:59 in Shanghai are quiet; 07:00 and 21:59 are not
        assertThat(q.contains(java.time.Instant.parse("2025-03-03T14:00:00Z").toEpochMilli(), Route.DEFAULT_ZONE)).isTrue();
        assertThat(q.contains(java.time.Instant.parse("2025-03-03T22:59:00Z").toEpochMilli(), Route.DEFAULT_ZONE)).isTrue();
        assertThat(q.contains(java.time.Instant.parse("2025-03-03T23:00:00Z").toEpochMilli(), Route.DEFAULT_ZONE)).isFalse();
        assertThat(q.contains(java.time.Instant.parse("2025-03-03T13:59:00Z").toEpochMilli(), Route.DEFAULT_ZONE)).isFalse();
    }

    private static void assertBad(JsonObject body, String field) {
        assertThatThrownBy(() -> Channel.parse(0, body, Optional.empty())).isInstanceOfSatisfying(ApiException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.field()).as(e.getMessage()).contains(field);
                });
    }

    private static void assertBadRoute(JsonObject body, String field) {
        assertThatThrownBy(() -> Route.parse(0, body)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.field()).as(e.getMessage()).contains(field);
        });
    }
}
