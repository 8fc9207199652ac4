package org.yizhan.hub.timeseries;

import io.questdb.cairo.CairoEngine;
import io.questdb.cairo.ColumnType;
import io.questdb.cairo.TableToken;
import io.questdb.cairo.TableWriter;
import io.questdb.cairo.security.AllowAllSecurityContext;
import io.questdb.cairo.sql.TableRecordMetadata;
import io.questdb.cairo.wal.WalWriter;
import io.questdb.std.str.Utf8String;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes line-protocol records into the embedded QuestDB of this process through its tables' WAL writers: no HTTP
 * request, no line-protocol server, about a third of the CPU of sending them to {@code /api/v2/write}
 * (bench/RESULTS.md, "QuestDB write paths"). Only the {@link LineWriter}'s thread calls {@link #send}.
 * <p>
 * Tables and columns are made as QuestDB's line protocol makes them, so a table made one way is the same as one made
 * the other: tags are {@code SYMBOL}, integer fields ({@code 12i}) {@code LONG}, other numbers {@code DOUBLE},
 * strings {@code VARCHAR}, the designated timestamp is {@code timestamp}, partitioned by day, WAL. A batch is one
 * commit per table. A record that does not parse, or whose value does not fit its column, rolls the whole batch back
 * and refuses it ({@link LineWriter.Rejected}), as QuestDB refuses an HTTP batch with such a record; any other
 * failure rolls back, drops the writers and throws, so the {@link LineWriter} keeps the batch on disk and retries.
 */
