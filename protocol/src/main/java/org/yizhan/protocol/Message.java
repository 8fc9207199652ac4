package org.yizhan.protocol;

import io.vertx.core.json.JsonObject;

/** A contract v1 payload. Every message carries {@code "v":1}. */
public sealed interface Message
        permits StateMessage, Heartbeat, Telemetry, EventsMessage, Command, CommandResult, ConfigMessage,
        EventsAck {

    /** The JSON form, including {@code "v":1}. */
    JsonObject toJson();
}
