package org.yizhan.hub.scorecard;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The scorecard as CSV (RFC 4180: comma separated, CRLF line ends, fields with a comma, quote or line break in
 * quotes, quotes doubled), one row per station and a last row for all of them. UTF-8 with a byte order mark so
 * Excel opens the Chinese names correctly. A text field that a spreadsheet would take for a formula (starting with
 * {@code = + - @}, tab or CR) gets a leading apostrophe.
 */
public final class ScorecardCsv {

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
        line(sb, HEADER.toArray());
        String from = scorecard.getString("from");
        String to = scorecard.getString("to");
        for (Object o : scorecard.getJsonArray("stations")) {
            JsonObject s = (JsonObject) o;
            row(sb, s.getString("stationId"), s.getString("name"), from, to, s);
        }
        row(sb, "", "全部 all", from, to, scorecard.getJsonObject("total"));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String id, String name, String from, String to, JsonObject s) {
        JsonObject f = s.getJsonObject("feedback");
        line(sb, text(id), text(name), from, to, s.getValue("trackedHours"), s.getValue("offlineHours"),
                s.getValue("uptimePct"), s.getValue("visits"), s.getValue("visitsPerDay"), s.getValue("energyKwh"),
                s.getValue("utilisationPct"), f.getValue("received"), f.getValue("answeredOnTime"),
                f.getValue("answeredLate"), f.getValue("overdue"), f.getValue("pending"), f.getValue("onTimePct"));
    }

    private static void line(StringBuilder sb, Object... fields) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(field(fields[i]));
        }
        sb.append("\r\n");
    }

    /** One field, quoted when it must be. Null is an empty field. */
    static String field(Object v) {
        if (v == null) {
            return "";
        }
        String s = v instanceof Double d && d == Math.rint(d) && !d.isInfinite() ? Long.toString(d.longValue())
                : v.toString();
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
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
