package org.yizhan.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.protocol.Topics;

import java.util.Optional;

/**
 * {@code DELETE /api/v1/stations/{id}/credentials} (admin): retires a station's MQTT credentials. Its broker
 * client is removed first when the hub manages them ({@code mqtt-broker-dynsec}; the broker closes connections
 * made with them), then its secret in the registry, so neither the broker nor the hub's own endpoint accepts it
 * again. The station record and its history stay; a new claim code provisions it afresh. Audited as
 * {@code station.credentials.retire} in the transaction that deletes the secret (refused and failed attempts too);
 * when the entry cannot be written the answer is 503 and the secret stays (a broker client already removed stays
 * removed: retrying completes the retirement).
 */
public final class RetireRoutes implements HubFeature {

    static final String ACTION = "station.credentials.retire";

    private final Database db;
    private final Optional<StationAccounts> accounts;
    private final Authenticator auth;
    private final AuditLog audit;

    public RetireRoutes(Database db, Optional<StationAccounts> accounts, Authenticator auth, AuditLog audit) {
        this.audit = audit;
        this.db = db;
        this.accounts = accounts;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.delete("/api/v1/stations/:id/credentials"), Role.ADMIN,
                audit.refusals(ACTION, "station"), this::retire);
    }

    private Future<Reply> retire(RoutingContext ctx) {
        AuditEntry entry = AuditEntry.by(ctx, ACTION, "station", ctx.pathParam("id"));
        return audit.failures(entry, () -> retire(ctx, entry));
    }

    private Future<Reply> retire(RoutingContext ctx, AuditEntry entry) {
        String id = ctx.pathParam("id");
        if (!Topics.isValidStationId(id)) {
            return Future.failedFuture(ApiException.notFound("No such station"));
        }
        return db.call(c -> Rows.any(c, "SELECT 1 FROM stations WHERE id = ?", id)).compose(known -> {
            if (!known) {
                return Future.failedFuture(ApiException.notFound("No such station"));
            }
            Future<Void> broker = accounts.map(a -> a.remove(id).recover(err -> Future.failedFuture(ApiException.of(
                    503, "broker-unavailable", "The broker did not remove the station's client: " + err.getMessage()))))
                    .orElse(Future.succeededFuture());
            Database.Step<Integer> audited = audit.step(n -> entry.with("broker", accounts.isPresent()));
            return broker.compose(v -> db.tx(c -> {
                        int n = Rows.update(c, "DELETE FROM station_credentials WHERE station_id = ?", id);
                        audited.run(c, n);
                        return n;
                    }))
                    .map(n -> Reply.ok(new JsonObject().put("stationId", id).put("retired", true)
                            .put("broker", accounts.isPresent())));
        });
    }
}
