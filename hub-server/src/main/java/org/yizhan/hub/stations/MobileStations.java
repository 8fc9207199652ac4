package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.live.Bus;
import org.yizhan.protocol.Telemetry;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mobile stations (可移动工会驿站): an operator marks a station mobile and may say until when it stays where it is
 * ({@code PUT /api/v1/stations/{id}/mobility} {@code {"mobile":true,"hereUntil":ms|null}}, operator+, audited);
 * the station's agent reports its GNSS position in its telemetry, and a mobile station that moved
 * {@value #MOVED_METRES} m or more is moved in the registry (its {@code lat}/{@code lon}, so the map and the
 * riders' finder follow it), its track gets the point ({@code GET /api/v1/stations/{id}/track?from=&to=&limit=},
 * operator+), and dashboards are told live ({@code position}). Positions of a station that is not mobile move
 * nothing: a fixed station does not wander with its receiver's noise.
 */
public final class MobileStations implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(MobileStations.class);
    static final double MOVED_METRES = 20;
    private static final long MAX_TRACK = 5000;

    private final Vertx vertx;
    private final Database db;
    private final Authenticator auth;
    private final AuditLog audit;
    /** The last position stored per station, so that a parked station's reports cost no write. */
    private final Map<String, double[]> last = new ConcurrentHashMap<>();

    public MobileStations(Vertx vertx, Database db, Authenticator auth, AuditLog audit) {
        this.vertx = vertx;
        this.db = db;
        this.auth = auth;
        this.audit = audit;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.put("/api/v1/stations/:id/mobility"), Role.OPERATOR, audit.refusals("station.mobility", "station",
                StationIds::fromPath), this::setMobility);
        auth.json(router.get("/api/v1/stations/:id/track"), Role.OPERATOR, this::track);
    }

    /** A position from a station's telemetry (any replica that stores its messages calls this). */
    public void position(String stationId, Telemetry.Position p, long at) {
        double[] before = last.get(stationId);
        if (before != null && StationViews.distanceMetres(before[0], before[1], p.lat(), p.lon()) < MOVED_METRES) {
            return;
        }
        db.tx(c -> {
            int moved = Rows.update(c, "UPDATE stations SET lat = ?, lon = ?, moved_at = ? WHERE id = ? AND mobile = ?",
                    p.lat(), p.lon(), at, stationId, true);
            if (moved == 1) {
                Rows.update(c, "DELETE FROM station_track WHERE station_id = ? AND ts = ?", stationId, at);
                Rows.update(c, "INSERT INTO station_track (station_id, ts, lat, lon, accuracy_m) VALUES (?, ?, ?, ?, ?)",
                        stationId, at, p.lat(), p.lon(), p.accuracyM().isPresent() ? p.accuracyM().getAsDouble() : null);
            }
            return moved == 1;
        }).onSuccess(moved -> {
            last.put(stationId, new double[]{p.lat(), p.lon()});
            if (moved) {
                LOG.info("Mobile station {} moved to {}, {}", stationId, p.lat(), p.lon());
                vertx.eventBus().publish(Bus.LIVE, EventEffects.live("position", stationId,
                        new JsonObject().put("lat", p.lat()).put("lon", p.lon()).put("at", at)));
            }
        }).onFailure(err -> LOG.warn("Storing the position of {} failed: {}", stationId, err.toString()));
    }

    private Future<Reply> setMobility(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        JsonBody b = JsonBody.of(ctx);
        if (!(b.json().getValue("mobile") instanceof Boolean mobile)) {
            throw ApiException.badField("mobile", "must be true or false");
        }
        Object until = b.json().getValue("hereUntil");
        Optional<Long> hereUntil;
        if (until == null) {
            hereUntil = Optional.empty();
        } else if (until instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() > 0) {
            hereUntil = Optional.of(n.longValue());
        } else {
            throw ApiException.badField("hereUntil", "must be epoch milliseconds, or null for no end");
        }
        if (hereUntil.isPresent() && !mobile) {
            throw ApiException.badField("hereUntil", "only a mobile station has a stop that ends");
        }
        AuditEntry entry = AuditEntry.by(ctx, "station.mobility", "station", id);
        return audit.failures(entry, () -> db.tx(c -> {
            if (Rows.update(c, "UPDATE stations SET mobile = ?, here_until = ? WHERE id = ?", mobile,
                    hereUntil.orElse(null), id) != 1) {
                throw StationIds.notFound();
            }
            audit.step(x -> entry.with("mobile", mobile).with("hereUntil", hereUntil.orElse(null))).run(c, null);
            return new JsonObject().put("id", id).put("mobile", mobile).put("hereUntil", hereUntil.orElse(null));
        })).map(r -> {
            last.remove(id);
            LOG.info("User '{}' set station {} {}", Authenticator.principal(ctx).username(), id,
                    mobile ? "mobile" + hereUntil.map(u -> ", here until " + java.time.Instant.ofEpochMilli(u)).orElse("")
                            : "fixed");
            vertx.eventBus().publish(Bus.LIVE, EventEffects.live("mobility", id, r.copy()));
            return Reply.ok(r);
        });
    }

    private Future<Reply> track(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        QueryParams q = new QueryParams(ctx);
        long now = System.currentTimeMillis();
        long to = q.longValue("to", 0, Long.MAX_VALUE / 2, now);
        long from = q.longValue("from", 0, Long.MAX_VALUE / 2, to - 24 * 3_600_000L);
        int limit = (int) q.longValue("limit", 1, MAX_TRACK, 1000);
        return db.call(c -> {
            if (!Rows.any(c, "SELECT 1 FROM stations WHERE id = ?", id)) {
                throw StationIds.notFound();
            }
            JsonArray points = new JsonArray();
            for (Object[] r : Rows.list(c, "SELECT ts, lat, lon, accuracy_m FROM station_track WHERE station_id = ? "
                            + "AND ts BETWEEN ? AND ? ORDER BY ts LIMIT " + limit,
                    rs -> new Object[]{rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getObject(4)}, id, from, to)) {
                points.add(new JsonObject().put("ts", r[0]).put("lat", r[1]).put("lon", r[2])
                        .put("accuracyM", r[3] instanceof Number n ? n.doubleValue() : null));
            }
            return Reply.ok(new JsonObject().put("stationId", id).put("from", from).put("to", to).put("points", points));
        });
    }
}