final class EngineSender implements LineWriter.Sender, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EngineSender.class);
    /** What this sender will name a table or column (it goes into SQL): what {@link StationPoints} writes. */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,63}");

    private final CairoEngine engine;
    private final Map<String, WalWriter> writers = new HashMap<>();
    private final List<WalWriter> touched = new ArrayList<>();
    private final Record record = new Record();

    EngineSender(CairoEngine engine) {
        this.engine = engine;
    }

    @Override
    public void send(List<String> lines) throws Exception {
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isEmpty()) {
                    continue;
                }
                try {
                    record.parse(line);
                } catch (IllegalArgumentException e) {
                    throw new LineWriter.Rejected("record " + (i + 1) + " of " + lines.size() + ": " + e.getMessage(),
                            e);
                }
                append(record, i, lines.size());
            }
            for (WalWriter w : touched) {
                w.commit();
            }
        } catch (LineWriter.Rejected e) {
            touched.forEach(WalWriter::rollback);
            throw e;
        } catch (Exception | Error e) {
            dropWriters();
            throw e;
        } finally {
            touched.clear();
        }
    }

    private void append(Record r, int index, int count) throws Exception {
        WalWriter w = writer(r);
        if (!touched.contains(w)) {
            touched.add(w);
        }
        TableRecordMetadata meta = w.getMetadata();
        int tsType = meta.getColumnType(meta.getTimestampIndex());
        long ts;
        try {
            ts = Math.multiplyExact(r.timeMillis, ColumnType.isTimestampNano(tsType) ? 1_000_000L : 1_000L);
        } catch (ArithmeticException e) {
            throw new LineWriter.Rejected("record " + (index + 1) + " of " + count + ": the time " + r.timeMillis
                    + " is out of range", e);
        }
        if (r.columns.length < r.size()) {
            r.columns = new int[r.size()];
        }
        int[] columns = r.columns;
        for (int c = 0; c < r.size(); c++) {
            columns[c] = column(w, r, c); // may change the table: before the row is open
        }
        TableWriter.Row row = w.newRow(ts);
        try {
            for (int c = 0; c < r.size(); c++) {
                put(row, w.getMetadata().getColumnType(columns[c]), columns[c], r, c);
            }
            row.append();
        } catch (IllegalArgumentException | ArithmeticException e) {
            row.cancel();
            throw new LineWriter.Rejected("record " + (index + 1) + " of " + count + " (" + r.table + "): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            row.cancel();
            throw e;
        }
    }

    private WalWriter writer(Record r) throws Exception {
        WalWriter w = writers.get(r.table);
        if (w != null) {
            return w;
        }
        TableToken token = engine.getTableTokenIfExists(r.table);
        if (token == null) {
            engine.execute(createTable(r));
            token = engine.verifyTableName(r.table);
        }
        if (!token.isWal()) {
            throw new LineWriter.Rejected("table " + r.table + " is not a WAL table", null);
        }
        w = engine.getWalWriter(token);
        writers.put(r.table, w);
        return w;
    }

    /** The table the line protocol would make for this record. */
    static String createTable(Record r) {
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(r.table).append(" (");
        for (int c = 0; c < r.size(); c++) {
            sql.append(r.names.get(c)).append(' ').append(ColumnType.nameOf(r.columnType(c))).append(", ");
        }
        return sql.append("timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL").toString();
    }

    private static int column(WalWriter w, Record r, int c) {
        String name = r.names.get(c);
        int index = w.getMetadata().getColumnIndexQuiet(name);
        if (index < 0) {
            w.addColumn(name, r.columnType(c), AllowAllSecurityContext.INSTANCE);
            index = w.getMetadata().getColumnIndex(name);
        }
        return index;
    }

    /** Puts field {@code c} into its column; refuses a value its column cannot hold. */
    private static void put(TableWriter.Row row, int type, int column, Record r, int c) {
        int kind = r.kinds[c];
        switch (ColumnType.tagOf(type)) {
            case ColumnType.SYMBOL -> row.putSym(column, text(r, c, kind));
            case ColumnType.VARCHAR -> row.putVarchar(column, new Utf8String(text(r, c, kind)));
            case ColumnType.STRING -> row.putStr(column, text(r, c, kind));
            case ColumnType.LONG -> row.putLong(column, whole(r, c, kind));
            case ColumnType.INT -> row.putInt(column, Math.toIntExact(whole(r, c, kind)));
            case ColumnType.DOUBLE -> row.putDouble(column, number(r, c, kind));
            case ColumnType.FLOAT -> row.putFloat(column, (float) number(r, c, kind));
            default -> throw new IllegalArgumentException(
                    "column " + r.names.get(c) + " is " + ColumnType.nameOf(type) + ", which this writer does not fill");
        }
    }

    private static String text(Record r, int c, int kind) {
        if (kind != Record.TAG && kind != Record.STRING) {
            throw new IllegalArgumentException("column " + r.names.get(c) + " holds text, the record has a number");
        }
        return r.texts.get(c);
    }

    private static long whole(Record r, int c, int kind) {
        if (kind != Record.LONG) {
            throw new IllegalArgumentException("column " + r.names.get(c) + " holds integers, the record has "
                    + (kind == Record.DOUBLE ? "a decimal" : "text"));
        }
        return r.longs[c];
    }

    private static double number(Record r, int c, int kind) {
        return switch (kind) {
            case Record.LONG -> r.longs[c];
            case Record.DOUBLE -> r.doubles[c];
            default -> throw new IllegalArgumentException("column " + r.names.get(c) + " holds numbers, the record has text");
        };
    }

    /** Rolls back and returns every writer to QuestDB; the next batch takes fresh ones. */
    private void dropWriters() {
        for (WalWriter w : writers.values()) {
            try {
                w.rollback();
            } catch (RuntimeException e) {
                LOG.debug("Rolling back a WAL writer of {} failed: {}", w.getTableToken().getTableName(), e.toString());
            }
            w.close();
        }
        writers.clear();
    }

    /** Returns the writers to QuestDB (everything sent was committed). Call after the writer thread has stopped. */
    @Override
    public void close() {
        writers.values().forEach(WalWriter::close);
        writers.clear();
    }

    /**
     * One line-protocol record as {@link Line} writes it, parsed into reused arrays: the measurement, tags, fields
     * ({@code 12i} integers, quoted strings, other numbers as doubles) and a time in milliseconds. Names must be
     * plain ({@link #NAME}), since they become tables and columns.
     */
    static final class Record {
        static final int TAG = 0;
        static final int LONG = 1;
        static final int DOUBLE = 2;
        static final int STRING = 3;

        String table;
        long timeMillis;
        final List<String> names = new ArrayList<>();
        final List<String> texts = new ArrayList<>();
        int[] kinds = new int[8];
        long[] longs = new long[8];
        double[] doubles = new double[8];
        private String s;
        private int pos;
        private final StringBuilder token = new StringBuilder(64);
        /** Names already found plain: the same few tables and columns come in every batch. */
        private final Set<String> plainNames = new HashSet<>();
        private static final int MAX_NAMES = 1_000;
        /** Column indexes of the record being appended. */
        int[] columns = new int[8];

        int size() {
            return names.size();
        }

        int columnType(int c) {
            return switch (kinds[c]) {
                case TAG -> ColumnType.SYMBOL;
                case LONG -> ColumnType.LONG;
                case DOUBLE -> ColumnType.DOUBLE;
                default -> ColumnType.VARCHAR;
            };
        }

        /** Parses a record; throws {@link IllegalArgumentException} saying what is wrong with it. */
        void parse(String line) {
            s = line;
            pos = 0;
            names.clear();
            texts.clear();
            table = name(read(false), "measurement");
            while (at(',')) {
                pos++;
                String key = name(readKey(), "tag");
                String value = read(false);
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("tag " + key + " has no value");
                }
                add(key, TAG).texts.set(names.size() - 1, value);
            }
            expect(' ', "a space before the fields");
            do {
                if (at(',')) {
                    pos++;
                }
                String key = name(readKey(), "field");
                if (at('"')) {
                    add(key, STRING).texts.set(names.size() - 1, quoted());
                } else {
                    String value = read(false);
                    int c = names.size();
                    if (value.endsWith("i") && value.length() > 1) {
                        add(key, LONG).longs[c] = parseLong(value.substring(0, value.length() - 1), key);
                    } else {
                        double d = parseDouble(value, key);
                        add(key, DOUBLE).doubles[c] = d;
                    }
                }
            } while (at(','));
            expect(' ', "a space before the time");
            timeMillis = parseLong(s.substring(pos), "the time");
            if (timeMillis < 0) {
                throw new IllegalArgumentException("the time " + timeMillis + " is before 1970");
            }
            if (!hasField()) {
                throw new IllegalArgumentException("no field");
            }
            for (int c = 1; c < names.size(); c++) {
                if (names.subList(0, c).contains(names.get(c))) {
                    throw new IllegalArgumentException("name " + names.get(c) + " is repeated");
                }
            }
        }

        private boolean hasField() {
            for (int c = 0; c < names.size(); c++) {
                if (kinds[c] != TAG) {
                    return true;
                }
            }
            return false;
        }

        private Record add(String name, int kind) {
            int c = names.size();
            if (c == kinds.length) {
                kinds = java.util.Arrays.copyOf(kinds, c * 2);
                longs = java.util.Arrays.copyOf(longs, c * 2);
                doubles = java.util.Arrays.copyOf(doubles, c * 2);
            }
            names.add(name);
            texts.add(null);
            kinds[c] = kind;
            return this;
        }

        private boolean at(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        private void expect(char c, String what) {
            if (!at(c)) {
                throw new IllegalArgumentException("expected " + what + " at character " + (pos + 1));
            }
            pos++;
        }

        private String readKey() {
            String key = read(true);
            expect('=', "'=' after " + (key.isEmpty() ? "a name" : key));
            return key;
        }

        /** Up to an unescaped space or comma (and '=' for a key), undoing {@link Line}'s escapes. */
        private String read(boolean key) {
            int start = pos;
            while (pos < s.length()) { // most tokens have no escape: cut them out as they are
                char c = s.charAt(pos);
                if (c == ' ' || c == ',' || (key && c == '=')) {
                    return s.substring(start, pos);
                }
                if (c == '\\') {
                    break;
                }
                pos++;
            }
            if (pos == s.length()) {
                return s.substring(start);
            }
            token.setLength(0);
            token.append(s, start, pos);
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == ',' || (key && c == '=')) {
                    break;
                }
                if (c == '\\' && pos + 1 < s.length()) {
                    char n = s.charAt(pos + 1);
                    switch (n) {
                        case ' ', ',', '=', '\\' -> token.append(n);
                        case 'n' -> token.append('\n');
                        case 'r' -> token.append('\r');
                        case 't' -> token.append('\t');
                        default -> token.append(c).append(n);
                    }
                    pos += 2;
                    continue;
                }
                token.append(c);
                pos++;
            }
            return token.toString();
        }

        private String quoted() {
            token.setLength(0);
            pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return token.toString();
                }
                if (c == '\\' && pos < s.length() && (s.charAt(pos) == '"' || s.charAt(pos) == '\\')) {
                    c = s.charAt(pos++);
                }
                token.append(c);
            }
            throw new IllegalArgumentException("a string field is not closed");
        }

        private String name(String n, String what) {
            if (plainNames.contains(n)) {
                return n;
            }
            if (!NAME.matcher(n).matches()) {
                throw new IllegalArgumentException(what + " name '" + shorten(n) + "' is not a plain lower-case name");
            }
            if (plainNames.size() < MAX_NAMES) {
                plainNames.add(n);
            }
            return n;
        }

        private static long parseLong(String v, String what) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + shorten(v) + "' is not an integer");
            }
        }

        private static double parseDouble(String v, String what) {
            boolean plain = !v.isEmpty();
            for (int i = 0; i < v.length() && plain; i++) {
                char c = v.charAt(i);
                plain = c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
            }
            try {
                double d = plain ? Double.parseDouble(v) : Double.NaN;
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(what + ": '" + shorten(v) + "' is not a number");
        }

        private static String shorten(String v) {
            return v.length() <= 40 ? v : v.substring(0, 40) + "...";
        }
    }
}
