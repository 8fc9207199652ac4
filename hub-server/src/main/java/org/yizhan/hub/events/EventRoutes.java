package org.yizhan.hub.events;

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
import org.yizhan.protocol.Ulid;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Station events (operator+): {@code GET /api/v1/events?stationId=&type=&after=&limit=} pages oldest first;
 * {@code GET /api/v1/events?order=newest&type=access.*,door.*} gives the newest events first (no paging), of any
 * of the types or type prefixes given.
 */
public final class EventRoutes implements HubFeature {

    private static final Pattern EVENT_TYPE = Pattern.compile("[a-z0-9_.-]{1,100}");
    private static final Pattern EVENT_TYPES = Pattern.compile("[a-z0-9_.-]{1,100}\\*?");

    private final EventStore events;
    private final Authenticator auth;

    public EventRoutes(EventStore events, Authenticator auth) {
        this.events = events;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/events"), Role.OPERATOR, this::events);
    }

    private Future<Reply> events(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        Optional<String> stationId = StationIds.query(q);
        if ("newest".equals(q.string("order", 10).orElse("oldest"))) {
            String types = q.string("type", 500).orElse("");
            List<String> list = new ArrayList<>();
            for (String t : types.split(",")) {
                if (t.isBlank()) {
                    continue;
                }
                if (!EVENT_TYPES.matcher(t.trim()).matches()) {
                    throw ApiException.badField("type", "must be event types like access.granted or prefixes like "
                            + "access.*, separated by commas");
                }
                list.add(t.trim());
            }
            if (list.size() > 20) {
                throw ApiException.badField("type", "at most 20 types");
            }
            return events.latest(stationId, list, q.intValue("limit", 1, EventStore.MAX_LIMIT, 100)).map(Reply::ok);
        }
        if (q.string("order", 10).filter(o -> !"oldest".equals(o)).isPresent()) {
            throw ApiException.badField("order", "must be oldest (the default, with paging by after) or newest");
        }
        Optional<String> type = q.matching("type", EVENT_TYPE, "must be an event type like access.granted");
        Optional<String> after = q.string("after", 26);
        if (after.isPresent() && !Ulid.isValid(after.get())) {
            throw ApiException.badField("after", "must be an event id (a ULID) from a previous page's next");
        }
        int limit = q.intValue("limit", 1, EventStore.MAX_LIMIT, 100);
        return events.list(stationId, type, after, limit).map(Reply::ok);
    }
}
