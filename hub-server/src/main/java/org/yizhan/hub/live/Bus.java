package org.yizhan.hub.live;

/**
 * Event-bus addresses that connect the hub's features without them knowing each other.
 */
public final class Bus {

    /**
     * Published for every live change that dashboards show. Body: a JsonObject
     * {@code {"kind":"presence"|"telemetry"|"event"|"alert"|"command","stationId":..,"data":{..}}}.
     * The SSE stream forwards each as an event named after {@code kind}.
     */
    public static final String LIVE = "yizhan.live";

    /**
     * Sent when a new command is stored with status {@code pending}. Body: the command id (String).
     * The MQTT endpoint delivers it at once if the station is connected, else on its next connect.
     */
    public static final String COMMAND_DISPATCH = "yizhan.commands.dispatch";

    /**
     * Published when a station comes online. Body: the station id (String). For work each station needs on
     * (re)connecting, without listening to every message on {@link #LIVE}.
     */
    public static final String STATION_ONLINE = "yizhan.stations.online";

    private Bus() {
    }
}
