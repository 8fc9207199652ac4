package org.yizhan.hub.http;

import io.vertx.ext.web.RoutingContext;

import java.util.Optional;
import java.util.regex.Pattern;

/** Station ids in requests: {@code [a-z0-9-]{3,40}}, as the wire contract has them. */
public final class StationIds {

    public static final Pattern PATTERN = Pattern.compile("[a-z0-9-]{3,40}");
    public static final String RULE = "must be 3 to 40 of a-z, 0-9 and '-'";

    private StationIds() {
    }

    /** The station id of the path parameter {@code id}, or 404 when it cannot be one. */
    public static String fromPath(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (id == null || !PATTERN.matcher(id).matches()) {
            throw notFound();
        }
        return id;
    }

    /** The optional {@code ?stationId=} filter; 400 naming it when it cannot be a station id. */
    public static Optional<String> query(QueryParams q) {
        return q.matching("stationId", PATTERN, RULE);
    }

    public static ApiException notFound() {
        return ApiException.of(404, "station-not-found", "No such station");
    }
}
