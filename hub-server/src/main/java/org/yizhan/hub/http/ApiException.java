package org.yizhan.hub.http;

import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * A request the API refuses, with the HTTP status, a stable machine-readable code and a message a person can
 * act on. Sent as {@code {"error":{"code":..,"message":..,"field":..}}}; {@code field} names the bad input.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final Optional<String> field;
    private final long retryAfterSeconds;

    private ApiException(int status, String code, String message, Optional<String> field, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException of(int status, String code, String message) {
        return new ApiException(status, code, message, Optional.empty(), 0);
    }

    /** 400 for one input field; the message starts with the field's name. */
    public static ApiException badField(String field, String problem) {
        return new ApiException(400, "invalid-field", field + ": " + problem, Optional.of(field), 0);
    }

    public static ApiException badRequest(String message) {
        return of(400, "bad-request", message);
    }

    public static ApiException notFound(String message) {
        return of(404, "not-found", message);
    }

    public static ApiException tooManyRequests(long retryAfterSeconds) {
        return new ApiException(429, "too-many-attempts",
                "Too many attempts; try again in " + retryAfterSeconds + " s", Optional.empty(), retryAfterSeconds);
    }

    /** 429 with its own code and message, and when to try again. */
    public static ApiException tooManyRequests(String code, String message, long retryAfterSeconds) {
        return new ApiException(429, code, message, Optional.empty(), retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Optional<String> field() {
        return field;
    }

    /** Seconds for the {@code Retry-After} header; 0 when none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public JsonObject toJson() {
        JsonObject e = new JsonObject().put("code", code).put("message", getMessage());
        field.ifPresent(f -> e.put("field", f));
        return new JsonObject().put("error", e);
    }
}
