package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;

import java.util.Optional;

/**
 * {@code PUT /api/v1/stations/{id}/district} (technician+) {@code {"district":"西湖区"}}, or {@code null} / {@code ""}
 * to clear it → {@code {"id","district"}}; audited as {@code station.district}. A station's district is shown in its
 * JSON and the CSV export, and notification routes match it ({@code "districts"}): a district manager's group gets
 * that district's alerts and escalations. Set it when adding a station too (the API's or the CSV's
 * {@code district}).
 */
public final class DistrictRoutes implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(DistrictRoutes.class);

    private final StationStore stations;
    private final Authenticator auth;
    private final AuditLog audit;

    public DistrictRoutes(StationStore stations, Authenticator auth, AuditLog audit) {
        this.stations = stations;
        this.auth = auth;
        this.audit = audit;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.put("/api/v1/stations/:id/district"), Role.TECHNICIAN,
                audit.refusals("station.district", "station", StationIds::fromPath), this::set);
    }

    private Future<Reply> set(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        JsonObject body = JsonBody.of(ctx).json();
        if (!body.containsKey("district")) {
            throw ApiException.badField("district", "is required: a text such as 西湖区, or null to clear it");
        }
        Optional<String> district = NewStation.district(body);
        AuditEntry entry = AuditEntry.by(ctx, "station.district", "station", id);
        return audit.failures(entry, () -> stations.setDistrict(id, district,
                audit.step(d -> entry.with("district", d.orElse(null))))).map(found -> {
                    if (!found) {
                        throw StationIds.notFound();
                    }
                    LOG.info("User '{}' set the district of station {} to '{}'",
                            Authenticator.principal(ctx).username(), id, district.orElse(""));
                    return Reply.ok(new JsonObject().put("id", id).put("district", district.orElse(null)));
                });
    }
}
