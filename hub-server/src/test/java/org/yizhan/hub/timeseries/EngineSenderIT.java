package org.yizhan.hub.timeseries;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Telemetry;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link EngineSender} against a real embedded QuestDB: the tables it makes are the tables QuestDB's own line
 * protocol (HTTP {@code /api/v2/write}) makes from the same records, rows read back by SQL hold the same values, and a
 * bad record refuses its whole batch and leaves nothing of it behind.
 */
class EngineSenderIT {

    private static final long T0 = 1_750_000_020_000L;
    private static EmbeddedQuestDb db;
    private static EngineSender sender;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        db = EmbeddedQuestDb.start(dir.resolve("questdb"), 0);
        sender = new EngineSender(db.engine());
    }

    @AfterAll
    static void stop() {
        if (sender != null) {
            sender.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void makesTheTablesTheLineProtocolMakesAndStoresTheSameRows() throws Exception {
        List<String> records = List.of(
                "charger,port=1,station=st\\ a\\,b\\=c energy_wh=12.5,power_w=1200.0,state=\"char\\\"ging\\\\\" " + T0,
                "charger,port=2,station=st-b energy_wh=0.0,power_w=-3.25,state=\"available\",temp_c=31.5 "
                        + (T0 + 1_000),
                "charger,port=1,station=st-b energy_wh=7.0,power_w=1.0E-5,state=\"faulted\" " + (T0 + 2_000));
        // the same records into two tables, once in-process and once through QuestDB's line-protocol endpoint
        sender.send(records.stream().map(r -> r.replaceFirst("^charger", "eng_charger")).toList());
        HttpResponse<String> ilp = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v2/write?precision=ms"))
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", records.stream()
                        .map(r -> r.replaceFirst("^charger", "ilp_charger")).toList()))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ilp.statusCode()).as(ilp.body()).isEqualTo(204);
        awaitApplied();

        assertThat(columns("eng_charger")).isEqualTo(columns("ilp_charger"))
                .contains("station SYMBOL", "port SYMBOL", "power_w DOUBLE", "state VARCHAR", "timestamp TIMESTAMP*");
        assertThat(tableInfo("eng_charger")).isEqualTo(tableInfo("ilp_charger")).contains("DAY", "true");
        String select = " ORDER BY timestamp, port";
        JsonArray engineRows = query("SELECT * FROM eng_charger" + select).getJsonArray("dataset");
        assertThat(engineRows).isEqualTo(query("SELECT * FROM ilp_charger" + select).getJsonArray("dataset"));
        assertThat(engineRows).hasSize(3);
        JsonObject first = query("SELECT station, state, power_w, temp_c FROM eng_charger" + select);
        assertThat(first.getJsonArray("dataset").getJsonArray(0).getList())
                .containsExactly("st a,b=c", "char\"ging\\", 1200.0, null);
    }

    @Test
    void addsAColumnARecordBringsAndLeavesEarlierRowsEmptyThere() throws Exception {
        sender.send(List.of("grow,station=st-a count=1i " + T0));
        sender.send(List.of("grow,station=st-a count=2i,note=\"new\" " + (T0 + 1_000),
                "grow,station=st-a,zone=east count=3i " + (T0 + 2_000)));
        awaitApplied();
        assertThat(columns("grow")).contains("count LONG", "note VARCHAR", "zone SYMBOL");
        assertThat(query("SELECT count, note, zone FROM grow ORDER BY timestamp").getJsonArray("dataset"))
                .isEqualTo(new JsonArray("[[1,null,null],[2,\"new\",null],[3,null,\"east\"]]"));
    }

    @Test
    void aBadRecordRefusesItsWholeBatchAndLeavesNothingOfIt() throws Exception {
        sender.send(List.of("occ,station=st-a count=1i " + T0, "gate,station=st-a open=0i " + T0));
        awaitApplied();
        List<String> bad = List.of(
                "occ,station=st-a count=2i " + (T0 + 1),
                "gate,station=st-a open=1i " + (T0 + 1),
                "occ,station=st-a count=\"many\" " + (T0 + 2)); // text into the LONG column
        assertThatThrownBy(() -> sender.send(bad)).isInstanceOf(LineWriter.Rejected.class)
                .hasMessageContaining("record 3 of 3").hasMessageContaining("count");
        for (String malformed : List.of(
                "occ,station=st-a count=2i",                       // no time
                "occ,station=st-a " + T0,                          // no field
                "occ,station=st-a count=2x " + T0,                 // not a number
                "occ,station=st-a count=NaN " + T0,                // not a finite number
                "occ,station=st-a note=\"open " + T0,              // string not closed
                "occ,station=st-a count=1i,count=2i " + T0,        // a name twice
                "occ;drop table occ,station=st-a count=1i " + T0,  // not a plain table name
                "occ,Station=st-a count=1i " + T0,                 // not a plain column name
                "occ,station= count=1i " + T0,                     // a tag without a value
                "occ,station=st-a count=1i -5",                    // before 1970
                "occ,station=st-a count=1i 99999999999999999")) {  // beyond what microseconds hold
            assertThatThrownBy(() -> sender.send(List.of("gate,station=st-a open=1i " + (T0 + 5), malformed)))
                    .as(malformed).isInstanceOf(LineWriter.Rejected.class).hasMessageContaining("record 2 of 2");
        }
        sender.send(List.of("occ,station=st-a count=3i " + (T0 + 3), "gate,station=st-a open=1i " + (T0 + 3)));
        awaitApplied();
        assertThat(query("SELECT count FROM occ ORDER BY timestamp").getJsonArray("dataset"))
                .isEqualTo(new JsonArray("[[1],[3]]"));
        assertThat(query("SELECT open FROM gate ORDER BY timestamp").getJsonArray("dataset"))
                .isEqualTo(new JsonArray("[[0],[1]]"));
    }

    @Test
    void writesWhatStationPointsMakesForAWholeBatch() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            lines.addAll(StationPoints.telemetry("st-" + (i % 50), telemetry(T0 + i, i),
                    T0 + i));
        }
        sender.send(lines);
        awaitApplied();
        long rows = 0;
        for (String table : List.of("occupancy", "door", "charger", "env")) {
            rows += query("SELECT count() FROM " + table).getJsonArray("dataset").getJsonArray(0).getLong(0);
        }
        assertThat(rows).isEqualTo(lines.size());
        assertThat(query("SELECT count_distinct(station) FROM charger").getJsonArray("dataset").getJsonArray(0)
                .getLong(0)).isEqualTo(50);
    }

    /** A fleet station's telemetry: occupancy, door, two charger ports (one without temperature), room climate. */
    private static Telemetry telemetry(long ts, int i) {
        return new Telemetry(ts, Optional.of(new Telemetry.Occupancy(i % 20, 20)),
                Optional.of(new Telemetry.Door(i % 7 == 0, true)),
                List.of(new Telemetry.Charger(1, ChargerState.CHARGING, 1000 + i, i / 10.0, OptionalDouble.of(30.5)),
                        new Telemetry.Charger(2, ChargerState.AVAILABLE, 0, 0, OptionalDouble.empty())),
                Optional.of(new Telemetry.Env(OptionalDouble.of(21.5), OptionalDouble.of(40 + i % 30))));
    }

    /** "name TYPE" per column, with a star on the designated timestamp. */
    private static List<String> columns(String table) throws Exception {
        JsonObject answer = query("SHOW COLUMNS FROM " + table);
        int designated = -1;
        JsonArray meta = answer.getJsonArray("columns");
        for (int i = 0; i < meta.size(); i++) {
            if ("designated".equals(meta.getJsonObject(i).getString("name"))) {
                designated = i;
            }
        }
        assertThat(designated).as("SHOW COLUMNS names the designated timestamp").isNotNegative();
        List<String> out = new ArrayList<>();
        for (Object row : answer.getJsonArray("dataset")) {
            JsonArray r = (JsonArray) row;
            out.add(r.getString(0) + " " + r.getString(1) + (Boolean.TRUE.equals(r.getValue(designated)) ? "*" : ""));
        }
        return out;
    }

    private static String tableInfo(String table) throws Exception {
        JsonArray r = query("SELECT designatedTimestamp, partitionBy, walEnabled, dedup FROM tables() WHERE table_name = '"
                + table + "'").getJsonArray("dataset").getJsonArray(0);
        return r.encode();
    }

    private static void awaitApplied() {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() ->
                query("SELECT count() FROM wal_tables() WHERE writerTxn < sequencerTxn")
                        .getJsonArray("dataset").getJsonArray(0).getLong(0) == 0);
    }

    private static String base() {
        return "http://127.0.0.1:" + db.httpPort();
    }

    private static JsonObject query(String sql) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/exec?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(sql + ": " + r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }
}
