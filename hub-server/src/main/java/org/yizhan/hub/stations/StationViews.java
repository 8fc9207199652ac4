package org.yizhan.hub.stations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.presence.Presence;
import org.yizhan.protocol.ChargerState;

import java.util.Optional;

/**
 * The JSON the API shows for a station: registry fields, presence, and the latest telemetry (occupancy,
 * door, chargers). Values not yet reported are {@code null}; charger ports not yet reported are {@code unknown}.
 */
public final class StationViews {

    private static final double EARTH_RADIUS_M = 6_371_008.8;

    private StationViews() {
    }

    /**
     * The full view for operators: {"id",..,"presence","occupancy","door","chargers","env","loads","alerts"};
     * {@code loads} are the room's switched loads as last reported ({"name","on","since"}; off means off for the
     * night in an empty room), null until the station reports any.
     */
    public static JsonObject full(Station s, Optional<Presence> livePresence, Optional<JsonObject> telemetry,
                                  Optional<Long> liveLastSeen, JsonArray alerts) {
        JsonObject t = telemetry.orElseGet(JsonObject::new);
        long lastSeen = Math.max(s.lastSeen().orElse(0L), liveLastSeen.orElse(0L));
        if (livePresence.isPresent() && livePresence.get().lastSeen().isPresent()) {
            lastSeen = Math.max(lastSeen, livePresence.get().lastSeen().getAsLong());
        }
        JsonObject presence = new JsonObject()
                .put("state", state(s, livePresence))
                .put("since", livePresence.isPresent()
                        ? (livePresence.get().since().isPresent() ? livePresence.get().since().getAsLong() : null)
                        : s.presenceSince().orElse(null))
                .put("lastSeen", lastSeen > 0 ? lastSeen : null);
        livePresence.flatMap(Presence::reason).ifPresent(r -> presence.put("reason", r));
        JsonObject door = t.getValue("door") instanceof JsonObject d
                ? new JsonObject().put("open", d.getValue("open")).put("locked", d.getValue("locked")) : null;
        JsonObject env = t.getValue("env") instanceof JsonObject e ? e.copy() : null;
        JsonArray loads = t.getValue("loads") instanceof JsonArray l ? l.copy() : null;
        return s.toJson()
                .put("presence", presence)
                .put("occupancy", occupancy(s, t))
                .put("door", door)
                .put("chargers", chargers(s, t))
                .put("env", env)
                .put("loads", loads)
                // what the station's GNSS receiver said last (a mobile station's lat/lon follow it)
                .put("reportedPosition", t.getValue("position") instanceof JsonObject p ? p.copy() : null)
                .put("telemetryAt", t.getValue("ts") instanceof Number n ? n.longValue() : null)
                .put("alerts", alerts);
    }

    /**
     * Adds charging figures to a {@link #full} view: {@code "today"} (the station's local day: sessions started,
     * {@code energyWh} of ended sessions' share of the day plus what open sessions have drawn so far by the
     * latest telemetry) and on each charger port in use ({@code occupied}, {@code charging}, {@code finishing}, or
     * not yet reported) its open {@code "session"} ({"sessionId","member","startedAt","energyWh"}), else null.
     */
    public static JsonObject withCharging(JsonObject view, ChargingNow.Snapshot charging) {
        JsonObject today = charging.today().copy();
        double live = 0;
        if (view.getValue("chargers") instanceof JsonArray chargers) {
            for (Object o : chargers) {
                if (!(o instanceof JsonObject c)) {
                    continue;
                }
                JsonObject open = c.getValue("port") instanceof Number p ? charging.openByPort().get(p.intValue()) : null;
                boolean inUse = IN_USE.contains(String.valueOf(c.getValue("state")));
                if (open == null || !inUse) {
                    c.put("session", null);
                    continue;
                }
                Double energy = c.getValue("energyWh") instanceof Number n && Double.isFinite(n.doubleValue())
                        ? n.doubleValue() : null;
                if (energy != null && !"unknown".equals(c.getValue("state"))) {
                    live += energy;
                }
                c.put("session", new JsonObject().put("sessionId", open.getValue("sessionId"))
                        .put("member", open.getValue("member")).put("startedAt", open.getValue("startedAt"))
                        .put("energyWh", energy));
            }
        }
        if (today.getValue("energyWh") instanceof Number n) {
            today.put("energyWh", Math.round((n.doubleValue() + live) * 10) / 10.0);
        }
        return view.put("today", today);
    }

