package org.yizhan.hub.commands;

import io.vertx.core.Future;
import org.yizhan.protocol.Command;

/** The way commands reach stations (the hub's MQTT endpoint, or a broker in broker mode). */
public interface CommandChannel {

    /**
     * Sends the command to the station on its {@code cmd} topic at QoS 1. Completes with true once the station
     * acknowledged it (PUBACK), false when the station is not connected or not subscribed, or the connection
     * ended first.
     */
    Future<Boolean> deliver(String stationId, Command command);
}
