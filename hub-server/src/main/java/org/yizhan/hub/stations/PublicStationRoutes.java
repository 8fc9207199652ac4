package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.access.OpeningHours;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.presence.Presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * For riders, without signing in:
 * <ul>
 * <li>{@code GET /api/v1/public/stations?near=lat,lon&limit=}: the stations that are online now, nearest first
 * when {@code near} is given (with {@code distanceM} in a straight line and {@code walkMinutes}), each with
 * {@code openNow}, {@code openingHours}, free charger ports and occupancy ({@link StationViews#forRiders});</li>
 * <li>{@code GET /api/v1/public/stations/{id}}: one station the same way, online or not (404 if unknown).</li>
 * </ul>
 * Opening hours are the stations' configured ones, which the registry does not yet vary per station:
 * {@link StationConfig.Access#DEFAULTS} (open 24 hours).
 */
public final class PublicStationRoutes implements HubFeature {

    private static final OpeningHours HOURS = OpeningHours.parse(StationConfig.Access.DEFAULTS.openingHours(),
            StationConfig.Access.DEFAULTS.timeZone());

    private final StationStore stations;
    private final StationLive live;
    private final Function<String, Optional<Presence>> presence;
    private final Replies replies;

    public PublicStationRoutes(StationStore stations, StationLive live,
                               Function<String, Optional<Presence>> presence, Replies replies) {
        this.stations = stations;
        this.live = live;
        this.presence = presence;
        this.replies = replies;
    }

    @Override
    public void mount(Router router) {
        router.get("/api/v1/public/stations").handler(replies.json(this::list));
        router.get("/api/v1/public/stations/:id").handler(replies.json(this::one));
    }

    private Future<Reply> one(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        return stations.get(id).map(found -> {
            Station s = found.orElseThrow(StationIds::notFound);
            return Reply.ok(new JsonObject().put("station", view(s, Optional.empty())));
        });
    }

    private JsonObject view(Station s, Optional<Double> distance) {
        boolean online = Presence.ONLINE.equals(StationViews.state(s, presence.apply(s.id())));
        // the registry keeps no hours per station yet: every station has the default (24 h)
        boolean openNow = HOURS.isOpen(Instant.now());
        return StationViews.forRiders(s, live.telemetry(s.id()), distance, online,
                StationConfig.Access.DEFAULTS.openingHours(), openNow);
    }

    private record Near(double lat, double lon) {
    }

    private Future<Reply> list(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        Optional<Near> near = q.string("near", 64).map(PublicStationRoutes::parseNear);
        int limit = q.intValue("limit", 1, 500, 50);
        return stations.list().map(all -> {
            record Entry(Station s, Optional<Double> d) {
            }
            List<Entry> open = new ArrayList<>();
            for (Station s : all) {
                if (!Presence.ONLINE.equals(StationViews.state(s, presence.apply(s.id())))) {
                    continue;
                }
                Optional<Double> d = near.isPresent() && !Double.isNaN(s.lat()) && !Double.isNaN(s.lon())
                        ? Optional.of(StationViews.distanceMetres(near.get().lat(), near.get().lon(), s.lat(), s.lon()))
                        : Optional.empty();
                open.add(new Entry(s, d));
            }
            if (near.isPresent()) {
                open.sort(Comparator.comparingDouble(e -> e.d().orElse(Double.MAX_VALUE)));
            }
            JsonArray out = new JsonArray();
            open.stream().limit(limit).forEach(e -> out.add(view(e.s(), e.d())));
            return Reply.ok(new JsonObject().put("stations", out));
        });
    }

    private static Near parseNear(String v) {
        String[] parts = v.split(",");
        String what = "must be 'lat,lon' with lat -90..90 and lon -180..180, like 30.27,120.15";
        if (parts.length != 2) {
            throw ApiException.badField("near", what);
        }
        try {
            double lat = Double.parseDouble(parts[0].trim());
            double lon = Double.parseDouble(parts[1].trim());
            if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
                throw ApiException.badField("near", what);
            }
            return new Near(lat, lon);
        } catch (NumberFormatException e) {
            throw ApiException.badField("near", what);
        }
    }
}
