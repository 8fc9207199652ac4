package org.yizhan.hub.feedback;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One rider's feedback about a station, with its triage and answer. {@code status} is {@code new},
 * {@code triaged} or {@code answered}; {@code priority} is empty until triaged. {@code member} is the pseudonym of
 * the member who sent it signed in, never a name or phone.
 */
public record Feedback(String id, String stationId, String stationName, String category, String text,
                       Optional<String> contact, Optional<String> member, long createdAt, String status,
                       Optional<String> priority, long deadline, Optional<String> triagedBy, OptionalLong triagedAt,
                       Optional<String> answer, Optional<String> answeredBy, OptionalLong answeredAt) {

    public static final String NEW = "new";
    public static final String TRIAGED = "triaged";
    public static final String ANSWERED = "answered";
    public static final List<String> STATUSES = List.of(NEW, TRIAGED, ANSWERED);
    public static final List<String> CATEGORIES = List.of("charger", "door", "facility", "cleanliness", "service",
            "suggestion", "other");
    /** A ticket id: ten symbols of {@link org.yizhan.hub.stations.ClaimCodes#ALPHABET} (no look-alikes). */
    public static final Pattern ID = Pattern.compile("[2-9A-HJ-NP-Z]{10}");
    /**
     * A China mobile number anywhere in a text, not inside a longer run of digits: ASCII or full-width digits,
     * with or without a +86 / 86 prefix, spaces or dashes between the groups ({@code 138 1234 5678}).
     */
    private static final Pattern PHONE = Pattern.compile("(?<![0-9０-９])(?:[+＋]?(?:86|８６)[ \\-－]?)?"
            + "([1１][3-9３-９][0-9０-９])[ \\-－]?[0-9０-９]{4}[ \\-－]?([0-9０-９]{4})(?![0-9０-９])");

    public boolean answered() {
        return answeredAt.isPresent();
    }

    /** Not answered and past its deadline at {@code now}. */
    public boolean overdue(long now) {
        return !answered() && now >= deadline;
    }

    /**
     * The item as staff see it. With {@code phones} false (technicians) the contact is left out and mobile numbers
     * in the text are masked ({@code 138****5678}).
     */
    public JsonObject staffJson(long now, boolean phones) {
        JsonObject j = common(now)
                .put("text", phones ? text : maskPhones(text))
                .put("contact", phones ? contact.orElse(null) : null)
                .put("member", member.orElse(null))
                .put("triage", triagedAt.isPresent()
                        ? new JsonObject().put("by", triagedBy.orElse(null)).put("at", triagedAt.getAsLong()) : null);
        if (answered()) {
            j.getJsonObject("answer").put("by", answeredBy.orElse(null));
        }
        return j;
    }

    /** The item as the rider who sent it sees it: their own words and the answer, not who wrote it. */
    public JsonObject riderJson(long now) {
        return common(now).put("text", text).put("contact", contact.orElse(null));
    }

    private JsonObject common(long now) {
        return new JsonObject()
                .put("id", id)
                .put("stationId", stationId)
                .put("stationName", stationName)
                .put("category", category)
                .put("createdAt", createdAt)
                .put("status", status)
                .put("priority", priority.orElse(null))
                .put("deadline", deadline)
                .put("overdue", overdue(now))
                .put("answer", answered() ? new JsonObject().put("text", answer.orElse(""))
                        .put("at", answeredAt.getAsLong()) : null);
    }

    /** Mobile numbers masked as {@code 138****5678}. */
    public static String maskPhones(String s) {
        return PHONE.matcher(s).replaceAll("$1****$2");
    }
}
