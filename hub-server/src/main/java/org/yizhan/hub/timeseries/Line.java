package org.yizhan.hub.timeseries;

import java.math.BigDecimal;

/**
 * One line-protocol record, written straight into a {@link StringBuilder}: the same text influxdb-client-java's
 * {@code Point.toLineProtocol()} makes (its escaping, fields with at least one decimal, non-finite doubles left
 * out, milliseconds), without its maps and its {@code NumberFormat}, which cost about half the hub's CPU per
 * message in the time-series path. Tags and fields must be given in key order, as {@code Point}'s sorted maps
 * write them; {@code LineTest} holds the two to the same text.
 */
final class Line {

    private final StringBuilder b = new StringBuilder(112);
    private boolean fields;

    private Line(String measurement) {
        escape(measurement, false);
    }

    static Line of(String measurement) {
        return new Line(measurement);
    }

    Line tag(String key, String value) {
        b.append(',');
        escape(key, true);
        b.append('=');
        escape(value, true);
        return this;
    }

    Line field(String key, long value) {
        startField(key);
        b.append(value).append('i');
        return this;
    }

    /** A non-finite value is left out, as {@code Point} leaves it out. */
    Line field(String key, double value) {
        if (Double.isFinite(value)) {
            startField(key);
            appendDouble(value);
        }
        return this;
    }

    Line field(String key, String value) {
        startField(key);
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        b.append('"');
        return this;
    }

    /** The record at a time in milliseconds; empty when it has no field (a store refuses such a line). */
    String at(long timeMillis) {
        return fields ? b.append(' ').append(timeMillis).toString() : "";
    }

    private void startField(String key) {
        b.append(fields ? ',' : ' ');
        fields = true;
        escape(key, true);
        b.append('=');
    }

    /** Plain notation, the shortest digits that read back as the value, at least one decimal: 1200.0, 0.00001. */
    private void appendDouble(double v) {
        String s = Double.toString(v);
        if (s.indexOf('E') < 0) {
            b.append(s);
            return;
        }
        String plain = new BigDecimal(s).stripTrailingZeros().toPlainString();
        b.append(plain);
        if (plain.indexOf('.') < 0) {
            b.append(".0");
        }
    }

    private void escape(String s, boolean equals) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case ' ', ',' -> b.append('\\').append(c);
                case '=' -> {
                    if (equals) {
                        b.append('\\');
                    }
                    b.append(c);
                }
                default -> b.append(c);
            }
        }
    }
}
