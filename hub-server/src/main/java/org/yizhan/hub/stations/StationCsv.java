package org.yizhan.hub.stations;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads the CSV a spreadsheet saves (RFC 4180, through Apache Commons CSV): fields split by commas, a field in
 * double quotes may hold commas, line breaks and doubled quotes ({@code ""}); lines end with CRLF or LF; a UTF-8
 * byte order mark at the start is dropped. Blank lines are skipped. Each record keeps the line it starts on, which
 * is the row a spreadsheet shows for it (the header is row 1).
 */
public final class StationCsv {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();

    /** One record with the spreadsheet row it starts on. */
    public record Row(int number, List<String> cells) {
    }

    /** The text cannot be read as CSV at all (an unclosed quote, text after a closing quote); names the row. */
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
        long start = 1;
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(s)).setFormat(FORMAT).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            while (true) {
                CSVRecord r;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    r = records.next();
                } catch (UncheckedIOException e) {
                    throw malformed(start, e.getCause());
                }
                List<String> cells = r.toList();
                if (!cells.stream().allMatch(String::isBlank)) {
                    rows.add(new Row((int) start, List.copyOf(cells)));
                    if (rows.size() > maxRecords) {
                        return rows;
                    }
                }
                // the next record starts on the line after the last one this record ended on
                start = parser.getCurrentLineNumber() + 1;
            }
        } catch (IOException e) {
            throw malformed(start, e);
        }
        return rows;
    }

    /**
     * The rows as CSV with the header first, CRLF line ends and a UTF-8 byte order mark (so that Excel opens Chinese
     * text right); a text cell that a spreadsheet would take for a formula ({@code = + - @}) gets a leading
     * {@code '}, unless it is a number.
     */
    public static String write(List<String> header, List<List<String>> rows) {
        StringBuilder out = new StringBuilder("\uFEFF");
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180)) {
            printer.printRecord(header);
            for (List<String> row : rows) {
                printer.printRecord(row.stream().map(StationCsv::safe).toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String safe(String cell) {
        if (cell.isEmpty() || "=+-@\t\r".indexOf(cell.charAt(0)) < 0) {
            return cell;
        }
        try {
            Double.parseDouble(cell);
            return cell;
        } catch (NumberFormatException e) {
            return "'" + cell;
        }
    }

    private static Malformed malformed(long row, Throwable e) {
        String why = e == null || e.getMessage() == null ? "" : e.getMessage();
        return new Malformed("row " + row + ": " + (why.contains("EOF reached before encapsulated token finished")
                ? "a quoted field is not closed (a \" is missing)"
                : why.toLowerCase(java.util.Locale.ROOT).contains("between encapsulated token and delimiter")
                ? "text follows a closing quote; put the whole field in quotes and double the quotes inside"
                : "cannot be read as CSV (" + why.replaceAll("\\s+", " ") + ")"));
    }
}
