package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.presence.Presence;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The station registry over HTTP: register a station (technician), list and show stations with presence,
 * live telemetry, open alerts and today's charging (operator+), and issue or show its claim code, also as a QR PNG (technician).
 */
public final class StationRoutes implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(StationRoutes.class);

    private final Vertx vertx;
    private final StationStore stations;
    private final AlertStore alerts;
    private final StationLive live;
    private final Function<String, Optional<Presence>> presence;
    private final Map<String, Integer> portsPerProfile;
    private final Authenticator auth;
    private final Replies replies;
    private final ChargingNow charging;
    private HubAddress address = new HubAddress("", Optional.empty());

    public StationRoutes(Vertx vertx, StationStore stations, AlertStore alerts, StationLive live,
                         Function<String, Optional<Presence>> presence, Map<String, Integer> portsPerProfile, Authenticator auth, Replies replies) {
        this(vertx, stations, alerts, live, presence, portsPerProfile, auth, replies, ChargingNow.NONE);
    }

    /** With {@code charging} adding today's figures and each port's open session to the station views. */
    public StationRoutes(Vertx vertx, StationStore stations, AlertStore alerts, StationLive live,
                         Function<String, Optional<Presence>> presence, Map<String, Integer> portsPerProfile, Authenticator auth, Replies replies,
                         ChargingNow charging) {
        this.vertx = vertx;
        this.stations = stations;
        this.alerts = alerts;
        this.live = live;
        this.presence = presence;
        this.portsPerProfile = Map.copyOf(portsPerProfile);
        this.auth = auth;
        this.replies = replies;
        this.charging = charging;
    }

    /** Where stations reach and how they trust this hub, for the claim QR ({@code claim.png}). */
    public StationRoutes address(HubAddress address) {
        this.address = address;
        return this;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.post("/api/v1/stations"), Role.TECHNICIAN, this::create);
        auth.json(router.get("/api/v1/stations"), Role.OPERATOR, this::list);
        auth.json(router.get("/api/v1/stations/:id"), Role.OPERATOR, this::show);
        auth.json(router.post("/api/v1/stations/:id/claim"), Role.TECHNICIAN, this::newClaim);
        auth.json(router.get("/api/v1/stations/:id/claim"), Role.TECHNICIAN, this::showClaim);
        router.get("/api/v1/stations/:id/claim.png").handler(auth.require(Role.TECHNICIAN)).handler(this::claimPng);
    }

    private Future<Reply> create(RoutingContext ctx) {
        NewStation s = NewStation.parse(JsonBody.of(ctx).json(), portsPerProfile);
        String by = Authenticator.principal(ctx).username();
        return stations.create(s).map(created -> {
            LOG.info("User '{}' registered station {}", by, created.station().id());
            return Reply.created(new JsonObject()
                    .put("station", StationViews.full(created.station(), Optional.empty(), Optional.empty(),
                            Optional.empty(), new JsonArray()))
                    .put("claimCode", ClaimCodes.display(created.claim().code()))
                    .put("claimExpiresAt", created.claim().expiresAt()));
        });
    }

    private Future<Reply> list(RoutingContext ctx) {
        return Future.all(stations.list(), alerts.list(Optional.empty(), true, AlertStore.MAX_LIMIT),
                charging.snapshot(Optional.empty(), System.currentTimeMillis())).map(all -> {
            List<Station> list = all.resultAt(0);
            JsonArray open = all.resultAt(1);
            Map<String, ChargingNow.Snapshot> figures = all.resultAt(2);
            Map<String, JsonArray> byStation = new HashMap<>();
            for (Object o : open) {
                if (o instanceof JsonObject a) {
                    byStation.computeIfAbsent(a.getString("stationId"), k -> new JsonArray()).add(a);
                }
            }
            JsonArray out = new JsonArray();
            for (Station s : list) {
                out.add(view(s, byStation.getOrDefault(s.id(), new JsonArray()), figures));
            }
            return Reply.ok(new JsonObject().put("stations", out));
        });
    }

    private Future<Reply> show(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        return stations.get(id).compose(s -> {
            if (s.isEmpty()) {
                return Future.failedFuture(StationIds.notFound());
            }
            return Future.all(alerts.list(Optional.of(id), true, AlertStore.MAX_LIMIT),
                    charging.snapshot(Optional.of(id), System.currentTimeMillis()))
                    .map(all -> Reply.ok(view(s.get(), all.resultAt(0), all.resultAt(1))));
        });
    }

    private JsonObject view(Station s, JsonArray openAlerts, Map<String, ChargingNow.Snapshot> figures) {
        JsonObject v = StationViews.full(s, presence.apply(s.id()), live.telemetry(s.id()), live.lastSeen(s.id()),
                openAlerts);
        ChargingNow.Snapshot f = figures.get(s.id());
        return f == null ? v : StationViews.withCharging(v, f);
    }

    private Future<Reply> newClaim(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        String by = Authenticator.principal(ctx).username();
        return stations.issueClaim(id).map(c -> {
            StationStore.Claim claim = c.orElseThrow(StationIds::notFound);
            LOG.info("User '{}' issued a new claim code for station {}", by, id);
            return Reply.created(claimJson(claim));
        });
    }

    private Future<Reply> showClaim(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        return stations.currentClaim(id).map(c -> Reply.ok(claimJson(c.orElseThrow(() ->
                ApiException.of(404, "no-claim-code", "This station has no unused claim code; issue a new one")))));
    }

    private static JsonObject claimJson(StationStore.Claim c) {
        return new JsonObject().put("stationId", c.stationId()).put("claimCode", ClaimCodes.display(c.code()))
                .put("claimExpiresAt", c.expiresAt());
    }

    private void claimPng(RoutingContext ctx) {
        Future<Buffer> png;
        try {
            String id = StationIds.fromPath(ctx);
            png = stations.currentClaim(id).compose(c -> {
                if (c.isEmpty()) {
                    return Future.failedFuture(ApiException.of(404, "no-claim-code",
                            "This station has no unused claim code; issue a new one"));
                }
                // what a kiosk's camera needs to provision itself: the hub, the code and the CA pin (ClaimQr)
                String text = address.claimQr(ctx, ClaimCodes.display(c.get().code())).text();
                return vertx.executeBlocking(() -> Buffer.buffer(QrPng.render(text, 320)), false);
            });
        } catch (ApiException e) {
            png = Future.failedFuture(e);
        }
        png.onSuccess(b -> ctx.response().putHeader("Content-Type", "image/png").end(b))
                .onFailure(e -> replies.fail(ctx, e));
    }
}
