package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Optional;

/** Charging figures the station views show: today's totals and each port's open session. */
public interface ChargingNow {

    /**
     * For one station, or for every station when {@code stationId} is empty: today's figures
     * ({@code {"date","sessions","energyWh","busyMinutes","utilisation"}}, the station's local day) and its open
     * sessions by port ({@code {"sessionId","port","member","startedAt",..}}). Stations without sessions may be
     * missing from the map.
     */
    Future<Map<String, Snapshot>> snapshot(Optional<String> stationId, long now);

    /** One station's charging figures now. */
    record Snapshot(JsonObject today, Map<Integer, JsonObject> openByPort) {
        public Snapshot {
            openByPort = Map.copyOf(openByPort);
        }
    }

    /** Knows no sessions. */
    ChargingNow NONE = (stationId, now) -> Future.succeededFuture(Map.of());
}
