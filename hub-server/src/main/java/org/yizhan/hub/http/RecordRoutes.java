package org.yizhan.hub.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.auth.Authenticator;
import org.yizhan.hub.auth.Role;
import org.yizhan.hub.deadletter.DeadLetterStore;
import org.yizhan.hub.events.EventStore;
import org.yizhan.hub.stations.StationRoutes;
import org.yizhan.protocol.Ulid;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the hub recorded: station events and alerts (operator+), and dead letters, the messages it could not
 * accept (admin). {@code GET /api/v1/events?order=newest&type=access.*,door.*} gives the newest events first
 * (no paging), of any of the types or type prefixes given.
 */
public final class RecordRoutes implements ApiRoutes {

    private static final Pattern EVENT_TYPE = Pattern.compile("[a-z0-9_.-]{1,100}");
    private static final Pattern EVENT_TYPES = Pattern.compile("[a-z0-9_.-]{1,100}\\*?");

    private final EventStore events;
    private final AlertStore alerts;
    private final DeadLetterStore deadLetters;
    private final Authenticator auth;
    private final Replies replies;

    public RecordRoutes(EventStore events, AlertStore alerts, DeadLetterStore deadLetters, Authenticator auth,
                        Replies replies) {
        this.events = events;
        this.alerts = alerts;
        this.deadLetters = deadLetters;
        this.auth = auth;
        this.replies = replies;
    }

    @Override
    public void mount(Router router) {
        router.get("/api/v1/events").handler(auth.require(Role.OPERATOR)).handler(replies.json(this::events));
        router.get("/api/v1/alerts").handler(auth.require(Role.OPERATOR)).handler(replies.json(this::alerts));
        router.get("/api/v1/dead-letters").handler(auth.require(Role.ADMIN)).handler(replies.json(this::deadLetters));
    }

    private Future<Reply> events(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        Optional<String> stationId = stationId(q);
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

    private Future<Reply> alerts(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        Optional<String> stationId = stationId(q);
        boolean open = q.bool("open", false);
        int limit = q.intValue("limit", 1, AlertStore.MAX_LIMIT, 100);
        return alerts.list(stationId, open, limit).map(a -> Reply.ok(new JsonObject().put("alerts", a)));
    }

    private Future<Reply> deadLetters(RoutingContext ctx) {
        int limit = new QueryParams(ctx).intValue("limit", 1, DeadLetterStore.MAX_LIMIT, 100);
        return deadLetters.list(limit).map(a -> Reply.ok(new JsonObject().put("deadLetters", a)));
    }

    private static Optional<String> stationId(QueryParams q) {
        return q.matching("stationId", StationRoutes.STATION_ID, "must be 3 to 40 of a-z, 0-9 and '-'");
    }
}
