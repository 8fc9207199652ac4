package org.yizhan.hub.scorecard;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.HubApp;
import org.yizhan.hub.feedback.Deadlines;
import org.yizhan.testing.HubClient;
import org.yizhan.testing.TestHub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.yizhan.testing.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The scorecard over real HTTP against a real hub, from known registry rows (offline alerts, access events,
 * charging sessions, feedback) inserted for a past week. The expected figures are worked out here from the same
 * rows, independently of the hub's code: plain sums of clipped intervals.
 */
@ExtendWith(VertxExtension.class)
class ScorecardApiIT {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final LocalDate FROM = LocalDate.of(2025, 3, 3);
    private static final LocalDate TO = LocalDate.of(2025, 3, 9);
    private static final long P_START = at(FROM, 0, 0);
    private static final long P_END = at(TO.plusDays(1), 0, 0);
    private static final long HOUR = 3_600_000L;
    private static final String QUERY = "?from=" + FROM + "&to=" + TO;
    private static final String NAME_A = "文三路,\"东\"站";
    private static final String NAME_C = "=HYPERLINK(\"x\")";
    private static final AtomicInteger EVENT_IDS = new AtomicInteger();

    @TempDir
    static Path dataDir;

    static TestHub hub;
    static HubApp app;
    static HubClient api;
    static WebClient web;
    static String operator;
    static String a;
    static String b;
    static String c;
    static final long PROVISIONED_B = at(LocalDate.of(2025, 3, 6), 12, 0);

    // station A (4 ports), provisioned long before the week
    static final List<long[]> OUTAGES_A = List.of(
            new long[]{at(LocalDate.of(2025, 3, 4), 10, 0), at(LocalDate.of(2025, 3, 4), 13, 0)},
            new long[]{at(LocalDate.of(2025, 3, 2), 22, 0), at(LocalDate.of(2025, 3, 3), 2, 0)},  // began before the week
            new long[]{at(LocalDate.of(2025, 3, 9), 23, 0), -1});                                   // still open
    static final List<Long> VISITS_A = new ArrayList<>();
    static final List<long[]> SESSIONS_A = List.of(   // start, end, Wh
            new long[]{at(LocalDate.of(2025, 3, 4), 8, 0), at(LocalDate.of(2025, 3, 4), 10, 0), 1500},
            new long[]{at(LocalDate.of(2025, 3, 6), 23, 0), at(LocalDate.of(2025, 3, 7), 1, 0), 800});
    // station B (2 ports), provisioned in the middle of the week
    static final List<long[]> OUTAGES_B = List.of(
            new long[]{at(LocalDate.of(2025, 3, 8), 0, 0), at(LocalDate.of(2025, 3, 8), 6, 0)});
    static final List<Long> VISITS_B = new ArrayList<>();

