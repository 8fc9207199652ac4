package org.yizhan.hub.http;

import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Readers for query parameters that throw an {@link ApiException} (400) naming the parameter. */
public final class QueryParams {

    private final RoutingContext ctx;

    public QueryParams(RoutingContext ctx) {
        this.ctx = ctx;
    }

    public Optional<String> string(String name, int maxLength) {
        List<String> values = ctx.queryParam(name);
        if (values.isEmpty() || values.get(0).isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw ApiException.badField(name, "give it once");
        }
        String v = values.get(0);
        if (v.length() > maxLength) {
            throw ApiException.badField(name, "at most " + maxLength + " characters");
        }
        return Optional.of(v);
    }

    public Optional<String> matching(String name, Pattern pattern, String what) {
        Optional<String> v = string(name, 200);
        if (v.isPresent() && !pattern.matcher(v.get()).matches()) {
            throw ApiException.badField(name, what);
        }
        return v;
    }

    public long longValue(String name, long min, long max, long dflt) {
        Optional<String> v = string(name, 40);
        if (v.isEmpty()) {
            return dflt;
        }
        long n;
        try {
            n = Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw ApiException.badField(name, "'" + v.get() + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw ApiException.badField(name, "must be from " + min + " to " + max);
        }
        return n;
    }

    public int intValue(String name, int min, int max, int dflt) {
        return (int) longValue(name, min, max, dflt);
    }

    public boolean bool(String name, boolean dflt) {
        Optional<String> v = string(name, 10);
        if (v.isEmpty()) {
            return dflt;
        }
        return switch (v.get()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw ApiException.badField(name, "must be true or false");
        };
    }
}
