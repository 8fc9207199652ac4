package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Optional;
import java.util.OptionalDouble;

/** Strict readers for JSON fields; each failure names the field by its path. */
public final class Fields {

    private Fields() {
    }

    public static String path(String parent, String field) {
        return parent.isEmpty() || parent.equals("$") ? field : parent + "." + field;
    }

    public static Object require(JsonObject o, String parent, String field) throws ProtocolException {
        Object v = o.getValue(field);
        if (v == null) {
            throw new ProtocolException(path(parent, field), "missing", "is required");
        }
        return v;
    }

    public static long requireLong(JsonObject o, String parent, String field) throws ProtocolException {
        return toLong(require(o, parent, field), path(parent, field));
    }

    public static long longOr(JsonObject o, String parent, String field, long dflt) throws ProtocolException {
        Object v = o.getValue(field);
        return v == null ? dflt : toLong(v, path(parent, field));
    }

    public static long requireLong(JsonObject o, String parent, String field, long min, long max)
            throws ProtocolException {
        long v = requireLong(o, parent, field);
        if (v < min || v > max) {
            throw new ProtocolException(path(parent, field), "range",
                    "must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    /** An optional whole number in {@code [min, max]}, {@code dflt} when absent. */
    public static int intOr(JsonObject o, String parent, String field, int min, int max, int dflt)
            throws ProtocolException {
        Object v = o.getValue(field);
        if (v == null) {
            return dflt;
        }
        long n = toLong(v, path(parent, field));
        if (n < min || n > max) {
            throw new ProtocolException(path(parent, field), "range",
                    "must be between " + min + " and " + max + ", was " + n);
        }
        return (int) n;
    }

    public static int requireInt(JsonObject o, String parent, String field, int min, int max)
            throws ProtocolException {
        return (int) requireLong(o, parent, field, min, max);
    }

    static long toLong(Object v, String path) throws ProtocolException {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger) {
            throw new ProtocolException(path, "range", "is out of range");
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.0e15) {
                return (long) d;
            }
            throw new ProtocolException(path, "type", "must be a whole number, was " + v);
        }
        throw new ProtocolException(path, "type", "must be a number, was " + describe(v));
    }

    public static double requireDouble(JsonObject o, String parent, String field) throws ProtocolException {
        return toDouble(require(o, parent, field), path(parent, field));
    }

    public static OptionalDouble optionalDouble(JsonObject o, String parent, String field) throws ProtocolException {
        Object v = o.getValue(field);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(toDouble(v, path(parent, field)));
    }

    public static double doubleOr(JsonObject o, String parent, String field, double dflt) throws ProtocolException {
        Object v = o.getValue(field);
        return v == null ? dflt : toDouble(v, path(parent, field));
    }

    static double toDouble(Object v, String path) throws ProtocolException {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new ProtocolException(path, "range", "must be a finite number");
            }
            return d;
        }
        throw new ProtocolException(path, "type", "must be a number, was " + describe(v));
    }

    public static boolean requireBoolean(JsonObject o, String parent, String field) throws ProtocolException {
        Object v = require(o, parent, field);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ProtocolException(path(parent, field), "type", "must be true or false, was " + describe(v));
    }

    public static String requireString(JsonObject o, String parent, String field, int maxLength)
            throws ProtocolException {
        Object v = require(o, parent, field);
        return checkString(v, path(parent, field), maxLength);
    }

    public static Optional<String> optionalString(JsonObject o, String parent, String field, int maxLength)
            throws ProtocolException {
        Object v = o.getValue(field);
        return v == null ? Optional.empty() : Optional.of(checkString(v, path(parent, field), maxLength));
    }

    private static String checkString(Object v, String path, int maxLength) throws ProtocolException {
        if (!(v instanceof String s)) {
            throw new ProtocolException(path, "type", "must be a string, was " + describe(v));
        }
        if (s.isEmpty()) {
            throw new ProtocolException(path, "range", "must not be empty");
        }
        if (s.length() > maxLength) {
            throw new ProtocolException(path, "range", "must be at most " + maxLength + " characters");
        }
        return s;
    }

    public static JsonObject requireObject(JsonObject o, String parent, String field) throws ProtocolException {
        Object v = require(o, parent, field);
        if (v instanceof JsonObject j) {
            return j;
        }
        throw new ProtocolException(path(parent, field), "type", "must be an object, was " + describe(v));
    }

    public static Optional<JsonObject> optionalObject(JsonObject o, String parent, String field)
            throws ProtocolException {
        Object v = o.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof JsonObject j) {
            return Optional.of(j);
        }
        throw new ProtocolException(path(parent, field), "type", "must be an object, was " + describe(v));
    }

    public static Optional<JsonArray> optionalArray(JsonObject o, String parent, String field)
            throws ProtocolException {
        Object v = o.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof JsonArray a) {
            return Optional.of(a);
        }
        throw new ProtocolException(path(parent, field), "type", "must be an array, was " + describe(v));
    }

    static String describe(Object v) {
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof JsonObject) {
            return "an object";
        }
        if (v instanceof JsonArray) {
            return "an array";
        }
        String text = String.valueOf(v);
        return text.length() > 32 ? text.substring(0, 32) + "..." : text;
    }
}
