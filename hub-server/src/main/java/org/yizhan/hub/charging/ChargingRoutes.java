package org.yizhan.hub.charging;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Charging sessions over HTTP (operator+):
 * <ul>
 *   <li>{@code GET /api/v1/stations/{id}/sessions?from=&to=&port=&limit=&after=}: sessions that started in
 *   [from, to) (epoch ms), newest first, with {@code next} as the {@code after} of the next page;</li>
 *   <li>{@code GET /api/v1/stations/{id}/sessions/summary?from=&to=}: figures per local day, from and to being
 *   dates ({@code 2025-05-01}, both included; by default the last 7 days up to today in Asia/Shanghai);</li>
 *   <li>{@code GET /api/v1/charging/summary?from=&to=}: the same summed over all stations, with each station's
 *   totals.</li>
 * </ul>
 */
public final class ChargingRoutes implements HubFeature {

    /** Longest range a summary covers. */
    public static final int MAX_DAYS = 366;
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private final ChargingStore store;
    private final Authenticator auth;

    public ChargingRoutes(ChargingStore store, Authenticator auth) {
        this.store = store;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/stations/:id/sessions"), Role.OPERATOR, this::list);
        auth.json(router.get("/api/v1/stations/:id/sessions/summary"), Role.OPERATOR, this::stationSummary);
        auth.json(router.get("/api/v1/charging/summary"), Role.OPERATOR, this::summary);
    }

    private Future<Reply> list(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        QueryParams q = new QueryParams(ctx);
        long to = q.longValue("to", 0, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2);
        long from = q.longValue("from", 0, Long.MAX_VALUE / 2, 0);
        if (from >= to) {
            throw ApiException.badField("from", "must be before to");
        }
        int port = q.intValue("port", 1, 64, 0);
        int limit = q.intValue("limit", 1, ChargingStore.MAX_LIMIT, 100);
        String after = q.matching("after", ChargingStore.CURSOR, "must be the next of a previous page").orElse("");
        return store.station(id).compose(s -> {
            if (s.isEmpty()) {
                return Future.failedFuture(StationIds.notFound());
            }
            if (port > s.get().ports()) {
                return Future.failedFuture(ApiException.badField("port",
                        "station " + id + " has ports 1 to " + s.get().ports()));
            }
            return store.list(id, from, to, port, limit, after).map(page -> Reply.ok(page.put("stationId", id)));
        });
    }

    private Future<Reply> stationSummary(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        LocalDate[] range = range(new QueryParams(ctx));
        return store.summary(id, range[0], range[1], System.currentTimeMillis())
                .map(s -> Reply.ok(s.orElseThrow(StationIds::notFound)));
    }

    private Future<Reply> summary(RoutingContext ctx) {
        LocalDate[] range = range(new QueryParams(ctx));
        return store.summaryAll(range[0], range[1], System.currentTimeMillis()).map(Reply::ok);
    }

    /**
     * The {@code from} and {@code to} query parameters as dates (both included, at most {@link #MAX_DAYS} apart);
     * to defaults to today in Asia/Shanghai, from to six days before to.
     */
    public static LocalDate[] range(QueryParams q) {
        LocalDate to = date(q, "to").orElseGet(() -> LocalDate.now(ChargingStore.DEFAULT_ZONE));
        LocalDate from = date(q, "from").orElseGet(() -> to.minusDays(6));
        if (from.isAfter(to)) {
            throw ApiException.badField("from", "must not be after to");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw ApiException.badField("from", "the range is at most " + MAX_DAYS + " days");
        }
        return new LocalDate[]{from, to};
    }

    private static Optional<LocalDate> date(QueryParams q, String name) {
        Optional<String> v = q.matching(name, DATE, "must be a date like 2025-05-01");
        try {
            return v.map(LocalDate::parse);
        } catch (DateTimeParseException e) {
            throw ApiException.badField(name, "'" + v.get() + "' is not a date");
        }
    }
}
