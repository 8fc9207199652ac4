package org.yizhan.hub.alerts;

import io.vertx.core.json.JsonObject;

import java.util.Optional;

/** What an operator's acknowledge or resolve did to an alert. */
public final class AlertAction {

    private AlertAction() {
    }

    /** The result kinds of an action. */
    public enum Result { CHANGED, UNCHANGED, NOT_FOUND, ALREADY_RESOLVED }

    /** The result and, unless not found, the alert as it is now. */
    public record Outcome(Result result, Optional<JsonObject> alert) {

        static Outcome changed(JsonObject alert) {
            return new Outcome(Result.CHANGED, Optional.of(alert));
        }

        static Outcome unchanged(JsonObject alert) {
            return new Outcome(Result.UNCHANGED, Optional.of(alert));
        }

        static Outcome alreadyResolved(JsonObject alert) {
            return new Outcome(Result.ALREADY_RESOLVED, Optional.of(alert));
        }

        static Outcome notFound() {
            return new Outcome(Result.NOT_FOUND, Optional.empty());
        }
    }
}
