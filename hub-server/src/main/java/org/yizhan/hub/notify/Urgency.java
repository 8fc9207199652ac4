package org.yizhan.hub.notify;

import org.yizhan.hub.alerts.AlertStore;

import java.util.Set;

/**
 * Which alert types are urgent: a station out of reach, smoke, a charger's safety cut-off, a forced door. They go
 * out at once, quiet hours or not; every other type (a door held open, the outbox filling up, ...) is non-urgent
 * and waits out the quiet hours.
 */
public final class Urgency {

    /** The urgent types, as the alerts table names them. */
    public static final Set<String> URGENT = Set.of(AlertStore.OFFLINE, AlertStore.SMOKE, AlertStore.SAFETY_CUTOFF,
            AlertStore.DOOR_FORCED);

    private Urgency() {
    }

    public static boolean urgent(String alertType) {
        return URGENT.contains(alertType);
    }
}
