package org.yizhan.hub.members;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A union member. The {@code pseudonym} ({@code m-} and 16 base32 letters, random) names the member in passes,
 * events and revocation lists; the phone number is shown in full to admins only.
 */
public record Member(String id, String pseudonym, String name, String phone, String occupation, String status,
                     long createdAt, long statusChangedAt) {

    public static final List<String> OCCUPATIONS = List.of("courier", "food-delivery", "ride-hailing", "trucker",
            "other");
    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
    /** Joined under join-policy approval (or with a phone another membership holds): no pass, no entry yet. */
    public static final String PENDING = "pending";
    /** An operator turned the application down; the phone number is free again. */
    public static final String REJECTED = "rejected";
    public static final List<String> STATUSES = List.of(ACTIVE, PENDING, SUSPENDED, REJECTED);

    public boolean suspended() {
        return SUSPENDED.equals(status);
    }

    public boolean active() {
        return ACTIVE.equals(status);
    }

    public boolean pending() {
        return PENDING.equals(status);
    }

    /** {@code 138****5678}. */
    public static String masked(String phone) {
        return phone.length() == 11 ? phone.substring(0, 3) + "****" + phone.substring(7) : "***";
    }

    /** The member as the rider sees it (no phone). */
    public JsonObject publicJson() {
        return new JsonObject().put("id", id).put("pseudonym", pseudonym).put("name", name)
                .put("occupation", occupation);
    }

    /** The member as staff see it: the phone in full only when {@code fullPhone}. */
    public JsonObject staffJson(boolean fullPhone) {
        return publicJson().put("phone", fullPhone ? phone : masked(phone)).put("status", status)
                .put("createdAt", createdAt).put("statusChangedAt", statusChangedAt);
    }
}
