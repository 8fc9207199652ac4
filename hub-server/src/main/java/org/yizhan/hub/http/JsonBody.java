package org.yizhan.hub.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;

/**
 * A request body that must be one JSON object, with readers that check each field's type and range and
 * throw an {@link ApiException} (400) naming the field. Unknown fields are ignored.
 */
public final class JsonBody {

    private final JsonObject json;

    private JsonBody(JsonObject json) {
        this.json = json;
    }

    /** The body of the request as a JSON object, or 400 when it is missing, not JSON or not an object. */
    public static JsonBody of(RoutingContext ctx) {
        RequestBody body = ctx.body();
        // a request that sent no bytes at all has no buffer: length() is then -1 and asString() null
        String raw = body == null || !body.available() || body.length() <= 0 ? null : body.asString("UTF-8");
        if (raw == null || raw.isBlank()) {
            throw ApiException.badField("body", "a JSON object is required");
        }
        String text = raw.trim();
        if (!text.startsWith("{")) {
            throw ApiException.badField("body", "must be a JSON object");
        }
        try {
            return new JsonBody(new JsonObject(text));
        } catch (RuntimeException e) {
            throw ApiException.badField("body", "not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
    }

    public static JsonBody of(JsonObject json) {
        return new JsonBody(json);
    }

    public JsonObject json() {
        return json;
    }

    public boolean has(String field) {
        return json.getValue(field) != null;
    }

    /** A required string of {@code min..max} characters; blank strings count as missing. */
    public String string(String field, int min, int max) {
        Object v = json.getValue(field);
        if (v == null) {
            throw ApiException.badField(field, "is required");
        }
        return checkString(field, v, min, max);
    }

    public Optional<String> optionalString(String field, int min, int max) {
        Object v = json.getValue(field);
        return v == null ? Optional.empty() : Optional.of(checkString(field, v, min, max));
    }

    private static String checkString(String field, Object v, int min, int max) {
        if (!(v instanceof String s)) {
            throw ApiException.badField(field, "must be a string");
        }
        if (min > 0 && s.isBlank()) {
            throw ApiException.badField(field, "must not be empty");
        }
        if (s.length() < min || s.length() > max) {
            throw ApiException.badField(field, "must be " + min + " to " + max + " characters long");
        }
        return s;
    }

    /** A required number between {@code min} and {@code max} (inclusive). */
    public double number(String field, double min, double max) {
        Object v = json.getValue(field);
        if (v == null) {
            throw ApiException.badField(field, "is required");
        }
        if (!(v instanceof Number n)) {
            throw ApiException.badField(field, "must be a number");
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d) || d < min || d > max) {
            throw ApiException.badField(field, "must be a number from " + plain(min) + " to " + plain(max));
        }
        return d;
    }

    /** A required whole number between {@code min} and {@code max}. */
    public int integer(String field, int min, int max) {
        Object v = json.getValue(field);
        if (v == null) {
            throw ApiException.badField(field, "is required");
        }
        return checkInt(field, v, min, max);
    }

    /** A whole number between {@code min} and {@code max}, or {@code dflt} when absent. */
    public int integer(String field, int min, int max, int dflt) {
        Object v = json.getValue(field);
        return v == null ? dflt : checkInt(field, v, min, max);
    }

    private static int checkInt(String field, Object v, int min, int max) {
        String range = "must be a whole number from " + min + " to " + max;
        if (!(v instanceof Number n)) {
            throw ApiException.badField(field, range);
        }
        long l;
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
            l = n.longValue();
        } else if (n instanceof BigInteger b) {
            if (b.bitLength() > 62) {
                throw ApiException.badField(field, range);
            }
            l = b.longValue();
        } else {
            BigDecimal d;
            if (n instanceof BigDecimal bd) {
                d = bd;
            } else if (Double.isFinite(n.doubleValue())) {
                d = BigDecimal.valueOf(n.doubleValue());
            } else {
                throw ApiException.badField(field, range); // 1e999 is read as infinity, which BigDecimal refuses
            }
            try {
                l = d.longValueExact();
            } catch (ArithmeticException e) {
                throw ApiException.badField(field, range);
            }
        }
        if (l < min || l > max) {
            throw ApiException.badField(field, range);
        }
        return (int) l;
    }

    /** An optional JSON object. */
    public Optional<JsonObject> object(String field) {
        Object v = json.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof JsonObject o)) {
            throw ApiException.badField(field, "must be a JSON object");
        }
        return Optional.of(o);
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
