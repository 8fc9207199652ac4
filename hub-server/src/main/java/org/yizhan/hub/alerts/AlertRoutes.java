package org.yizhan.hub.alerts;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.live.Bus;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Operators see and work their alerts (operator+):
 * <ul>
 *   <li>{@code GET /api/v1/alerts?stationId=&open=true&limit=} → {@code {"alerts":[..]}};</li>
 *   <li>{@code POST /api/v1/alerts/{id}/ack} (no body needed) → 200 the alert with {@code "ack":{"by","at"}};
 *   acknowledging again keeps the first acknowledgement;</li>
 *   <li>{@code POST /api/v1/alerts/{id}/resolve {"note"}} (1 to 500 characters) → 200 the alert with
 *   {@code "resolution":{"by","at","note"}}; an open alert is closed now.</li>
 * </ul>
 * 404 for an unknown alert, 409 {@code already-resolved} for one resolved before. Each change is published on
 * {@link Bus#LIVE} as kind {@code "alert"}.
 */
public final class AlertRoutes implements HubFeature {

    public static final int MAX_NOTE_CHARS = 500;
    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,17}");
    private static final Logger LOG = LoggerFactory.getLogger(AlertRoutes.class);

    private final Vertx vertx;
    private final AlertStore alerts;
    private final Authenticator auth;

    public AlertRoutes(Vertx vertx, AlertStore alerts, Authenticator auth) {
        this.vertx = vertx;
        this.alerts = alerts;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/alerts"), Role.OPERATOR, this::list);
        auth.json(router.post("/api/v1/alerts/:id/ack"), Role.OPERATOR, this::ack);
        auth.json(router.post("/api/v1/alerts/:id/resolve"), Role.OPERATOR, this::resolve);
    }

    private Future<Reply> list(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        Optional<String> stationId = StationIds.query(q);
        boolean open = q.bool("open", false);
        int limit = q.intValue("limit", 1, AlertStore.MAX_LIMIT, 100);
        return alerts.list(stationId, open, limit).map(a -> Reply.ok(new JsonObject().put("alerts", a)));
    }

    private Future<Reply> ack(RoutingContext ctx) {
        long id = alertId(ctx);
        String by = Authenticator.principal(ctx).username();
        return alerts.acknowledge(id, by, System.currentTimeMillis()).map(o -> answer(o, by, "acknowledged"));
    }

    private Future<Reply> resolve(RoutingContext ctx) {
        long id = alertId(ctx);
        String note = JsonBody.of(ctx).string("note", 1, MAX_NOTE_CHARS).strip();
        String by = Authenticator.principal(ctx).username();
        return alerts.resolve(id, by, System.currentTimeMillis(), note).map(o -> answer(o, by, "resolved"));
    }

    private Reply answer(AlertAction.Outcome o, String by, String what) {
        switch (o.result()) {
            case NOT_FOUND -> throw notFound();
            case ALREADY_RESOLVED -> throw ApiException.of(409, "already-resolved", "This alert was resolved by "
                    + o.alert().orElseThrow().getJsonObject("resolution").getString("by"));
            case CHANGED -> {
                JsonObject alert = o.alert().orElseThrow();
                LOG.info("User '{}' {} alert {} ({} at station {})", by, what, alert.getLong("id"),
                        alert.getString("type"), alert.getString("stationId"));
                vertx.eventBus().publish(Bus.LIVE, new JsonObject().put("kind", "alert")
                        .put("stationId", alert.getString("stationId")).put("data", alert));
            }
            default -> { }
        }
        return Reply.ok(o.alert().orElseThrow());
    }

    private static long alertId(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (id == null || !ID.matcher(id).matches()) {
            throw notFound();
        }
        return Long.parseLong(id);
    }

    private static ApiException notFound() {
        return ApiException.of(404, "alert-not-found", "No such alert");
    }
}