    private static final java.util.Set<String> IN_USE = java.util.Set.of(ChargerState.OCCUPIED.wireName(),
            ChargerState.CHARGING.wireName(), ChargerState.FINISHING.wireName(), "unknown");

    /**
     * What riders see: where it is, how far (straight line, {@code distanceM}) and roughly how long on foot
     * ({@code walkMinutes}, see {@link #walkMinutes}), whether it is open now, free charger ports (the count and
     * each port's state only) and how full the room is. Nothing private: no sessions, members, door or secrets.
     */
    public static JsonObject forRiders(Station s, Optional<JsonObject> telemetry, Optional<Double> distanceM,
                                       boolean online, String openingHours, boolean openNow) {
        JsonObject t = telemetry.orElseGet(JsonObject::new);
        JsonArray chargers = chargers(s, t);
        JsonArray ports = new JsonArray();
        int free = 0;
        for (Object o : chargers) {
            if (o instanceof JsonObject c) {
                ports.add(new JsonObject().put("port", c.getValue("port")).put("state", c.getValue("state")));
                if (ChargerState.AVAILABLE.wireName().equals(c.getValue("state"))) {
                    free++;
                }
            }
        }
        return new JsonObject()
                .put("id", s.id())
                .put("name", s.name())
                .put("address", s.address())
                .put("lat", Double.isNaN(s.lat()) ? null : s.lat())
                .put("lon", Double.isNaN(s.lon()) ? null : s.lon())
                .put("gcj02", gcj02(s))
                .put("mobile", s.mobile())
                .put("hereUntil", s.hereUntil().orElse(null))
                .put("distanceM", distanceM.map(d -> (double) Math.round(d)).orElse(null))
                .put("walkMinutes", distanceM.map(StationViews::walkMinutes).orElse(null))
                .put("online", online)
                .put("openingHours", openingHours)
                .put("openNow", online && openNow)
                .put("ports", s.ports())
                .put("freePorts", free)
                .put("chargers", ports)
                .put("occupancy", occupancy(s, t));
    }

    /**
     * The station's position in GCJ-02, for the Chinese map apps' navigation links (Amap/Gaode, Tencent), which
     * put a WGS-84 point a few hundred metres off; null without coordinates.
     */
    static JsonObject gcj02(Station s) {
        if (Double.isNaN(s.lat()) || Double.isNaN(s.lon())) {
            return null;
        }
        double[] g = Gcj02.fromWgs84(s.lat(), s.lon());
        return new JsonObject().put("lat", Math.round(g[0] * 1e6) / 1e6).put("lon", Math.round(g[1] * 1e6) / 1e6);
    }

    /** Streets are not straight: the walk is taken as this many times the straight line. */
    public static final double DETOUR_FACTOR = 1.3;
    /** A walking pace of 4.5 km/h. */
    public static final double WALK_METRES_PER_MINUTE = 75;

    /** Whole minutes on foot for a straight-line distance: detour factor 1.3 at 4.5 km/h, rounded up, at least 1. */
    public static int walkMinutes(double straightMetres) {
        return (int) Math.max(1, Math.ceil(straightMetres * DETOUR_FACTOR / WALK_METRES_PER_MINUTE));
    }

    /** The presence state: the hub's live view when it has one, else the registry's. */
    public static String state(Station s, Optional<Presence> livePresence) {
        return livePresence.map(Presence::state).orElse(s.presenceState());
    }

    /** Great-circle distance in metres (haversine). */
    public static double distanceMetres(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    private static JsonObject occupancy(Station s, JsonObject t) {
        JsonObject o = t.getValue("occupancy") instanceof JsonObject j ? j : new JsonObject();
        Object count = o.getValue("count") instanceof Number n ? n.intValue() : null;
        int capacity = o.getValue("capacity") instanceof Number n ? n.intValue() : s.capacity();
        return new JsonObject().put("count", count).put("capacity", capacity);
    }

    private static JsonArray chargers(Station s, JsonObject t) {
        JsonArray out = new JsonArray();
        if (t.getValue("chargers") instanceof JsonArray reported) {
            for (Object o : reported) {
                if (o instanceof JsonObject c) {
                    out.add(new JsonObject().put("port", c.getValue("port")).put("state", c.getValue("state"))
                            .put("powerW", c.getValue("powerW")).put("energyWh", c.getValue("energyWh"))
                            .put("tempC", c.getValue("tempC")));
                }
            }
            return out;
        }
        for (int p = 1; p <= s.ports(); p++) {
            out.add(new JsonObject().put("port", p).put("state", "unknown").put("powerW", null)
                    .put("energyWh", null).put("tempC", null));
        }
        return out;
    }
}
