package org.yizhan.hub.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What to send about one alert on one route, now. Pure: the planner gives it the alert as it is, what was sent so
 * far, whether the station is in maintenance and the time; it answers the messages due and whether the pair is done.
 * <ul>
 *   <li>One opened message per alert, however often the station repeats it.</li>
 *   <li>Non-urgent alerts wait out the route's quiet hours (reminders, escalation and resolution too).</li>
 *   <li>A reminder every {@code remindMinutes} after the last message while nobody has acknowledged.</li>
 *   <li>An escalation, once, when the alert is still open {@code escalateAfterMinutes} after the hub first saw it
 *   (acknowledged or not: the station is still down).</li>
 *   <li>When it closes, one resolved message (also to the escalation channel if it was escalated); an alert that
 *   closed before its opened message could go gets only the resolved one, which says when it opened.</li>
 *   <li>Maintenance: an alert that arrived during its station's window is silenced for good; during a window no
 *   opened, reminder or escalation message goes (they wait), but an alert already announced gets its resolution.</li>
 * </ul>
 */
public final class Rules {

    /** The messages a rule can ask for. */
    public enum Step { OPENED, REMINDER, ESCALATION, RESOLVED }

    /** The alert as the registry has it now. */
    public record AlertNow(String type, boolean closed, boolean acknowledged) {
    }

    /** What was sent about the alert on the route so far. */
    public record Sent(long seenAt, boolean silenced, OptionalLong openedAt, int reminders, OptionalLong lastAt,
                       OptionalLong escalatedAt) {

        public static Sent nothing(long seenAt, boolean silenced) {
            return new Sent(seenAt, silenced, OptionalLong.empty(), 0, OptionalLong.empty(), OptionalLong.empty());
        }
    }

    /** The steps due now, and whether nothing more will ever be due. */
    public record Decision(List<Step> steps, boolean done) {
        static final Decision WAIT = new Decision(List.of(), false);
        static final Decision DONE = new Decision(List.of(), true);
    }

    private Rules() {
    }

    public static Decision decide(Route route, AlertNow alert, Sent sent, boolean inMaintenance, long now) {
        if (sent.silenced()) {
            return alert.closed() ? Decision.DONE : Decision.WAIT;
        }
        boolean held = route.holds(alert.type(), now);
        if (alert.closed()) {
            if (sent.openedAt().isEmpty() && inMaintenance) {
                return Decision.DONE;
            }
            return held ? Decision.WAIT : new Decision(List.of(Step.RESOLVED), true);
        }
        if (held || inMaintenance) {
            return Decision.WAIT;
        }
        if (sent.openedAt().isEmpty()) {
            return new Decision(List.of(Step.OPENED), false);
        }
        List<Step> steps = new ArrayList<>();
        long minute = 60_000L;
        if (route.remindMinutes() > 0 && !alert.acknowledged()
                && now - sent.lastAt().orElse(sent.openedAt().getAsLong()) >= route.remindMinutes() * minute) {
            steps.add(Step.REMINDER);
        }
        if (route.escalateAfterMinutes() > 0 && sent.escalatedAt().isEmpty()
                && now - sent.seenAt() >= route.escalateAfterMinutes() * minute) {
            steps.add(Step.ESCALATION);
        }
        return new Decision(steps, false);
    }
}
