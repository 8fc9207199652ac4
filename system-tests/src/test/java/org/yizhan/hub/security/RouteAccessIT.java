package org.yizhan.hub.security;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestHub;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may call which route, checked on every route the running hub answers: each is called by nobody, with a
 * forged staff token, as operator, technician and admin, and with a member's token, and the lowest caller let
 * through must be the one {@link #EXPECTED} names. A route missing from that table fails the test, so a new route
 * cannot arrive without its access being decided here. Path parameters name nothing that exists, so the callers
 * let through are answered 400 or 404 and change nothing. The table is written to
 * {@code target/route-access.md}; the README's security table counts it.
 */
@ExtendWith(VertxExtension.class)
class RouteAccessIT {

    /** The lowest caller a route lets through: anyone, a member, a staff role, or only a machine's own secret. */
    enum Access { PUBLIC, MEMBER, OPERATOR, TECHNICIAN, ADMIN, MACHINE }

    /** Every route with a path and who may call it; routes under {@code /api/} and the health and metrics ends. */
    static final Map<String, Access> EXPECTED = Map.ofEntries(
            Map.entry("DELETE /api/v1/members/me/face-consent", Access.MEMBER),
            Map.entry("DELETE /api/v1/stations/:id/credentials", Access.ADMIN),
            Map.entry("GET /api/v1/admin/backups/:name", Access.ADMIN),
            Map.entry("GET /api/v1/alerts", Access.OPERATOR),
            Map.entry("GET /api/v1/auth/me", Access.OPERATOR),
            Map.entry("GET /api/v1/charging/start/:commandId", Access.MEMBER),
            Map.entry("GET /api/v1/charging/summary", Access.OPERATOR),
            Map.entry("GET /api/v1/commands/:id", Access.OPERATOR),
            Map.entry("GET /api/v1/dead-letters", Access.ADMIN),
            Map.entry("GET /api/v1/entry/:commandId", Access.MEMBER),
            Map.entry("GET /api/v1/events", Access.OPERATOR),
            Map.entry("GET /api/v1/feedback", Access.OPERATOR),
            Map.entry("GET /api/v1/feedback/:id", Access.PUBLIC),
            Map.entry("GET /api/v1/feedback/form/:id", Access.PUBLIC),
            Map.entry("GET /api/v1/members/:id", Access.OPERATOR),
            Map.entry("GET /api/v1/audit", Access.ADMIN),
            Map.entry("GET /api/v1/members", Access.OPERATOR),
            Map.entry("GET /api/v1/members/me", Access.MEMBER),
            Map.entry("POST /api/v1/members/verify", Access.PUBLIC),
            Map.entry("POST /api/v1/members/:id/approve", Access.OPERATOR),
            Map.entry("POST /api/v1/members/:id/reject", Access.OPERATOR),
            Map.entry("GET /api/v1/members/:id/pass", Access.OPERATOR),
            Map.entry("GET /api/v1/members/me/face-consent", Access.MEMBER),
            Map.entry("GET /api/v1/members/me/pass", Access.MEMBER),
            Map.entry("GET /api/v1/members/me/tokens", Access.MEMBER),
            Map.entry("GET /api/v1/pass-keys", Access.PUBLIC),
            Map.entry("GET /api/v1/provision/ca.pem", Access.PUBLIC),
            Map.entry("GET /api/v1/public/stations", Access.PUBLIC),
            Map.entry("GET /api/v1/public/stations/:id", Access.PUBLIC),
            Map.entry("GET /api/v1/scorecard", Access.OPERATOR),
            Map.entry("GET /api/v1/scorecard.csv", Access.OPERATOR),
            Map.entry("GET /api/v1/stations", Access.OPERATOR),
            Map.entry("GET /api/v1/stations.csv", Access.OPERATOR),
            Map.entry("GET /api/v1/stations/:id", Access.OPERATOR),
            Map.entry("GET /api/v1/stations/:id/claim", Access.TECHNICIAN),
            Map.entry("GET /api/v1/stations/:id/claim.png", Access.TECHNICIAN),
            Map.entry("GET /api/v1/stations/:id/config", Access.TECHNICIAN),
            Map.entry("GET /api/v1/stations/:id/history", Access.OPERATOR),
            Map.entry("GET /api/v1/stations/:id/sessions", Access.OPERATOR),
            Map.entry("GET /api/v1/stations/:id/sessions/summary", Access.OPERATOR),
            Map.entry("GET /api/v1/stream", Access.OPERATOR),
            Map.entry("GET /api/v1/timeseries", Access.OPERATOR),
            Map.entry("GET /api/v1/ui", Access.OPERATOR),
            Map.entry("GET /api/v1/users", Access.ADMIN),
            Map.entry("GET /c/:stationId/:port", Access.PUBLIC),
            Map.entry("GET /e/:stationId/:nonce", Access.PUBLIC),
            Map.entry("GET /f/:stationId", Access.PUBLIC),
            Map.entry("GET /health", Access.PUBLIC),
            Map.entry("GET /health/live", Access.PUBLIC),
            Map.entry("GET /metrics", Access.PUBLIC),
            Map.entry("GET /r", Access.PUBLIC),
            Map.entry("PATCH /api/v1/users/:username", Access.ADMIN),
            Map.entry("POST /api/v1/admin/backup", Access.ADMIN),
            Map.entry("POST /api/v1/alerts/:id/ack", Access.OPERATOR),
            Map.entry("POST /api/v1/alerts/:id/resolve", Access.OPERATOR),
            Map.entry("POST /api/v1/auth/login", Access.PUBLIC),
            Map.entry("POST /api/v1/auth/logout", Access.OPERATOR),
            Map.entry("POST /api/v1/auth/password", Access.OPERATOR),
            Map.entry("POST /api/v1/charging/start", Access.MEMBER),
            Map.entry("POST /api/v1/entry", Access.MEMBER),
            Map.entry("POST /api/v1/feedback", Access.PUBLIC),
            Map.entry("POST /api/v1/feedback/:id/answer", Access.OPERATOR),
            Map.entry("POST /api/v1/feedback/:id/triage", Access.OPERATOR),
            Map.entry("POST /api/v1/members", Access.PUBLIC),
            Map.entry("POST /api/v1/members/:id/member-token", Access.OPERATOR),
            Map.entry("POST /api/v1/members/:id/resume", Access.OPERATOR),
            Map.entry("POST /api/v1/members/:id/suspend", Access.OPERATOR),
            Map.entry("POST /api/v1/members/me/face-consent", Access.MEMBER),
            Map.entry("POST /api/v1/members/me/sign-out", Access.MEMBER),
            Map.entry("POST /api/v1/members/me/sign-out-others", Access.MEMBER),
            Map.entry("POST /api/v1/members/me/token", Access.MEMBER),
            Map.entry("POST /api/v1/provision", Access.PUBLIC),
            Map.entry("POST /api/v1/stations", Access.TECHNICIAN),
            Map.entry("POST /api/v1/stations/:id/claim", Access.TECHNICIAN),
            Map.entry("POST /api/v1/stations/:id/commands", Access.OPERATOR),
            Map.entry("POST /api/v1/stations/:id/config", Access.TECHNICIAN),
            Map.entry("POST /api/v1/stations/:id/face-templates", Access.MACHINE),
            Map.entry("POST /api/v1/stations/import", Access.TECHNICIAN),
            Map.entry("GET /api/v1/agent-updates", Access.OPERATOR),
            Map.entry("POST /api/v1/agent-updates", Access.ADMIN),
            Map.entry("GET /api/v1/agent-updates/:version/bundle", Access.ADMIN),
            Map.entry("POST /api/v1/agent-updates/:version/rollouts", Access.ADMIN),
            Map.entry("GET /api/v1/rollouts", Access.OPERATOR),
            Map.entry("GET /api/v1/rollouts/:id", Access.OPERATOR),
            Map.entry("POST /api/v1/rollouts/:id/resume", Access.ADMIN),
            Map.entry("POST /api/v1/rollouts/:id/cancel", Access.ADMIN),
            Map.entry("GET /api/v1/agents", Access.OPERATOR),
            Map.entry("PUT /api/v1/stations/:id/mobility", Access.OPERATOR),
            Map.entry("PUT /api/v1/stations/:id/district", Access.TECHNICIAN),
            // the map and chart libraries the pages load, from their webjars
            Map.entry("* /vendor/leaflet/", Access.PUBLIC),
            Map.entry("* /vendor/echarts/", Access.PUBLIC),
            Map.entry("GET /api/v1/stations/:id/track", Access.OPERATOR),
            Map.entry("POST /api/v1/users", Access.ADMIN),
            Map.entry("GET /api/v1/notify/channels", Access.ADMIN),
            Map.entry("POST /api/v1/notify/channels", Access.ADMIN),
            Map.entry("PUT /api/v1/notify/channels/:id", Access.ADMIN),
            Map.entry("DELETE /api/v1/notify/channels/:id", Access.ADMIN),
            Map.entry("POST /api/v1/notify/channels/:id/test", Access.ADMIN),
            Map.entry("GET /api/v1/notify/routes", Access.ADMIN),
            Map.entry("POST /api/v1/notify/routes", Access.ADMIN),
            Map.entry("PUT /api/v1/notify/routes/:id", Access.ADMIN),
            Map.entry("DELETE /api/v1/notify/routes/:id", Access.ADMIN),
            Map.entry("GET /api/v1/notify/maintenance", Access.OPERATOR),
            Map.entry("POST /api/v1/notify/maintenance", Access.TECHNICIAN),
            Map.entry("DELETE /api/v1/notify/maintenance/:id", Access.TECHNICIAN),
            Map.entry("GET /api/v1/notify/deliveries", Access.OPERATOR),
            Map.entry("PUT /api/v1/members/me/face-consent/sync", Access.MEMBER));

    @TempDir
    static Path dir;
    static TestHub hub;
    static Map<String, String> tokens = new LinkedHashMap<>();
    static String memberId;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dir);
        tokens.put("admin", hub.adminToken());
        tokens.put("technician", hub.user("tech", "technician"));
        tokens.put("operator", hub.user("oper", "operator"));
        String a = tokens.get("admin");
        tokens.put("forged", a.substring(0, a.length() - 2) + (a.endsWith("AA") ? "BB" : "AA"));
        HttpResponse<String> joined = hub.send("POST", "/api/v1/members", null, new JsonObject()
                .put("name", "Route check").put("phone", "13700137000").put("occupation", "food-delivery"));
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(201);
        JsonObject member = new JsonObject(joined.body());
        memberId = String.valueOf(member.getJsonObject("member").getValue("id"));
        tokens.put("member", member.getString("memberToken"));
    }

    /** New tokens for everyone, before a call that may end the caller's own session or token. */
    static void freshTokens() throws Exception {
        tokens.put("admin", hub.login("admin", TestHub.ADMIN_PASSWORD));
        tokens.put("technician", hub.login("tech", TestHub.password("tech")));
        tokens.put("operator", hub.login("oper", TestHub.password("oper")));
        tokens.put("member", hub.call("POST", "/api/v1/members/" + memberId + "/member-token", tokens.get("operator"),
                new JsonObject()).getString("memberToken"));
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    @Test
    void everyRouteLetsThroughOnlyWhoItShould() throws Exception {
        List<String> routes = new ArrayList<>(hub.app().httpRoutes().stream()
                .filter(r -> !r.endsWith("*") && !r.startsWith("* /api/") && !r.startsWith("OPTIONS ")).toList());
        // calls that end the caller's own session go last
        routes.sort((x, y) -> Boolean.compare(endsSession(x), endsSession(y)));
        assertThat(routes).as("routes of the running hub").hasSizeGreaterThan(40);

        Map<String, Access> seen = new TreeMap<>();
        Map<String, String> answers = new TreeMap<>();
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1).replaceAll(":[A-Za-z]+", "zz-none");
            if (endsSession(route)) {
                freshTokens();
            }
            Map<String, Integer> status = new LinkedHashMap<>();
            for (String who : List.of("nobody", "forged", "member", "operator", "technician", "admin")) {
                status.put(who, call(method.equals("*") ? "GET" : method, path, tokens.get(who)));
            }
            answers.put(route, status.toString());
            seen.put(route, access(status));
            if (seen.get(route) != Access.PUBLIC) {
                assertThat(status.get("forged")).as("a forged token at %s: %s", route, status).isIn(401, 403);
            }
        }
        writeTable(seen, answers);
        Map<String, Access> expected = new TreeMap<>(EXPECTED);
        assertThat(seen).as("who each route lets through (target/route-access.md); answers: %s", answers)
                .isEqualTo(expected);
    }

    private static boolean endsSession(String route) {
        return route.contains("logout") || route.contains("sign-out") || route.contains("password")
                || route.endsWith("/me/token");
    }

    private static Access access(Map<String, Integer> s) {
        if (!refused(s.get("nobody"))) {
            return Access.PUBLIC;
        }
        if (!refused(s.get("operator"))) {
            return Access.OPERATOR;
        }
        if (!refused(s.get("technician"))) {
            return Access.TECHNICIAN;
        }
        if (!refused(s.get("admin"))) {
            return Access.ADMIN;
        }
        return refused(s.get("member")) ? Access.MACHINE : Access.MEMBER;
    }

    private static boolean refused(int status) {
        return status == 401 || status == 403;
    }

    /** The status of one call; a stream that starts answering counts by its status line. */
    private static int call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.url(path))).timeout(Duration.ofSeconds(10));
        if (method.equals("GET") || method.equals("DELETE") || method.equals("HEAD")) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.io.IOException e) {
            throw new java.io.IOException(method + " " + path + (token == null ? "" : " with a token") + ": " + e, e);
        }
        r.body().close();
        return r.statusCode();
    }

    private static void writeTable(Map<String, Access> seen, Map<String, String> answers) throws Exception {
        StringBuilder md = new StringBuilder("| route | lowest caller let through | answers |\n|---|---|---|\n");
        seen.forEach((route, access) -> md.append("| `").append(route).append("` | ").append(access).append(" | ")
                .append(answers.get(route)).append(" |\n"));
        Map<Access, Long> counts = new TreeMap<>();
        seen.values().forEach(a -> counts.merge(a, 1L, Long::sum));
        md.append("\nRoutes by lowest caller: ").append(counts).append('\n');
        Path out = Path.of("target", "route-access.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.println(md);
    }
}
