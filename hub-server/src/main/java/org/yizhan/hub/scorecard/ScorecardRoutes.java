package org.yizhan.hub.scorecard;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.charging.ChargingRoutes;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;

import java.time.LocalDate;
import java.util.Optional;

/**
 * {@code GET /api/v1/scorecard?from=YYYY-MM-DD&to=YYYY-MM-DD&stationId=} (operator+): the {@link Scorecard} of every
 * station, or of one with its days. The same as CSV ({@link ScorecardCsv}) with {@code Accept: text/csv} or at
 * {@code /api/v1/scorecard.csv}. from and to are local days, both included, at most
 * {@value ChargingRoutes#MAX_DAYS} days; by default the last 7 days.
 */
public final class ScorecardRoutes implements HubFeature {

    private final ScorecardStore store;
    private final Authenticator auth;
    private final Replies replies;

    public ScorecardRoutes(ScorecardStore store, Authenticator auth, Replies replies) {
        this.store = store;
        this.auth = auth;
        this.replies = replies;
    }

    @Override
    public void mount(Router router) {
        router.get("/api/v1/scorecard.csv").handler(auth.require(Role.OPERATOR)).handler(ctx -> answer(ctx, true));
        router.get("/api/v1/scorecard").handler(auth.require(Role.OPERATOR)).handler(ctx -> answer(ctx, wantsCsv(ctx)));
    }

    private void answer(RoutingContext ctx, boolean csv) {
        Replies.attempt(this::scorecard, ctx).onComplete(ar -> {
            if (ar.failed()) {
                replies.fail(ctx, ar.cause());
            } else if (!csv) {
                replies.send(ctx, Reply.ok(ar.result()));
            } else if (!ctx.response().ended() && !ctx.response().closed()) {
                JsonObject s = ar.result();
                String name = "scorecard-" + s.getString("from") + "-" + s.getString("to") + ".csv";
                ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
                        .putHeader("Content-Disposition", "attachment; filename=\"" + name + "\"")
                        .end(ScorecardCsv.of(s));
            }
        });
    }

    private Future<JsonObject> scorecard(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        Optional<String> stationId = q.matching("stationId", StationIds.PATTERN, "must be a station id");
        LocalDate[] range = ChargingRoutes.range(q);
        return store.scorecard(stationId, range[0], range[1], System.currentTimeMillis())
                .map(s -> s.orElseThrow(StationIds::notFound));
    }

    private static boolean wantsCsv(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/csv");
    }
}
