package org.yizhan.hub.notify;

import io.vertx.core.json.JsonObject;
import org.yizhan.hub.http.ApiException;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Hours of the day, in a time zone, when non-urgent alerts wait: {@code from} inclusive to {@code to} exclusive,
 * across midnight when {@code to} is earlier (22:00–07:00).
 */
public record QuietHours(LocalTime from, LocalTime to) {

    private static final Pattern HH_MM = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");

    /** {@code {"from":"22:00","to":"07:00"}}, 400 naming the bad field. */
    public static QuietHours parse(JsonObject json) {
        QuietHours q = new QuietHours(time(json, "from"), time(json, "to"));
        if (q.from.equals(q.to)) {
            throw ApiException.badField("quietHours.to", "must differ from quietHours.from");
        }
        return q;
    }

    private static LocalTime time(JsonObject json, String field) {
        Object v = json.getValue(field);
        if (!(v instanceof String s) || !HH_MM.matcher(s).matches()) {
            throw ApiException.badField("quietHours." + field, "must be a time of day as HH:MM, such as 22:00");
        }
        try {
            return LocalTime.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiException.badField("quietHours." + field, "must be a time of day as HH:MM, such as 22:00");
        }
    }

    /** Whether the moment falls in the quiet hours, in the zone. */
    public boolean contains(long epochMillis, ZoneId zone) {
        LocalTime t = Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalTime();
        return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
    }

    public JsonObject toJson() {
        return new JsonObject().put("from", from.toString()).put("to", to.toString());
    }
}
