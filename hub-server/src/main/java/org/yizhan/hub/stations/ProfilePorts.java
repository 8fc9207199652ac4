package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.yizhan.config.HardwareProfile;

import java.util.LinkedHashMap;
import java.util.Map;

/** How many charger ports each built-in hardware profile wires; read once from the class path on a worker. */
public final class ProfilePorts {

    private ProfilePorts() {
    }

    public static Future<Map<String, Integer>> load(Vertx vertx) {
        return vertx.executeBlocking(() -> {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (String name : HardwareProfile.BUILT_IN) {
                m.put(name, HardwareProfile.load(name).chargerRelayPins().size());
            }
            return Map.copyOf(m);
        }, false);
    }
}
