package org.yizhan.hub.notify;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestHub;
import org.yizhan.testing.notify.GroupRobot;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notification admin API on a real hub: channels with secrets that never come back, a test message through a
 * loopback robot (and a clear 502 when the robot refuses it), routes and maintenance windows refused with a 400
 * naming the bad field, a channel in use kept, roles, and every change in the audit log without a secret.
 */
@ExtendWith(VertxExtension.class)
class NotifyApiIT {

    private static final String SECRET = "SECapi-test-secret-0123456789";
    private static final String PASSWORD = "smtp-pass-0123456789";

    @TempDir
    Path tmp;

    @Test
    void channelsRoutesMaintenanceAndDeliveries(Vertx vertx) throws Exception {
        try (TestHub hub = TestHub.start(vertx, tmp);
             GroupRobot ding = GroupRobot.start(vertx, GroupRobot.Kind.DINGTALK, Optional.of(SECRET))) {
            String admin = hub.adminToken();
            String tech = hub.user("tech", "technician");
            String oper = hub.user("oper", "operator");

            JsonObject created = hub.call("POST", "/api/v1/notify/channels", admin, new JsonObject()
                    .put("name", "钉钉值班群").put("kind", "dingtalk").put("webhook", ding.webhook()).put("secret", SECRET));
            long channel = created.getLong("id");
            JsonObject mail = hub.call("POST", "/api/v1/notify/channels", admin, new JsonObject().put("name", "邮件")
                    .put("kind", "email").put("host", "127.0.0.1").put("port", 2525).put("username", "alerts")
                    .put("password", PASSWORD).put("from", "alerts@union.example")
                    .put("to", new JsonArray().add("duty@union.example")));
            String listed = hub.send("GET", "/api/v1/notify/channels", admin, null).body();
            for (String answer : new String[] {created.encode(), mail.encode(), listed}) {
                assertThat(answer).doesNotContain(SECRET).doesNotContain(ding.token()).doesNotContain(PASSWORD);
            }
            assertThat(created.getJsonObject("settings").getString("secret")).isEqualTo("****");

            // the test message goes through, signed
            JsonObject test = hub.call("POST", "/api/v1/notify/channels/" + channel + "/test", admin, null);
            assertThat(test.getBoolean("delivered")).isTrue();
            assertThat(ding.texts()).singleElement().asString().contains("测试");

            // renamed with the masked settings sent back: the secret stays, so messages are still signed right
            JsonObject edit = created.getJsonObject("settings").copy().put("name", "钉钉值班群 (西湖)");
            assertThat(hub.call("PUT", "/api/v1/notify/channels/" + channel, admin, edit).getString("name"))
                    .isEqualTo("钉钉值班群 (西湖)");
            hub.call("POST", "/api/v1/notify/channels/" + channel + "/test", admin, null);
            assertThat(ding.texts()).hasSize(2);

            // a wrong secret: the robot refuses, the call says so, the delivery list shows it, no secret anywhere
            hub.call("PUT", "/api/v1/notify/channels/" + channel, admin, edit.copy().put("secret", "SECwrong-one-000"));
            HttpResponse<String> refused = hub.send("POST", "/api/v1/notify/channels/" + channel + "/test", admin, null);
            assertThat(refused.statusCode()).isEqualTo(502);
            assertThat(refused.body()).contains("delivery-failed").contains("310000").doesNotContain("SECwrong")
                    .doesNotContain(ding.token());
            JsonArray failed = hub.call("GET", "/api/v1/notify/deliveries?status=failed", oper, null)
                    .getJsonArray("deliveries");
            assertThat(failed).singleElement().satisfies(d -> {
                assertThat(((JsonObject) d).getString("lastError")).contains("310000");
                assertThat(((JsonObject) d).getJsonObject("channel").getLong("id")).isEqualTo(channel);
            });

            // routes: clear 400s, then one that holds; its channel cannot be deleted while it does
            assertBad(hub.send("POST", "/api/v1/notify/routes", admin, new JsonObject().put("name", "r")
                    .put("channelId", 9999)), "channelId");
            assertBad(hub.send("POST", "/api/v1/notify/routes", admin, new JsonObject().put("name", "r")
                    .put("channelId", channel).put("quietHours", new JsonObject().put("from", "25:00")
                            .put("to", "07:00"))), "quietHours.from");
            assertBad(hub.send("POST", "/api/v1/notify/channels", admin, new JsonObject().put("name", "x")
                    .put("kind", "wecom")), "webhook");
            JsonObject route = hub.call("POST", "/api/v1/notify/routes", admin, new JsonObject().put("name", "西湖区")
                    .put("channelId", channel).put("namePrefix", "西湖区").put("remindMinutes", 30)
                    .put("quietHours", new JsonObject().put("from", "22:00").put("to", "07:00")));
            assertThat(route.getString("timeZone")).isEqualTo("Asia/Shanghai");
            HttpResponse<String> inUse = hub.send("DELETE", "/api/v1/notify/channels/" + channel, admin, null);
            assertThat(inUse.statusCode()).as(inUse.body()).isEqualTo(409);
            assertThat(hub.call("GET", "/api/v1/notify/routes", admin, null).getJsonArray("routes")).hasSize(1);
            hub.call("DELETE", "/api/v1/notify/routes/" + route.getLong("id"), admin, null);
            hub.call("DELETE", "/api/v1/notify/channels/" + channel, admin, null);
            assertThat(hub.send("DELETE", "/api/v1/notify/channels/" + channel, admin, null).statusCode()).isEqualTo(404);

            // maintenance: technicians set windows, operators see them
            String station = hub.createStation(admin, TestHub.station("西湖区文三路站")).getJsonObject("station")
                    .getString("id");
            long now = System.currentTimeMillis();
            JsonObject window = new JsonObject().put("stationId", station).put("to", now + 3_600_000).put("note", "换锁");
            assertThat(hub.send("POST", "/api/v1/notify/maintenance", oper, window).statusCode()).isEqualTo(403);
            hub.call("POST", "/api/v1/notify/maintenance", tech, window);
            assertBad(hub.send("POST", "/api/v1/notify/maintenance", tech, window.copy().put("to", now - 1000)), "to");
            assertBad(hub.send("POST", "/api/v1/notify/maintenance", tech, window.copy().put("stationId", "no-such")),
                    "stationId");
            assertThat(hub.call("GET", "/api/v1/notify/maintenance", oper, null).getJsonArray("maintenance"))
                    .singleElement().satisfies(w -> assertThat(((JsonObject) w).getString("note")).isEqualTo("换锁"));

            // audited, never with a secret
            String audit = hub.send("GET", "/api/v1/audit?limit=500&action=notify.*", admin, null).body();
            assertThat(audit).contains("notify.channel.create").contains("notify.channel.update")
                    .contains("notify.channel.test").contains("notify.route.create").contains("notify.channel.delete")
                    .contains("notify.maintenance.create").doesNotContain(SECRET).doesNotContain(PASSWORD)
                    .doesNotContain(ding.token());
            assertThat(new JsonObject(audit).getJsonArray("entries").stream().map(JsonObject.class::cast)
                    .filter(e -> e.getString("action").equals("notify.maintenance.create")).map(e -> e.getString("outcome")))
                    .as("the refused and the bad attempts are audited too").contains("ok", "refused", "failed");
        }
    }

    private static void assertBad(HttpResponse<String> r, String field) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("field")).isEqualTo(field);
    }
}
