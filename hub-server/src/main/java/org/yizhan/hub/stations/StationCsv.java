package org.yizhan.hub.stations;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the CSV a spreadsheet saves (RFC 4180): fields split by commas, a field in double quotes may hold commas,
 * line breaks and doubled quotes ({@code ""}); lines end with CRLF or LF; a UTF-8 byte order mark at the start is
 * dropped. Blank lines are skipped. Each record keeps the row number a spreadsheet shows for it (the header is row 1).
 */
public final class StationCsv {

    /** One record with the spreadsheet row it starts on. */
    public record Row(int number, List<String> cells) {
    }

    /** The text cannot be read as CSV at all (an unclosed quote); names the row. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private StationCsv() {
    }

    /** Every non-blank record of the text, in order; stops early (returning what it has) past {@code maxRecords}. */
    public static List<Row> read(String text, int maxRecords) throws Malformed {
        String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<Row> rows = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        int line = 1;
        int recordStart = 1;
        boolean quoted = false;
        boolean wasQuoted = false;
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        cell.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    if (ch == '\n') {
                        line++;
                    }
                    cell.append(ch);
                }
                i++;
                continue;
            }
            if (ch == '"' && cell.length() == 0 && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
            } else if (ch == '\r' || ch == '\n') {
                if (ch == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                cells.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
                add(rows, recordStart, cells);
                cells = new ArrayList<>();
                line++;
                recordStart = line;
                if (rows.size() > maxRecords) {
                    return rows;
                }
            } else {
                cell.append(ch);
            }
            i++;
        }
        if (quoted) {
            throw new Malformed("row " + recordStart + ": a quoted field is not closed (a \" is missing)");
        }
        cells.add(cell.toString());
        add(rows, recordStart, cells);
        return rows;
    }

    private static void add(List<Row> rows, int number, List<String> cells) {
        boolean blank = cells.stream().allMatch(c -> c.isBlank());
        if (!blank) {
            rows.add(new Row(number, List.copyOf(cells)));
        }
    }
}
