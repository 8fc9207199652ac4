package org.yizhan.protocol;

import java.util.Set;
import java.util.regex.Pattern;

/** The event types of contract v1. Other well-formed names are accepted so newer agents keep working. */
public final class EventType {

    public static final String ACCESS_GRANTED = "access.granted";
    public static final String ACCESS_DENIED = "access.denied";
    public static final String DOOR_OPENED = "door.opened";
    public static final String DOOR_CLOSED = "door.closed";
    public static final String DOOR_FORCED = "door.forced";
    public static final String DOOR_HELD_OPEN = "door.held_open";
    public static final String CHARGER_SESSION_STARTED = "charger.session_started";
    public static final String CHARGER_SESSION_ENDED = "charger.session_ended";
    public static final String CHARGER_FAULT = "charger.fault";
    public static final String CHARGER_SAFETY_CUTOFF = "charger.safety_cutoff";
    public static final String OCCUPANCY_FULL = "occupancy.full";
    public static final String SMOKE_ALARM = "smoke.alarm";
    public static final String SELFTEST_RESULT = "selftest.result";
    public static final String CONFIG_APPLIED = "config.applied";
    public static final String CONFIG_REJECTED = "config.rejected";
    /** A face template enrolled at the station: {@code {"member","pass"}}, the rider pass the member showed. */
    public static final String FACE_ENROLLED = "face.enrolled";
    /**
     * The station's outbox cannot keep every event as it should (docs/contract.md): {@code active} true with
     * {@code cause} {@code "disk"} (writing failed, events wait in memory) or {@code "cap"} (at its limits, events
     * were evicted or refused), false with the same cause once that is over.
     */
    public static final String OUTBOX_ALARM = "outbox.alarm";

    /**
     * An agent update passed its trial (came online and passed the self-test before its deadline) and is kept:
     * {@code {"version","previous","rollout"}}.
     */
    public static final String UPDATE_APPLIED = "update.applied";
    /**
     * An agent update was undone and the previous version runs again: {@code {"version","restored","reason",
     * "rollout"}}; {@code reason} says what failed (did not start, did not come online, self-test failed).
     */
    public static final String UPDATE_ROLLED_BACK = "update.rolled_back";

    public static final Set<String> KNOWN = Set.of(ACCESS_GRANTED, ACCESS_DENIED, DOOR_OPENED, DOOR_CLOSED,
            DOOR_FORCED, DOOR_HELD_OPEN, CHARGER_SESSION_STARTED, CHARGER_SESSION_ENDED, CHARGER_FAULT,
            CHARGER_SAFETY_CUTOFF, OCCUPANCY_FULL, SMOKE_ALARM, SELFTEST_RESULT, CONFIG_APPLIED, CONFIG_REJECTED,
            FACE_ENROLLED, OUTBOX_ALARM, UPDATE_APPLIED, UPDATE_ROLLED_BACK);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,30}(\\.[a-z][a-z0-9_]{0,30}){1,3}");

    private EventType() {
    }

    public static boolean isWellFormed(String type) {
        return type != null && NAME.matcher(type).matches();
    }
}
