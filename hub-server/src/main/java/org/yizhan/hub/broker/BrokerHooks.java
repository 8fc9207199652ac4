package org.yizhan.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.stations.StationAuth;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Topics;


/**
 * {@code POST /api/v1/broker/authenticate}: the broker asks the hub whether a station may connect, for brokers that
 * authenticate clients through an HTTP service (EMQX 5.8 and later: {@code backend = http} in its
 * {@code authentication} chain, see {@code deploy/compose/emqx}). Mounted only in broker mode with
 * {@code mqtt-broker-hook-token} set; the broker sends that token as {@code Authorization: Bearer}, anyone else gets
 * 401.
 *
 * <p>The body is the broker's rendering of {@code {"clientid": "${clientid}", "username": "${username}",
 * "password": "${password}"}}. The answer is always 200 with EMQX's JSON: {@code "result": "allow"} with the
 * station's access list (publish on its own upward channels, subscribe under its own root, and a closing deny of
 * everything else, so no later authoriser can widen it) when the station's id is both client id and user name and
 * the password matches its secret in the registry; {@code "deny"} otherwise (unknown or retired station, wrong
 * password, a client id that is not the user name). The access list comes with the login, so the broker makes no
 * call per publish. A retired station is refused at its next connect; close its live session through the broker's
 * API ({@code DELETE /api/v5/clients/{id}} on EMQX).
 *
 * <p>The hubs' own broker user is not answered here: the hubs connect to the broker before their HTTP servers
 * start, so that user lives in the broker's built-in database, first in its chain.
 */
public final class BrokerHooks implements HubFeature {

    /** EMQX's field lengths are not bounded; ours are: a station id, and the station secrets we issue. */
    private static final int MAX_FIELD = 256;

    private final StationAuth stations;
    private final String token;
    private final Replies replies;
    private final HubMetrics metrics;

    public BrokerHooks(StationAuth stations, String token, Replies replies, HubMetrics metrics) {
        this.stations = stations;
        this.token = token;
        this.replies = replies;
        this.metrics = metrics;
    }

    @Override
    public void mount(Router router) {
        router.post("/api/v1/broker/authenticate").handler(this::checkToken).handler(replies.json(this::authenticate));
    }

    private void checkToken(RoutingContext ctx) {
        if (!Authenticator.bearerIs(ctx, token)) {
            metrics.counter("yizhan_broker_hook_total", "result", "unauthorized");
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"broker\"");
            replies.error(ctx, ApiException.of(401, "unauthorized",
                    "The broker's hook token (mqtt-broker-hook-token) is missing or wrong"));
            return;
        }
        ctx.next();
    }

    private Future<Reply> authenticate(RoutingContext ctx) {
        JsonObject body = JsonBody.of(ctx).json();
        String clientId = field(body, "clientid");
        String username = field(body, "username");
        String password = field(body, "password");
        return stations.check(clientId, username, password).map(outcome -> {
            metrics.counter("yizhan_broker_hook_total", "result", outcome.accepted() ? "allow" : outcome.reason());
            if (!outcome.accepted()) {
                return Reply.ok(new JsonObject().put("result", "deny"));
            }
            return Reply.ok(new JsonObject().put("result", "allow").put("is_superuser", false)
                    .put("acl", acl(username)));
        });
    }

    /** A string field as the broker renders it: empty when absent (a client without a user name); 400 if not text. */
    private static String field(JsonObject body, String name) {
        Object v = body.getValue(name);
        if (v == null) {
            return "";
        }
        if (!(v instanceof String s)) {
            throw ApiException.badField(name, "must be a string");
        }
        if (s.length() > MAX_FIELD) {
            throw ApiException.badField(name, "is longer than " + MAX_FIELD + " characters");
        }
        return s;
    }

    /**
     * What the station may do, in EMQX's access-list format (checked in order, first match wins): publish on each of
     * its upward channels, subscribe to anything under its own root, and nothing else.
     */
    static JsonArray acl(String stationId) {
        JsonArray acl = new JsonArray();
        for (Channel ch : Channel.values()) {
            if (ch.direction() == Channel.Direction.UP) {
                acl.add(rule("allow", "publish", Topics.of(stationId, ch)));
            }
        }
        acl.add(rule("allow", "subscribe", Topics.root(stationId) + "#"));
        acl.add(rule("deny", "all", "#"));
        return acl;
    }

    private static JsonObject rule(String permission, String action, String topic) {
        return new JsonObject().put("permission", permission).put("action", action).put("topic", topic);
    }
}
