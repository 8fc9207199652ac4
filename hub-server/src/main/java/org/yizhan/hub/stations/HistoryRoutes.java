package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.timeseries.TimeSeries;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/stations/{id}/history?metric=&from=&to=&step=&port=} (operator+): one metric's points
 * {@code [ts, value]} averaged per step. {@code from}/{@code to} are epoch ms (default: the last hour);
 * {@code step} is a duration like {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or bare milliseconds, at
 * least 1 s, at most 10 000 steps in the range (default: about 300 steps).
 */
public final class HistoryRoutes implements HubFeature {

    public static final int MAX_BUCKETS = 10_000;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)?");

    private final StationStore stations;
    private final TimeSeries timeSeries;
    private final Authenticator auth;

    public HistoryRoutes(StationStore stations, TimeSeries timeSeries, Authenticator auth) {
        this.stations = stations;
        this.timeSeries = timeSeries;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/stations/:id/history"), Role.OPERATOR, this::history);
    }

    private Future<Reply> history(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        QueryParams q = new QueryParams(ctx);
        String metric = q.string("metric", 64).orElseThrow(() -> ApiException.badField("metric",
                "is required; one of " + TimeSeries.METRICS));
        if (!TimeSeries.METRICS.contains(metric)) {
            throw ApiException.badField("metric", "unknown metric '" + metric + "'; one of " + TimeSeries.METRICS);
        }
        long now = System.currentTimeMillis();
        long to = q.longValue("to", 0, Long.MAX_VALUE / 2, now);
        long from = q.longValue("from", 0, Long.MAX_VALUE / 2, to - 3_600_000);
        if (from >= to) {
            throw ApiException.badField("from", "must be before to");
        }
        long range = to - from;
        long step = q.string("step", 20).map(HistoryRoutes::duration)
                .orElse(Math.max(1000, (range / 300 + 999) / 1000 * 1000));
        if (step < 1000) {
            throw ApiException.badField("step", "must be at least 1 s");
        }
        if ((range + step - 1) / step > MAX_BUCKETS) {
            throw ApiException.badField("step", "gives more than " + MAX_BUCKETS + " steps for this range; make it larger");
        }
        int port = q.intValue("port", 0, 64, 0);
        return stations.exists(id).compose(exists -> {
            if (!exists) {
                return Future.failedFuture(StationIds.notFound());
            }
            return timeSeries.history(id, metric, port, from, to, step);
        }).map(points -> {
            JsonArray out = new JsonArray();
            for (double[] p : points) {
                out.add(new JsonArray().add((long) p[0]).add(Double.isFinite(p[1]) ? p[1] : null));
            }
            return Reply.ok(new JsonObject().put("stationId", id).put("metric", metric).put("port", port)
                    .put("from", from).put("to", to).put("step", step).put("points", out));
        });
    }

    /** Milliseconds of a duration such as {@code 30s}; bare numbers are milliseconds. */
    static long duration(String v) {
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches()) {
            throw ApiException.badField("step", "must be a duration like 30s, 5m, 1h or milliseconds");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (Optional.ofNullable(m.group(2)).orElse("ms")) {
            case "s" -> 1000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 1L;
        };
        return n * unit;
    }
}