    @BeforeAll
    static void start(Vertx v) throws Exception {
        hub = TestHub.start(v, dataDir);
        app = hub.app();
        api = hub.client();
        web = WebClient.create(v, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.httpPort()));
        String admin = hub.adminToken();
        operator = hub.user("sc-operator", "operator");
        a = hub.createStation(admin, TestHub.station(NAME_A).put("ports", 4)).getJsonObject("station").getString("id");
        b = hub.createStation(admin, TestHub.station("西溪驿站").put("ports", 2)).getJsonObject("station").getString("id");
        c = hub.createStation(admin, TestHub.station(NAME_C).put("ports", 2)).getJsonObject("station").getString("id");
        for (int i = 0; i < 10; i++) {
            VISITS_A.add(at(LocalDate.of(2025, 3, 3), 8, i));
        }
        for (int i = 0; i < 4; i++) {
            VISITS_A.add(at(LocalDate.of(2025, 3, 5), 19, i * 15));
        }
        for (int i = 0; i < 7; i++) {
            VISITS_B.add(at(LocalDate.of(2025, 3, 7), 9, i));
        }
        get(app.database().tx(conn -> {
            provisioned(conn, a, at(LocalDate.of(2025, 2, 1), 9, 0));
            provisioned(conn, b, PROVISIONED_B);
            for (long[] o : OUTAGES_A) {
                offline(conn, a, o[0], o[1]);
            }
            for (long[] o : OUTAGES_B) {
                offline(conn, b, o[0], o[1]);
            }
            for (long ts : VISITS_A) {
                event(conn, a, ts, "access.granted");
            }
            for (long ts : VISITS_B) {
                event(conn, b, ts, "access.granted");
            }
            event(conn, a, at(LocalDate.of(2025, 3, 5), 20, 0), "access.denied");       // not a visit
            event(conn, a, P_START - 60_000, "access.granted");                          // the evening before
            event(conn, a, P_END, "access.granted");                                     // the morning after
            for (long[] s : SESSIONS_A) {
                session(conn, a, s);
            }
            // feedback at A: on time (urgent, answered that afternoon), late, overdue; and one from before the week
            feedback(conn, a, "F1", at(LocalDate.of(2025, 3, 3), 9, 0), Deadlines.URGENT, at(LocalDate.of(2025, 3, 3), 15, 0));
            feedback(conn, a, "F2", at(LocalDate.of(2025, 3, 5), 9, 0), Deadlines.NORMAL, at(LocalDate.of(2025, 3, 9), 9, 0));
            feedback(conn, a, "F3", at(LocalDate.of(2025, 3, 6), 9, 0), Deadlines.NORMAL, -1);
            feedback(conn, a, "F4", at(LocalDate.of(2025, 3, 1), 9, 0), Deadlines.NORMAL, -1);
            return null;
        }));
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    private static long at(LocalDate d, int hour, int minute) {
        return LocalDateTime.of(d, java.time.LocalTime.of(hour, minute)).atZone(SHANGHAI).toInstant().toEpochMilli();
    }

