package org.yizhan.hub.audit;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.db.Rows;
import org.yizhan.testing.Cleanup;
import org.yizhan.testing.TestHub;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yizhan.testing.Futures.get;

/**
 * Operator actions are audited: fetching a member's pass, commands such as {@code door.unlock}, configuration
 * pushes and user changes each leave an entry with the actor, the role, the client address and the target, refused
 * attempts too; admins alone read the log, nobody changes it; no entry holds a password, token or pass; and an
 * action whose entry cannot be written is not done (503).
 */
@ExtendWith(VertxExtension.class)
class AuditLogIT {

    @TempDir
    static Path dir;
    static TestHub hub;
    static String admin;
    static String operator;
    static String technician;
    static String stationId;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir);
        admin = hub.adminToken();
        operator = hub.user("audit-operator", "operator");
        technician = hub.user("audit-technician", "technician");
        stationId = hub.createStation(technician, TestHub.station("审计站")).getJsonObject("station").getString("id");
    }

    @AfterAll
    static void stop() throws Exception {
        Cleanup.close(hub);
    }

    /** The audit entries matching the query (admin), newest first. */
    private static List<JsonObject> entries(String query) throws Exception {
        JsonObject page = hub.call("GET", "/api/v1/audit?limit=500&" + query, admin, null);
        List<JsonObject> out = new ArrayList<>();
        page.getJsonArray("entries").forEach(o -> out.add((JsonObject) o));
        return out;
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String memberId(String phone) throws Exception {
        return hub.call("POST", "/api/v1/members", null, new JsonObject().put("name", "李师傅").put("phone", phone)
                .put("occupation", "courier")).getJsonObject("member").getString("id");
    }

    private static int auditRows() throws Exception {
        return get(hub.app().database().call(c -> Rows.one(c, "SELECT COUNT(*) FROM audit_log", rs -> rs.getInt(1))))
                .orElseThrow();
    }

    @Test
    void fetchingAMembersPassIsAuditedWithoutThePass() throws Exception {
        String member = memberId("13800138001");
        JsonObject pass = hub.call("GET", "/api/v1/members/" + member + "/pass", operator, null);

        List<JsonObject> found = entries("action=member.pass&target=" + member);
        assertThat(found).as("one entry for the fetch").hasSize(1);
        JsonObject e = found.get(0);
        assertThat(e.getString("actor")).isEqualTo("audit-operator");
        assertThat(e.getString("actorRole")).isEqualTo("operator");
        assertThat(e.getString("actorAddress")).isEqualTo("127.0.0.1");
        assertThat(e.getJsonObject("target")).isEqualTo(new JsonObject().put("kind", "member").put("id", member));
        assertThat(e.getString("outcome")).isEqualTo("ok");
        assertThat(e.getJsonObject("detail").getInteger("kid")).isEqualTo(pass.getInteger("kid"));
        assertThat(e.encode()).as("the pass itself is never in the log").doesNotContain(pass.getString("pass"));

        assertThat(hub.send("GET", "/api/v1/members/no-such-member/pass", operator, null).statusCode()).isEqualTo(404);
        assertThat(entries("action=member.pass&target=no-such-member")).singleElement()
                .satisfies(f -> assertThat(f.getString("outcome")).isEqualTo("failed"));
    }

    @Test
    void suspendingResumingAndAFailedRejectionOfAMemberAreAudited() throws Exception {
        String member = memberId("13800138011");
        assertThat(hub.send("POST", "/api/v1/members/" + member + "/suspend", null, null).statusCode())
                .isEqualTo(401);
        hub.call("POST", "/api/v1/members/" + member + "/suspend", operator, null);
        hub.call("POST", "/api/v1/members/" + member + "/resume", operator, null);
        assertThat(hub.send("POST", "/api/v1/members/" + member + "/resume", operator, null).statusCode())
                .as("resuming an active member changes nothing").isEqualTo(200);
        assertThat(hub.send("POST", "/api/v1/members/" + member + "/reject", operator, null).statusCode())
                .isEqualTo(409);

        List<JsonObject> suspend = entries("action=member.suspend&target=" + member);
        assertThat(suspend).as("a caller without a token is no actor").singleElement().satisfies(e -> {
            assertThat(e.getString("outcome")).isEqualTo("ok");
            assertThat(e.getString("actor")).isEqualTo("audit-operator");
            assertThat(e.getJsonObject("detail").getString("to")).isEqualTo("suspended");
        });
        assertThat(entries("action=member.resume&target=" + member)).as("one change, one entry").singleElement()
                .satisfies(e -> assertThat(e.getString("outcome")).isEqualTo("ok"));
        assertThat(entries("action=member.reject&target=" + member)).singleElement()
                .satisfies(e -> assertThat(e.getString("outcome")).isEqualTo("failed"));
    }

    @Test
    void aRemoteUnlockIsAuditedWithItsCommandAndHubOnlyCommandsAsRefused() throws Exception {
        JsonObject sent = hub.call("POST", "/api/v1/stations/" + stationId + "/commands", operator,
                new JsonObject().put("name", "door.unlock").put("args", new JsonObject().put("seconds", 5)));

        JsonObject e = entries("action=command.door.unlock&target=" + stationId).get(0);
        assertThat(e.getString("actor")).isEqualTo("audit-operator");
        assertThat(e.getString("outcome")).isEqualTo("ok");
        assertThat(e.getJsonObject("target").getString("kind")).isEqualTo("station");
        assertThat(e.getJsonObject("detail").getString("commandId")).isEqualTo(sent.getString("id"));

        HttpResponse<String> forged = hub.send("POST", "/api/v1/stations/" + stationId + "/commands", operator,
                new JsonObject().put("name", "credentials.sync"));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(entries("action=command.credentials.sync&actor=audit-operator")).singleElement()
                .satisfies(r -> assertThat(r.getString("outcome")).isEqualTo("refused"));
        assertThat(entries("action=" + q("command.*") + "&target=" + stationId)).as("a prefix finds both")
                .hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aConfigurationPushIsAuditedAndAnOperatorsAttemptIsRefusedAndAudited() throws Exception {
        int base = hub.call("GET", "/api/v1/stations/" + stationId + "/config", technician, null).getInteger("version");
        HttpResponse<String> byOperator = hub.send("POST", "/api/v1/stations/" + stationId + "/config", operator,
                new JsonObject().put("baseVersion", base).put("settings", new JsonObject().put("door.unlockSeconds", 7)));
        assertThat(byOperator.statusCode()).isEqualTo(403);
        JsonObject pushed = hub.call("POST", "/api/v1/stations/" + stationId + "/config", technician,
                new JsonObject().put("baseVersion", base).put("settings", new JsonObject().put("door.unlockSeconds", 7)));

        List<JsonObject> found = entries("action=config.push&target=" + stationId);
        assertThat(found).extracting(f -> f.getString("actor") + "/" + f.getString("actorRole") + "/" + f.getString("outcome"))
                .containsExactly("audit-technician/technician/ok", "audit-operator/operator/refused");
        assertThat(found.get(0).getJsonObject("detail").getInteger("version")).isEqualTo(pushed.getInteger("version"));
        assertThat(found.get(0).getJsonObject("detail").getJsonArray("changes").encode()).contains("door.unlockSeconds");
    }

    @Test
    void userChangesAndFailedLoginsAreAuditedWithoutPasswordsOrTokens() throws Exception {
        String first = "first-password-123";
        String reset = "reset-password-456";
        String own = "own-password-789";
        String wrong = "wrong-password-000";
        hub.call("POST", "/api/v1/users", admin, new JsonObject().put("username", "night-clerk").put("password", first)
                .put("role", "operator"));
        hub.call("PATCH", "/api/v1/users/night-clerk", admin, new JsonObject().put("role", "technician"));
        hub.call("PATCH", "/api/v1/users/night-clerk", admin, new JsonObject().put("password", reset));
        String token = hub.login("night-clerk", reset);
        JsonObject changed = hub.call("POST", "/api/v1/auth/password", token, new JsonObject()
                .put("currentPassword", reset).put("newPassword", own));
        assertThat(hub.send("POST", "/api/v1/auth/login", null, new JsonObject().put("username", "night-clerk")
                .put("password", wrong)).statusCode()).isEqualTo(401);
        assertThat(hub.send("POST", "/api/v1/auth/login", null, new JsonObject().put("username", "nobody-here")
                .put("password", wrong)).statusCode()).isEqualTo(401);
        hub.call("PATCH", "/api/v1/users/night-clerk", admin, new JsonObject().put("disabled", true));
        HttpResponse<String> byOperator = hub.send("POST", "/api/v1/users", operator, new JsonObject()
                .put("username", "sneaky").put("password", "sneaky-password-1").put("role", "admin"));
        assertThat(byOperator.statusCode()).isEqualTo(403);

        List<JsonObject> found = entries("target=night-clerk");
        assertThat(found).extracting(f -> f.getString("action") + " " + f.getString("actor") + " " + f.getString("outcome"))
                .containsExactly("user.update admin ok", "auth.login night-clerk refused",
                        "user.password night-clerk ok", "user.update admin ok", "user.update admin ok",
                        "user.create admin ok");
        assertThat(found.get(0).getJsonObject("detail").getBoolean("disabled")).isTrue();
        assertThat(found.get(3).getJsonObject("detail").getBoolean("passwordReset")).isTrue();
        assertThat(found.get(4).getJsonObject("detail").getString("role")).isEqualTo("technician");
        assertThat(found.get(1).getString("actorRole")).as("not signed in").isNull();
        assertThat(entries("target=nobody-here")).as("an unknown name is not kept: it may be a password").isEmpty();
        assertThat(entries("target=sneaky")).singleElement().satisfies(r -> {
            assertThat(r.getString("actor")).isEqualTo("audit-operator");
            assertThat(r.getString("outcome")).isEqualTo("refused");
        });

        String whole = hub.send("GET", "/api/v1/audit?limit=500", admin, null).body();
        assertThat(whole).as("no password, token or pass in the log")
                .doesNotContain(first, reset, own, wrong, "sneaky-password-1", token, changed.getString("token"),
                        admin, operator, technician, TestHub.ADMIN_PASSWORD);
    }

    @Test
    void retiringAStationsCredentialsIsAudited() throws Exception {
        String retired = hub.createStation(technician, TestHub.station("退役站")).getJsonObject("station").getString("id");
        assertThat(hub.send("DELETE", "/api/v1/stations/" + retired + "/credentials", operator, null).statusCode())
                .isEqualTo(403);
        hub.call("DELETE", "/api/v1/stations/" + retired + "/credentials", admin, null);

        assertThat(entries("action=station.credentials.retire&target=" + retired))
                .extracting(f -> f.getString("actor") + " " + f.getString("outcome"))
                .containsExactly("admin ok", "audit-operator refused");
    }

    @Test
    void onlyAdminsReadTheLogAndNobodyChangesIt() throws Exception {
        assertThat(hub.send("GET", "/api/v1/audit", operator, null).statusCode()).isEqualTo(403);
        assertThat(hub.send("GET", "/api/v1/audit", technician, null).statusCode()).isEqualTo(403);
        assertThat(hub.send("GET", "/api/v1/audit", null, null).statusCode()).isEqualTo(401);
        assertThat(entries("action=audit.read&actor=audit-operator")).as("the refused reader is audited").isNotEmpty();
        int before = auditRows();
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            assertThat(hub.send(method, "/api/v1/audit", admin, new JsonObject().put("id", 1)).statusCode())
                    .as(method).isIn(404, 405);
            assertThat(hub.send(method, "/api/v1/audit/1", admin, new JsonObject()).statusCode())
                    .as(method + " one entry").isIn(404, 405);
        }
        assertThat(auditRows()).isEqualTo(before);
        assertThat(hub.send("GET", "/api/v1/audit?before=abc", admin, null).statusCode()).isEqualTo(400);
        assertThat(hub.send("GET", "/api/v1/audit?action=" + q("x y"), admin, null).statusCode()).isEqualTo(400);
    }

    @Test
    void pagesGoBackwardsWithNext() throws Exception {
        for (int i = 0; i < 3; i++) {
            hub.call("POST", "/api/v1/stations/" + stationId + "/commands", operator,
                    new JsonObject().put("name", "selftest.run"));
        }
        JsonObject first = hub.call("GET", "/api/v1/audit?limit=2&action=command.selftest.run", admin, null);
        assertThat(first.getJsonArray("entries")).hasSize(2);
        long next = first.getLong("next");
        JsonObject second = hub.call("GET", "/api/v1/audit?limit=2&action=command.selftest.run&before=" + next, admin, null);
        JsonArray rest = second.getJsonArray("entries");
        assertThat(rest).hasSize(1);
        assertThat(rest.getJsonObject(0).getLong("id")).isLessThan(next);
        assertThat(second.getValue("next")).isNull();
    }

    @Test
    void anActionWhoseEntryCannotBeWrittenIsNotDone() throws Exception {
        String member = memberId("13800138009");
        int commandsBefore = count("commands");
        // the audit table refuses every new row (as a full or broken disk would) and keeps the rows it has
        long last = get(hub.app().database().call(c -> Rows.one(c, "SELECT COALESCE(MAX(id), 0) FROM audit_log",
                rs -> rs.getLong(1)))).orElseThrow();
        get(hub.app().database().call(c -> Rows.update(c,
                "ALTER TABLE audit_log ADD CONSTRAINT audit_log_closed CHECK (id <= " + last + ")")));
        try {
            HttpResponse<String> unlock = hub.send("POST", "/api/v1/stations/" + stationId + "/commands", operator,
                    new JsonObject().put("name", "door.unlock"));
            assertThat(unlock.statusCode()).as(unlock.body()).isEqualTo(503);
            assertThat(new JsonObject(unlock.body()).getJsonObject("error").getString("code")).isEqualTo("audit-unavailable");
            assertThat(count("commands")).as("no command stored or sent").isEqualTo(commandsBefore);

            HttpResponse<String> pass = hub.send("GET", "/api/v1/members/" + member + "/pass", operator, null);
            assertThat(pass.statusCode()).isEqualTo(503);
            assertThat(pass.body()).doesNotContain("\"pass\"");

            assertThat(hub.send("POST", "/api/v1/users", admin, new JsonObject().put("username", "unaudited")
                    .put("password", "unaudited-password").put("role", "admin")).statusCode()).isEqualTo(503);
            assertThat(hub.call("GET", "/api/v1/users", admin, null).encode()).doesNotContain("unaudited");

            int base = hub.call("GET", "/api/v1/stations/" + stationId + "/config", technician, null).getInteger("version");
            assertThat(hub.send("POST", "/api/v1/stations/" + stationId + "/config", technician, new JsonObject()
                    .put("baseVersion", base).put("settings", new JsonObject().put("door.heldOpenSeconds", 77)))
                    .statusCode()).isEqualTo(503);
            assertThat(hub.call("GET", "/api/v1/stations/" + stationId + "/config", technician, null)
                    .getInteger("version")).as("no version stored").isEqualTo(base);

            assertThat(hub.send("POST", "/api/v1/members/" + member + "/suspend", operator, null).statusCode())
                    .isEqualTo(503);
            assertThat(hub.call("GET", "/api/v1/members/" + member, operator, null).getJsonObject("member")
                    .getString("status")).as("the member is not suspended unaudited").isEqualTo("active");

            assertThat(hub.send("GET", "/api/v1/audit", operator, null).statusCode())
                    .as("even a refusal is not answered unaudited").isEqualTo(503);
        } finally {
            get(hub.app().database().call(c -> Rows.update(c, "ALTER TABLE audit_log DROP CONSTRAINT audit_log_closed")));
        }
        assertThat(hub.send("POST", "/api/v1/stations/" + stationId + "/commands", operator,
                new JsonObject().put("name", "door.unlock")).statusCode()).as("works again").isEqualTo(202);
    }

    private static int count(String table) throws Exception {
        return get(hub.app().database().call(c -> Rows.one(c, "SELECT COUNT(*) FROM " + table, rs -> rs.getInt(1))))
                .orElseThrow();
    }
}
