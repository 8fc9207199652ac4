package org.yizhan.hub.timeseries;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;

import java.util.function.Supplier;

/**
 * {@code GET /api/v1/timeseries} (operator+): where the time series are written and whether they get there:
 * {@code {"engine","storeUp","bufferedPoints","bufferedBytes","bufferMaxBytes","lostPoints","retention"}}.
 * The overview page shows a notice from it while points wait on disk or have been lost.
 */
public final class TimeSeriesRoutes implements HubFeature {

    private final Supplier<TimeSeries> timeSeries;
    private final Authenticator auth;

    public TimeSeriesRoutes(Supplier<TimeSeries> timeSeries, Authenticator auth) {
        this.timeSeries = timeSeries;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/timeseries"), Role.OPERATOR, ctx -> {
            TimeSeries ts = timeSeries.get();
            if (ts == null) {
                return Future.failedFuture(new IllegalStateException("the time series is closed"));
            }
            return Future.succeededFuture(Reply.ok(json(ts.status())));
        });
    }

    static JsonObject json(TimeSeries.Status s) {
        return new JsonObject().put("engine", s.engine()).put("storeUp", s.storeUp())
                .put("bufferedPoints", s.bufferedPoints()).put("bufferedBytes", s.bufferedBytes())
                .put("bufferMaxBytes", s.bufferMaxBytes()).put("lostPoints", s.lostPoints())
                .put("retention", s.retention());
    }
}