    private static void provisioned(Connection conn, String id, long at) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE stations SET provisioned_at = ?, created_at = ? WHERE id = ?")) {
            ps.setLong(1, at);
            ps.setLong(2, at - HOUR);
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    private static void offline(Connection conn, String id, long since, long closed) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO alerts (station_id, type, opened_at, closed_at, data) VALUES (?, 'offline', ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setLong(2, since + 30_000);   // the alert opens after a grace time; the outage began at since
            if (closed < 0) {
                ps.setNull(3, Types.BIGINT);
            } else {
                ps.setLong(3, closed);
            }
            ps.setString(4, new JsonObject().put("since", since).put("reason", "lost").encode());
            ps.executeUpdate();
        }
    }

    private static void event(Connection conn, String station, long ts, String type) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO events (id, station_id, ts, received_at, type, data) VALUES (?, ?, ?, ?, ?, '{}')")) {
            ps.setString(1, String.format("01TEST%020d", EVENT_IDS.incrementAndGet()));
            ps.setString(2, station);
            ps.setLong(3, ts);
            ps.setLong(4, ts);
            ps.setString(5, type);
            ps.executeUpdate();
        }
    }

    private static void session(Connection conn, String station, long[] s) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO charging_sessions (station_id, session_id, port, "
                + "started_at, ended_at, energy_wh, end_reason) VALUES (?, ?, 1, ?, ?, ?, 'full')")) {
            ps.setString(1, station);
            ps.setString(2, "s" + s[0]);
            ps.setLong(3, s[0]);
            ps.setLong(4, s[1]);
            ps.setDouble(5, s[2]);
            ps.executeUpdate();
        }
    }

    private static void feedback(Connection conn, String station, String id, long created, String priority, long answered)
            throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO feedback (id, station_id, category, body, "
                + "secret_hash, created_at, status, priority, deadline, answer, answered_at) "
                + "VALUES (?, ?, 'other', 'x', 'h', ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id + "2345678X".substring(0, 8));
            ps.setString(2, station);
            ps.setLong(3, created);
            ps.setString(4, answered < 0 ? "triaged" : "answered");
            ps.setString(5, priority);
            ps.setLong(6, Deadlines.of(priority, created));
            if (answered < 0) {
                ps.setNull(7, Types.VARCHAR);
                ps.setNull(8, Types.BIGINT);
            } else {
                ps.setString(7, "ok");
                ps.setLong(8, answered);
            }
            ps.executeUpdate();
        }
    }

    /** Milliseconds of the intervals inside [lo, hi) (an end of -1 is open: until hi). */
    private static long clipped(List<long[]> intervals, long lo, long hi) {
        long sum = 0;
        for (long[] i : intervals) {
            long end = i[1] < 0 ? hi : i[1];
            sum += Math.max(0, Math.min(end, hi) - Math.max(i[0], lo));
        }
        return sum;
    }

    private static long inPeriod(List<Long> times) {
        return times.stream().filter(t -> t >= P_START && t < P_END).count();
    }

    private static JsonObject scorecard(String query) throws Exception {
        HttpResponse<Buffer> r = get(api.get("/api/v1/scorecard" + query, operator));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    private static JsonObject row(JsonObject card, String id) {
        return card.getJsonArray("stations").stream().map(JsonObject.class::cast)
                .filter(s -> id.equals(s.getString("stationId"))).findFirst().orElseThrow();
    }

    @Test
    void givesUptimeVisitsChargingAndFeedbackFiguresForEachStationAndTheFleet() throws Exception {
        JsonObject card = scorecard(QUERY);
        assertThat(card.getString("from")).isEqualTo(FROM.toString());

        long trackedA = P_END - P_START;
        long offlineA = clipped(OUTAGES_A, P_START, P_END);
        JsonObject ra = row(card, a);
        assertThat(ra.getDouble("trackedHours")).isCloseTo(trackedA / (double) HOUR, within(0.01));
        assertThat(ra.getDouble("offlineHours")).isCloseTo(offlineA / (double) HOUR, within(0.01));
        assertThat(ra.getDouble("uptimePct")).isCloseTo(100.0 * (trackedA - offlineA) / trackedA, within(0.01));
        assertThat(ra.getInteger("visits")).isEqualTo((int) inPeriod(VISITS_A));
        assertThat(ra.getDouble("visitsPerDay")).isCloseTo(inPeriod(VISITS_A) / (trackedA / 86_400_000.0), within(0.01));
        double whA = SESSIONS_A.stream().mapToLong(s -> s[2]).sum();
        long busyA = SESSIONS_A.stream().mapToLong(s -> s[1] - s[0]).sum();
        assertThat(ra.getDouble("energyKwh")).isCloseTo(whA / 1000, within(0.001));
        assertThat(ra.getDouble("utilisationPct")).isCloseTo(100.0 * busyA / (4.0 * trackedA), within(0.01));
        JsonObject fa = ra.getJsonObject("feedback");
        assertThat(fa.getInteger("received")).as("F4 came before the week").isEqualTo(3);
        assertThat(fa.getInteger("answeredOnTime")).isEqualTo(1);
        assertThat(fa.getInteger("answeredLate")).isEqualTo(1);
        assertThat(fa.getInteger("overdue")).isEqualTo(1);
        assertThat(fa.getInteger("pending")).isZero();
        assertThat(fa.getDouble("onTimePct")).isCloseTo(100.0 / 3, within(0.01));

        long trackedB = P_END - PROVISIONED_B;
        long offlineB = clipped(OUTAGES_B, PROVISIONED_B, P_END);
        JsonObject rb = row(card, b);
        assertThat(rb.getLong("trackedFrom")).as("not before it existed").isEqualTo(PROVISIONED_B);
        assertThat(rb.getDouble("trackedHours")).isCloseTo(trackedB / (double) HOUR, within(0.01));
        assertThat(rb.getDouble("uptimePct")).isCloseTo(100.0 * (trackedB - offlineB) / trackedB, within(0.01));
        assertThat(rb.getDouble("visitsPerDay")).isCloseTo(inPeriod(VISITS_B) / (trackedB / 86_400_000.0), within(0.01));
        assertThat(rb.getDouble("energyKwh")).isZero();
        assertThat(rb.getDouble("utilisationPct")).isZero();
        assertThat(rb.getJsonObject("feedback").getValue("onTimePct")).as("nothing to judge").isNull();

        JsonObject rc = row(card, c);
        assertThat(rc.getValue("uptimePct")).as("never provisioned: no uptime at all").isNull();
        assertThat(rc.getDouble("trackedHours")).isZero();
        assertThat(rc.getValue("visitsPerDay")).isNull();
        assertThat(rc.getValue("trackedFrom")).isNull();

        JsonObject total = card.getJsonObject("total");
        long tracked = trackedA + trackedB;
        assertThat(total.getDouble("uptimePct")).isCloseTo(100.0 * (tracked - offlineA - offlineB) / tracked, within(0.01));
        assertThat(total.getInteger("visits")).isEqualTo((int) (inPeriod(VISITS_A) + inPeriod(VISITS_B)));
        assertThat(total.getDouble("utilisationPct")).isCloseTo(100.0 * busyA / (4.0 * trackedA + 2.0 * trackedB), within(0.01));
        assertThat(total.getJsonObject("feedback").getInteger("received")).isEqualTo(3);

        JsonArray days = card.getJsonArray("days");
        assertThat(days).hasSize(7);
        JsonObject fourth = days.getJsonObject(1);
        assertThat(fourth.getString("date")).isEqualTo("2025-03-04");
        assertThat(fourth.getDouble("offlineHours")).as("A's three-hour outage on the 4th").isCloseTo(3.0, within(0.01));
        assertThat(fourth.getDouble("energyKwh")).isCloseTo(1.5, within(0.001));
        assertThat(card.getJsonArray("stations").getJsonObject(0).containsKey("days")).as("days only for one station").isFalse();
    }

    @Test
    void oneStationComesWithItsDaysAndDaysBeforeItExistedAreNotCounted() throws Exception {
        JsonObject card = scorecard(QUERY + "&stationId=" + b);
        assertThat(card.getJsonArray("stations")).hasSize(1);
        JsonArray days = row(card, b).getJsonArray("days");
        assertThat(days).hasSize(7);
        JsonObject fifth = days.getJsonObject(2);
        assertThat(fifth.getString("date")).isEqualTo("2025-03-05");
        assertThat(fifth.getValue("uptimePct")).isNull();
        assertThat(fifth.getDouble("trackedHours")).isZero();
        JsonObject sixth = days.getJsonObject(3);
        assertThat(sixth.getDouble("trackedHours")).isCloseTo((at(LocalDate.of(2025, 3, 7), 0, 0) - PROVISIONED_B) / (double) HOUR,
                within(0.01));
        JsonObject eighth = days.getJsonObject(5);
        assertThat(eighth.getDouble("uptimePct")).isCloseTo(100.0 * (24 - 6) / 24, within(0.01));
        assertThat(days.getJsonObject(4).getInteger("visits")).isEqualTo(VISITS_B.size());
    }

    @Test
    void doesNotCountTheFuture() throws Exception {
        LocalDate today = LocalDate.now(SHANGHAI);
        long before = System.currentTimeMillis();
        JsonObject card = scorecard("?from=" + today.minusDays(1) + "&to=" + today.plusDays(1) + "&stationId=" + a);
        long after = System.currentTimeMillis();
        JsonObject ra = row(card, a);
        long start = today.minusDays(1).atStartOfDay(SHANGHAI).toInstant().toEpochMilli();
        assertThat(ra.getLong("trackedTo")).isBetween(before, after);
        // A's outage that began on 2025-03-09 is still open: the station has been offline all along
        assertThat(ra.getDouble("offlineHours")).isCloseTo(ra.getDouble("trackedHours"), within(0.01));
        assertThat(ra.getDouble("trackedHours")).isCloseTo((before - start) / (double) HOUR, within(0.02));
        assertThat(ra.getDouble("uptimePct")).isCloseTo(0.0, within(0.01));
        assertThat(ra.getJsonArray("days").getJsonObject(2).getDouble("trackedHours")).as("tomorrow").isZero();
    }

    @Test
    void givesTheSameFiguresAsCsvWithABomAndProperEscaping() throws Exception {
        JsonObject card = scorecard(QUERY);
        HttpResponse<Buffer> byPath = get(api.get("/api/v1/scorecard.csv" + QUERY, operator));
        HttpResponse<Buffer> byAccept = get(web.get("/api/v1/scorecard" + QUERY)
                .putHeader("Authorization", "Bearer " + operator).putHeader("Accept", "text/csv").send());
        for (HttpResponse<Buffer> r : List.of(byPath, byAccept)) {
            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
            assertThat(r.getHeader("Content-Type")).isEqualTo("text/csv; charset=utf-8");
            assertThat(r.getHeader("Content-Disposition")).contains("scorecard-2025-03-03-2025-03-09.csv");
        }
        byte[] bytes = byPath.body().getBytes();
        assertThat(new byte[]{bytes[0], bytes[1], bytes[2]}).as("UTF-8 BOM").containsExactly(0xEF, 0xBB, 0xBF);
        assertThat(byAccept.body().getBytes()).isEqualTo(bytes);
        String csv = new String(bytes, StandardCharsets.UTF_8).substring(1);
        List<List<String>> rows = parse(csv);
        assertThat(rows).hasSize(1 + 3 + 1);
        assertThat(rows.get(0)).hasSize(ScorecardCsv.HEADER.size()).contains("驿站编号 station id");
        List<String> rowA = rows.stream().filter(r -> r.get(0).equals(a)).findFirst().orElseThrow();
        assertThat(rowA.get(1)).as("commas and quotes survive").isEqualTo(NAME_A);
        assertThat(csv).contains("\"文三路,\"\"东\"\"站\"");
        assertThat(Double.parseDouble(rowA.get(6))).isEqualTo(row(card, a).getDouble("uptimePct"));
        assertThat(Integer.parseInt(rowA.get(7))).isEqualTo(row(card, a).getInteger("visits"));
        assertThat(Double.parseDouble(rowA.get(9))).isEqualTo(row(card, a).getDouble("energyKwh"));
        List<String> rowC = rows.stream().filter(r -> r.get(0).equals(c)).findFirst().orElseThrow();
        assertThat(rowC.get(1)).as("not a formula in a spreadsheet").isEqualTo("'" + NAME_C);
        assertThat(rowC.get(6)).as("no uptime: an empty cell").isEmpty();
        assertThat(rows.get(rows.size() - 1).get(1)).isEqualTo("全部 all");
        assertThat(csv).endsWith("\r\n");
    }

    @Test
    void refusesBadPeriodsUnknownStationsAndAnonymousCallers() throws Exception {
        for (String q : List.of("?from=2025-03-09&to=2025-03-03", "?from=2025-3-3&to=2025-03-09",
                "?from=2025-02-30&to=2025-03-09", "?from=2023-01-01&to=2025-03-09", "?stationId=Bad!")) {
            HttpResponse<Buffer> r = get(api.get("/api/v1/scorecard" + q, operator));
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid-field");
        }
        HttpResponse<Buffer> unknown = get(api.get("/api/v1/scorecard.csv" + QUERY + "&stationId=no-such-station", operator));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.getHeader("Content-Type")).startsWith("application/json");
        assertThat(get(api.get("/api/v1/scorecard" + QUERY)).statusCode()).isEqualTo(401);
        assertThat(get(api.get("/api/v1/scorecard.csv" + QUERY)).statusCode()).isEqualTo(401);
    }

    /** RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks. */
    static List<List<String>> parse(String csv) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char ch = csv.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    f.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                row.add(f.toString());
                f.setLength(0);
            } else if (ch == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
                row.add(f.toString());
                f.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                f.append(ch);
            }
        }
        return rows;
    }
}
