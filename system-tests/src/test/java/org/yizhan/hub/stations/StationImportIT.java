package org.yizhan.hub.stations;

import org.yizhan.testing.Cleanup;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.testing.TestHub;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/stations/import} over real HTTP against a real hub: a good file registers every station with
 * a working claim code; bad rows, duplicates, oversized files and the wrong role are refused with every problem
 * named and nothing created.
 */
@ExtendWith(VertxExtension.class)
class StationImportIT {

    private static final String HEADER = "name,address,lat,lon,profile,ports,capacity\r\n";

    @TempDir
    static Path dataDir;

    static TestHub hub;
    static String technician;
    static String operator;
    static String admin;

    @BeforeAll
    static void startHub(Vertx vertx) throws Exception {
        hub = TestHub.start(vertx, dataDir);
        admin = hub.adminToken();
        technician = hub.user("importer", "technician");
        operator = hub.user("desk", "operator");
    }

    @AfterAll
    static void stopHub() throws Exception {
        Cleanup.close(hub);
    }

    static HttpResponse<String> post(String token, String contentType, byte[] body) throws Exception {
        return hub.send("POST", ImportRoutes.PATH, token, contentType, body);
    }

    static HttpResponse<String> postCsv(String token, String csv) throws Exception {
        return post(token, "text/csv; charset=utf-8", csv.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        return hub.send(method, path, token, "application/json",
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    static int stationCount() throws Exception {
        HttpResponse<String> r = call("GET", "/api/v1/stations", admin, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return new JsonObject(r.body()).getJsonArray("stations").size();
    }

    @Test
    void registersEveryStationOfAGoodFileWithAClaimCodeThatProvisions() throws Exception {
        String csv = "\uFEFF" + HEADER
                + "\"拱墅区驿站, 北门\",\"杭州市拱墅区 \"\"湖墅南路\"\" 1 号\",30.2861,120.1437,simulated,4,12\r\n"
                + "西湖区驿站,杭州市西湖区文二路 2 号,30.2790,120.1320,pi4b-standard,2,20\r\n"
                + "\r\n"
                + "滨江区驿站,杭州市滨江区 3 号,30.2084,120.2107,pi5-standard,0,8\r\n";
        int before = stationCount();
        HttpResponse<String> r = postCsv(technician, csv);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonObject body = new JsonObject(r.body());
        JsonArray created = body.getJsonArray("stations");
        assertThat(body.getInteger("count")).isEqualTo(3);
        assertThat(created).hasSize(3);
        JsonObject first = created.getJsonObject(0);
        assertThat(first.getString("name")).as("quotes and commas kept, BOM dropped").isEqualTo("拱墅区驿站, 北门");
        assertThat(first.getString("address")).isEqualTo("杭州市拱墅区 \"湖墅南路\" 1 号");
        assertThat(first.getInteger("row")).isEqualTo(2);
        assertThat(created.getJsonObject(2).getInteger("row")).as("rows as a spreadsheet numbers them").isEqualTo(5);
        assertThat(created.stream().map(o -> ((JsonObject) o).getString("claimCode")))
                .allMatch(c -> c.matches("[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}"));
        assertThat(stationCount()).isEqualTo(before + 3);

        HttpResponse<String> shown = call("GET", "/api/v1/stations/" + first.getString("id"), admin, null);
        JsonObject station = new JsonObject(shown.body());
        assertThat(station.getString("name")).isEqualTo("拱墅区驿站, 北门");
        assertThat(station.getDouble("lat")).isEqualTo(30.2861);
        assertThat(station.getInteger("ports")).isEqualTo(4);
        assertThat(station.getInteger("capacity")).isEqualTo(12);

        HttpResponse<String> provisioned = hub.send("POST", "/api/v1/provision", null, new JsonObject()
                .put("claimCode", created.getJsonObject(1).getString("claimCode")));
        assertThat(provisioned.statusCode()).as(provisioned.body()).isEqualTo(200);
        assertThat(new JsonObject(provisioned.body()).getString("stationId")).isEqualTo(created.getJsonObject(1).getString("id"));
    }

    @Test
    void districtsComeWithTheFileOrTheApiCanBeChangedAndGoOutInTheExport() throws Exception {
        String csv = "name,district,address,lat,lon,profile,ports,capacity\r\n"
                + "文三路驿站,西湖区,杭州市西湖区文三路 9 号,30.2800,120.1300,simulated,2,10\r\n"
                + "=1+2驿站,,杭州市上城区 1 号,30.2500,120.1700,simulated,0,6\r\n";
        HttpResponse<String> r = postCsv(technician, csv);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String wensan = new JsonObject(r.body()).getJsonArray("stations").getJsonObject(0).getString("id");
        String formula = new JsonObject(r.body()).getJsonArray("stations").getJsonObject(1).getString("id");
        assertThat(new JsonObject(call("GET", "/api/v1/stations/" + wensan, operator, null).body())
                .getString("district")).isEqualTo("西湖区");
        assertThat(new JsonObject(call("GET", "/api/v1/stations/" + formula, operator, null).body())
                .getValue("district")).as("an empty cell is no district").isNull();

        HttpResponse<String> byApi = call("POST", "/api/v1/stations", technician, new JsonObject().put("name", "江南驿站")
                .put("district", " 滨江区 ").put("lat", 30.2).put("lon", 120.2).put("profile", "simulated").put("ports", 0)
                .put("capacity", 5).encode());
        assertThat(byApi.statusCode()).as(byApi.body()).isEqualTo(201);
        assertThat(new JsonObject(byApi.body()).getJsonObject("station").getString("district")).isEqualTo("滨江区");

        String path = "/api/v1/stations/" + wensan + "/district";
        assertThat(call("PUT", path, operator, "{\"district\":\"拱墅区\"}").statusCode()).isEqualTo(403);
        HttpResponse<String> tooLong = call("PUT", path, technician, new JsonObject().put("district", "区".repeat(101))
                .encode());
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("district");
        HttpResponse<String> moved = call("PUT", path, technician, "{\"district\":\"拱墅区\"}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(new JsonObject(moved.body()).getString("district")).isEqualTo("拱墅区");
        assertThat(call("PUT", "/api/v1/stations/st-nosuchstation/district", technician, "{\"district\":\"x\"}")
                .statusCode()).isEqualTo(404);

        HttpResponse<String> export = call("GET", ImportRoutes.EXPORT_PATH, operator, null);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        List<StationCsv.Row> rows = StationCsv.read(export.body(), 10_000);
        assertThat(rows.get(0).cells()).containsExactly("id", "name", "district", "address", "lat", "lon", "profile",
                "ports", "capacity");
        assertThat(rows).filteredOn(row -> row.cells().get(0).equals(wensan)).singleElement()
                .satisfies(row -> assertThat(row.cells()).containsExactly(wensan, "文三路驿站", "拱墅区",
                        "杭州市西湖区文三路 9 号", "30.28", "120.13", "simulated", "2", "10"));
        assertThat(rows).filteredOn(row -> row.cells().get(0).equals(formula)).singleElement()
                .satisfies(row -> assertThat(row.cells().get(1)).as("no formula for a spreadsheet to run")
                        .isEqualTo("'=1+2驿站"));
        assertThat(call("GET", ImportRoutes.EXPORT_PATH, null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void namesEveryBadRowAndColumnAndCreatesNothing() throws Exception {
        String csv = HEADER
                + "好驿站,地址 1,30.1,120.1,simulated,2,10\n"
                + "坏纬度,地址 2,123.4,120.1,simulated,2,10\n"
                + "坏经度和型号,地址 3,30.1,east,raspberry-pi-3,2,10\n"
                + ",地址 4,30.1,120.1,simulated,99,0\n"
                + "少一列,地址 5,30.1,120.1,simulated,2\n";
        int before = stationCount();
        HttpResponse<String> r = postCsv(technician, csv);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("invalid-rows");
        assertThat(error.getString("message")).contains("nothing was created");
        List<String> messages = error.getJsonArray("problems").stream()
                .map(o -> ((JsonObject) o).getString("message")).toList();
        assertThat(messages).contains("row 3, lat: 123.4 is not a latitude (-90 to 90)");
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("row 4, lon: 'east' is not a number"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("row 4, profile: 'raspberry-pi-3' is not a hardware profile"));
        assertThat(messages).contains("row 5, name: is empty");
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("row 5, ports: 99 is not"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("row 5, capacity: 0 is not"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("row 6: has 6 fields but the header has 7"));
        assertThat(messages).noneMatch(m -> m.startsWith("row 2"));
        JsonObject p = error.getJsonArray("problems").getJsonObject(0);
        assertThat(p.getInteger("row")).isEqualTo(3);
        assertThat(p.getString("column")).isEqualTo("lat");
        assertThat(stationCount()).as("the good row was not created either").isEqualTo(before);
    }

    @Test
    void refusesDuplicatesInTheFileAndOfRegisteredStations() throws Exception {
        String csv = HEADER
                + "重复驿站,杭州市上城区 9 号,30.25,120.17,simulated,2,10\n"
                + "另一个驿站,杭州市上城区 10 号,30.25,120.17,simulated,2,10\n"
                + "重复驿站,杭州市上城区 9 号,30.25,120.17,simulated,2,10\n";
        int before = stationCount();
        HttpResponse<String> r = postCsv(technician, csv);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("row 4, name: '重复驿站' at this address is already in row 2 of this file");
        assertThat(stationCount()).isEqualTo(before);

        String once = HEADER + "已登记驿站,杭州市上城区 11 号,30.25,120.17,simulated,2,10\n";
        assertThat(postCsv(technician, once).statusCode()).isEqualTo(201);
        String again = HEADER + "新驿站,杭州市上城区 12 号,30.25,120.17,simulated,2,10\n"
                + "已登记驿站,杭州市上城区 11 号,30.25,120.17,simulated,2,10\n";
        int middle = stationCount();
        HttpResponse<String> dup = postCsv(technician, again);
        assertThat(dup.statusCode()).as(dup.body()).isEqualTo(409);
        JsonObject error = new JsonObject(dup.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("already-registered");
        assertThat(error.getJsonArray("problems").getJsonObject(0).getString("message"))
                .startsWith("row 3, name: '已登记驿站' at this address is registered already as st-");
        assertThat(stationCount()).as("the new station of that file was rolled back").isEqualTo(middle);
    }

    @Test
    void refusesOversizedFilesAndTooManyRows() throws Exception {
        StringBuilder many = new StringBuilder(HEADER);
        for (int i = 0; i <= StationImport.MAX_ROWS; i++) {
            many.append("驿站 ").append(i).append(",地址 ").append(i).append(",30.1,120.1,simulated,2,10\n");
        }
        HttpResponse<String> rows = postCsv(technician, many.toString());
        assertThat(rows.statusCode()).as(rows.body()).isEqualTo(413);
        assertThat(new JsonObject(rows.body()).getJsonObject("error").getString("message")).contains("more than 2000 stations");

        byte[] big = new byte[(int) ImportRoutes.MAX_BODY_BYTES + 10];
        java.util.Arrays.fill(big, (byte) 'a');
        HttpResponse<String> size = post(technician, "text/csv", big);
        assertThat(size.statusCode()).as(size.body()).isEqualTo(413);
        JsonObject error = new JsonObject(size.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("too-large");
        assertThat(error.getString("message")).contains("1024 KiB");
    }

    @Test
    void refusesOtherMediaTypesBrokenTextAndAnUnclosedQuote() throws Exception {
        String good = HEADER + "驿站,地址,30.1,120.1,simulated,2,10\n";
        assertThat(post(technician, "application/json", good.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(415);
        byte[] latin1 = (HEADER + "Caf\u00e9,addr,30.1,120.1,simulated,2,10\n").getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> notUtf8 = post(technician, "text/csv", latin1);
        assertThat(notUtf8.statusCode()).isEqualTo(400);
        assertThat(notUtf8.body()).contains("UTF-8");
        HttpResponse<String> open = postCsv(technician, HEADER + "\"驿站,地址,30.1,120.1,simulated,2,10\n");
        assertThat(open.statusCode()).isEqualTo(400);
        assertThat(open.body()).contains("row 2").contains("not closed");
        HttpResponse<String> header = postCsv(technician, "name,addr,lat,lon,profile,ports,capacity\n驿站,地址,30.1,120.1,simulated,2,10\n");
        assertThat(header.statusCode()).isEqualTo(400);
        assertThat(header.body()).contains("'addr' is not a column").contains("no column 'address'");
    }

    @Test
    void refusesOperatorsAndAnonymousCallers() throws Exception {
        int before = stationCount();
        String csv = HEADER + "运营不可导入,地址,30.1,120.1,simulated,2,10\n";
        HttpResponse<String> r = postCsv(operator, csv);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("forbidden");
        HttpResponse<String> anon = post(null, "text/csv", csv.getBytes(StandardCharsets.UTF_8));
        assertThat(anon.statusCode()).isEqualTo(401);
        assertThat(stationCount()).isEqualTo(before);
    }
}
