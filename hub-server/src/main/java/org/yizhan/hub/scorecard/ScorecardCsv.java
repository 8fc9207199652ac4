package org.yizhan.hub.scorecard;

import io.vertx.core.json.JsonObject;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Stream;

import java.util.List;

/**
 * The scorecard as CSV (RFC 4180: comma separated, CRLF line ends, fields with a comma, quote or line break in
 * quotes, quotes doubled), one row per station and a last row for all of them. UTF-8 with a byte order mark so
 * Excel opens the Chinese names correctly. A text field that a spreadsheet would take for a formula (starting with
 * {@code = + - @}, tab or CR) gets a leading apostrophe.
 */
public final class ScorecardCsv {

    /** RFC 4180 through Apache Commons CSV: CRLF, quotes only where needed, null as an empty field. */
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setQuoteMode(QuoteMode.MINIMAL)
            .setNullString("").get();

    public static final String BOM = "\uFEFF";
    static final List<String> HEADER = List.of("驿站编号 station id", "驿站 station", "开始 from", "结束 to",
            "统计小时 tracked hours", "离线小时 offline hours", "在线率% uptime %", "到访 visits",
            "日均到访 visits per day",
            "充电量kWh energy kWh", "充电口利用率% charger utilisation %", "反馈 feedback received",
            "按时答复 answered on time", "逾期答复 answered late", "逾期未答 overdue", "处理中 pending",
            "按时答复率% answered on time %");

    private ScorecardCsv() {
    }

    public static String of(JsonObject scorecard) {
        StringBuilder sb = new StringBuilder(BOM);
        try (CSVPrinter csv = new CSVPrinter(sb, FORMAT)) {
            csv.printRecord(HEADER);
            String from = scorecard.getString("from");
            String to = scorecard.getString("to");
            for (Object o : scorecard.getJsonArray("stations")) {
                JsonObject s = (JsonObject) o;
                row(csv, s.getString("stationId"), s.getString("name"), from, to, s);
            }
            row(csv, "", "全部 all", from, to, scorecard.getJsonObject("total"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    private static void row(CSVPrinter csv, String id, String name, String from, String to, JsonObject s)
            throws IOException {
        JsonObject f = s.getJsonObject("feedback");
        csv.printRecord(Stream.of(text(id), text(name), from, to, s.getValue("trackedHours"), s.getValue("offlineHours"),
                s.getValue("uptimePct"), s.getValue("visits"), s.getValue("visitsPerDay"), s.getValue("energyKwh"),
                s.getValue("utilisationPct"), f.getValue("received"), f.getValue("answeredOnTime"),
                f.getValue("answeredLate"), f.getValue("overdue"), f.getValue("pending"), f.getValue("onTimePct"))
                .map(ScorecardCsv::plain));
    }

    /** A whole number as a whole number (3, not 3.0); null stays null, an empty field. */
    static Object plain(Object v) {
        return v instanceof Double d && d == Math.rint(d) && !d.isInfinite() ? (Object) Long.valueOf(d.longValue()) : v;
    }

    /** Text from people (names): never read as a formula by a spreadsheet. */
    static String text(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        char first = s.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + s : s;
    }
}
