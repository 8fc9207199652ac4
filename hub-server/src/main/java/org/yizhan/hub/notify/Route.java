package org.yizhan.hub.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.protocol.Topics;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which alerts go to a channel, and how:
 * <ul>
 *   <li>stations: {@code stationIds}, {@code districts} (the stations' own district, such as 西湖区, set on each
 *   station) and/or {@code namePrefix} (for stations named after their district, "西湖区…"); a station matches any of
 *   them; with none, every station. Routes stored before districts existed read as having none;</li>
 *   <li>{@code types} (empty: every type) and {@code severity} {@code "all"} or {@code "urgent"} ({@link Urgency});</li>
 *   <li>{@code quietHours} in {@code timeZone} (default Asia/Shanghai, also the zone of the times in messages):
 *   non-urgent alerts wait until they end;</li>
 *   <li>{@code remindMinutes}: again every so often until someone acknowledges (0: never);</li>
 *   <li>{@code escalateAfterMinutes} and {@code escalateToChannelId}: an alert still open that long goes to the other
 *   channel too, and so does its resolution.</li>
 * </ul>
 */
public record Route(long id, String name, long channelId, Set<String> stationIds, Optional<String> namePrefix,
                    Set<String> districts, Set<String> types, boolean urgentOnly, Optional<QuietHours> quietHours, ZoneId zone,
                    int remindMinutes, int escalateAfterMinutes, Optional<Long> escalateToChannelId, boolean enabled) {

    public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");
    static final int MAX_STATIONS = 2000;
    static final int MAX_TYPES = 50;
    static final int MAX_DISTRICTS = 200;
    /** As long as a station's district may be. */
    static final int MAX_DISTRICT_CHARS = 100;
    static final int MAX_REMIND_MINUTES = 24 * 60;
    static final int MAX_ESCALATE_MINUTES = 7 * 24 * 60;
    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9.:_-]{0,63}");

    public Route {
        stationIds = Set.copyOf(stationIds);
        districts = Set.copyOf(districts);
        types = Set.copyOf(types);
    }

    /** A route from an admin's body, checked field by field (400 naming the field). Channels are checked by the caller. */
    public static Route parse(long id, JsonObject body) {
        JsonBody b = JsonBody.of(body);
        String name = b.string("name", 1, Channel.MAX_NAME_CHARS).strip();
        long channel = id(body, "channelId").orElseThrow(() -> ApiException.badField("channelId", "is required"));
        Set<String> stations = new LinkedHashSet<>();
        for (String s : strings(body, "stationIds", MAX_STATIONS)) {
            if (!Topics.isValidStationId(s)) {
                throw ApiException.badField("stationIds", "'" + s + "' is not a station id");
            }
            stations.add(s);
        }
        Optional<String> prefix = b.optionalString("namePrefix", 0, 100).map(String::strip).filter(p -> !p.isEmpty());
        Set<String> districts = new LinkedHashSet<>();
        for (String d : strings(body, "districts", MAX_DISTRICTS)) {
            String t = d.strip();
            if (t.isEmpty() || t.length() > MAX_DISTRICT_CHARS) {
                throw ApiException.badField("districts", "'" + d + "' is not a district (1 to "
                        + MAX_DISTRICT_CHARS + " characters, such as 西湖区)");
            }
            districts.add(t);
        }
        Set<String> types = new LinkedHashSet<>();
        for (String t : strings(body, "types", MAX_TYPES)) {
            if (!TYPE.matcher(t).matches()) {
                throw ApiException.badField("types", "'" + t + "' is not an alert type (such as offline, smoke)");
            }
            types.add(t);
        }
        String severity = b.optionalString("severity", 1, 10).orElse("all");
        if (!severity.equals("all") && !severity.equals("urgent")) {
            throw ApiException.badField("severity", "must be all or urgent");
        }
        Optional<QuietHours> quiet = b.object("quietHours").map(QuietHours::parse);
        ZoneId zone = b.optionalString("timeZone", 1, 60).map(z -> {
            try {
                return ZoneId.of(z);
            } catch (DateTimeException e) {
                throw ApiException.badField("timeZone", "must be a time zone such as Asia/Shanghai");
            }
        }).orElse(DEFAULT_ZONE);
        int remind = b.integer("remindMinutes", 0, MAX_REMIND_MINUTES, 0);
        int escalate = b.integer("escalateAfterMinutes", 0, MAX_ESCALATE_MINUTES, 0);
        Optional<Long> escalateTo = id(body, "escalateToChannelId");
        if (escalate > 0 && escalateTo.isEmpty()) {
            throw ApiException.badField("escalateToChannelId", "is required with escalateAfterMinutes");
        }
        if (escalateTo.isPresent() && escalate == 0) {
            throw ApiException.badField("escalateAfterMinutes", "is required with escalateToChannelId (1 to "
                    + MAX_ESCALATE_MINUTES + ")");
        }
        if (escalateTo.isPresent() && escalateTo.get() == channel) {
            throw ApiException.badField("escalateToChannelId", "must be another channel than channelId");
        }
        Object enabled = body.getValue("enabled");
        if (enabled != null && !(enabled instanceof Boolean)) {
            throw ApiException.badField("enabled", "must be true or false");
        }
        return new Route(id, name, channel, stations, prefix, districts, types, severity.equals("urgent"), quiet, zone, remind,
                escalate, escalateTo, !Boolean.FALSE.equals(enabled));
    }

    private static Optional<Long> id(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1) {
            throw ApiException.badField(field, "must be a channel id (a whole number)");
        }
        return Optional.of(n.longValue());
    }

    private static List<String> strings(JsonObject body, String field, int max) {
        Object v = body.getValue(field);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof JsonArray a) || a.size() > max) {
            throw ApiException.badField(field, "must be a list of at most " + max + " strings");
        }
        List<String> out = new ArrayList<>();
        for (Object o : a) {
            if (!(o instanceof String s)) {
                throw ApiException.badField(field, "must be a list of strings");
            }
            out.add(s);
        }
        return out;
    }

    /** Whether an alert of the type at the station (with its name and district, "" for none) goes this way. */
    public boolean matches(String stationId, String stationName, String district, String type) {
        if (!enabled) {
            return false;
        }
        boolean anyStation = stationIds.isEmpty() && namePrefix.isEmpty() && districts.isEmpty();
        boolean station = anyStation || stationIds.contains(stationId)
                || namePrefix.isPresent() && stationName.startsWith(namePrefix.get())
                || !district.isEmpty() && districts.contains(district);
        return station && (types.isEmpty() || types.contains(type)) && (!urgentOnly || Urgency.urgent(type));
    }

    /** Whether a message about an alert of the type waits at the moment (non-urgent, in the quiet hours). */
    public boolean holds(String type, long now) {
        return !Urgency.urgent(type) && quietHours.isPresent() && quietHours.get().contains(now, zone);
    }

    /** The route as the API shows it and the registry keeps it. */
    public JsonObject toJson() {
        JsonObject j = new JsonObject().put("name", name).put("channelId", channelId)
                .put("stationIds", new JsonArray(new ArrayList<>(stationIds)))
                .put("namePrefix", namePrefix.orElse(null))
                .put("districts", new JsonArray(new ArrayList<>(districts)))
                .put("types", new JsonArray(new ArrayList<>(types)))
                .put("severity", urgentOnly ? "urgent" : "all")
                .put("quietHours", quietHours.map(QuietHours::toJson).orElse(null))
                .put("timeZone", zone.getId())
                .put("remindMinutes", remindMinutes)
                .put("escalateAfterMinutes", escalateAfterMinutes)
                .put("escalateToChannelId", escalateTo().orElse(null))
                .put("enabled", enabled);
        return id > 0 ? new JsonObject().put("id", id).mergeIn(j) : j;
    }

    private Optional<Long> escalateTo() {
        return escalateToChannelId;
    }
}
