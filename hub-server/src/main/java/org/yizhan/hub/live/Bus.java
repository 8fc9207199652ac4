package org.yizhan.hub.live;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

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

    private static final DeliveryOptions READ_ONLY = new DeliveryOptions().setCodecName(ReadOnlyJsonCodec.NAME);
    private static final Set<EventBus> WITH_CODEC = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private Bus() {
    }

    /**
     * Publishes {@code message} on {@link #LIVE} as it is: every consumer gets the same instance, none a copy, so
     * neither the publisher nor a consumer may change it afterwards.
     */
    public static void publishLive(Vertx vertx, JsonObject message) {
        EventBus bus = vertx.eventBus();
        if (WITH_CODEC.add(bus)) {
            try {
                bus.registerCodec(new ReadOnlyJsonCodec());
            } catch (IllegalStateException alreadyRegistered) {
                // registered by an earlier hub on the same Vert.x whose bus object was collected: nothing to do
            }
        }
        bus.publish(LIVE, message, READ_ONLY);
    }
}
