package org.yizhan.hub.charging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.ApiRoutes;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.RateLimiter;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.members.Member;
import org.yizhan.hub.members.MemberRoutes;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.stations.StationRoutes;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.Ulid;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * "Charge at port N" for a signed-in member. {@code GET /c/{stationId}/{port}} is the rider's page
 * ({@code webroot/charge.html}, the link printed beside a charger port), which calls:
 * <ul>
 * <li>{@code POST /api/v1/charging/start} {@code {"stationId","port"}} with the member token: the station must
 * be known (404 {@code station-not-found}) and have that port (400 on {@code port}), the member active (403
 * {@code suspended}); a {@code member} in the body other than the caller's own pseudonym is refused (403
 * {@code not-yourself}: a rider starts charging only for themself); the station must be connected (503
 * {@code station-offline}). Then {@code charger.start} with {@code args.port} and {@code args.member} (the
 * pseudonym, never the phone) and a {@value #TTL_SECONDS} s life is stored, created by the pseudonym, and
 * dispatched through the command machinery: 202 {@code {"commandId","status","stationId","port"}}. At most
 * {@code perMinute} well-formed attempts per member (429).</li>
 * <li>{@code GET /api/v1/charging/start/{commandId}} with the member token: {@code {"commandId","status",
 * "stationId","port","error"?,"session"?}} of the member's own request ({@code session}: {@code sessionId},
 * {@code startedAt}, {@code endsBy} once the station started it); anyone else's is 404.</li>
 * </ul>
 * Every refusal is counted in {@code yizhan_rider_charge_rejects{reason}}.
 */
public final class RiderChargingRoutes implements ApiRoutes {

    /** A rider stands at the charger waiting: a start that did not happen within a minute should not happen. */
    public static final int TTL_SECONDS = 60;
    private static final int MAX_PORT = 64;
    private static final Logger LOG = LoggerFactory.getLogger(RiderChargingRoutes.class);

    private final StationStore stations;
    private final CommandStore commands;
    private final ChargingStore charging;
    private final MemberRoutes memberAuth;
    private final Predicate<String> connected;
    private final Replies replies;
    private final HubMetrics metrics;
    private final RateLimiter attempts;

    public RiderChargingRoutes(StationStore stations, CommandStore commands, ChargingStore charging,
                               MemberRoutes memberAuth, Predicate<String> connected, Replies replies, HubMetrics metrics,
                               int perMinute) {
        this.charging = charging;
        this.stations = stations;
        this.commands = commands;
        this.memberAuth = memberAuth;
        this.connected = connected;
        this.replies = replies;
        this.metrics = metrics;
        this.attempts = new RateLimiter(perMinute);
    }

    @Override
    public void mount(Router router) {
        router.get("/c/:stationId/:port").handler(ctx -> ctx.reroute("/charge.html"));
        router.get("/r").handler(ctx -> ctx.reroute("/rider.html"));
        router.post("/api/v1/charging/start").handler(memberAuth.requireMember()).handler(replies.json(this::start));
        router.get("/api/v1/charging/start/:commandId").handler(memberAuth.requireMember())
                .handler(replies.json(this::show));
    }

    public void prune() {
        attempts.prune(System.currentTimeMillis());
    }

    private Future<Reply> start(RoutingContext ctx) {
        Member member = MemberRoutes.member(ctx);
        long now = System.currentTimeMillis();
        OptionalLong wait = attempts.blockedFor(member.pseudonym(), now);
        if (wait.isPresent()) {
            return refuse("rate-limited", ApiException.tooManyRequests(wait.getAsLong()));
        }
        JsonBody body = JsonBody.of(ctx);
        String stationId = body.string("stationId", 3, 40);
        if (!StationRoutes.STATION_ID.matcher(stationId).matches()) {
            return refuse("bad-station", ApiException.badField("stationId", "must be 3 to 40 of a-z, 0-9 and '-'"));
        }
        int port = body.integer("port", 1, MAX_PORT);
        // a request that gets this far costs a lookup and maybe a command: it counts (malformed ones do not)
        attempts.record(member.pseudonym(), now);
        Optional<String> forWhom = body.optionalString("member", 1, 64);
        if (forWhom.isPresent() && !forWhom.get().equals(member.pseudonym())) {
            return refuse("not-yourself", ApiException.of(403, "not-yourself",
                    "You can start charging only for yourself"));
        }
        if (member.suspended()) {
            return refuse("suspended", ApiException.of(403, "suspended",
                    "Your membership is suspended; please ask the staff"));
        }
        return stations.get(stationId).compose(station -> {
            if (station.isEmpty()) {
                return refuse("unknown-station", StationRoutes.noStation());
            }
            int ports = station.get().ports();
            if (port > ports) {
                return refuse("bad-port", ApiException.badField("port", ports == 0
                        ? "this station has no charger ports" : "this station has ports 1 to " + ports));
            }
            if (!connected.test(stationId)) {
                return refuse("station-offline", ApiException.of(503, "station-offline",
                        "The station is offline; choose the port on the station's screen"));
            }
            // from the phone, one session at a time: a member cannot hold free ports across the fleet from afar
            // (a second bike: show the pass at the charger, which needs someone there)
            return charging.chargingUnderWay(member.pseudonym(), now);
        }).compose(underWay -> {
            if (underWay) {
                return refuse("already-charging", ApiException.of(409, "already-charging",
                        "You already have charging under way; start another by showing your pass at the charger"));
            }
            JsonObject args = new JsonObject().put("port", port).put("member", member.pseudonym());
            return commands.send(stationId, Command.CHARGER_START, args, TTL_SECONDS * 1000L, member.pseudonym())
                    .map(created -> {
                        String id = created.getString("id");
                        metrics.counter("yizhan_rider_charge_requests");
                        LOG.info("Member {} asked to charge at station {} port {}: command {}", member.pseudonym(),
                                stationId, port, id);
                        return Reply.accepted(new JsonObject().put("commandId", id)
                                .put("status", created.getString("status")).put("stationId", stationId)
                                .put("port", port));
                    });
        });
    }

    private Future<Reply> show(RoutingContext ctx) {
        Member member = MemberRoutes.member(ctx);
        String id = ctx.pathParam("commandId");
        ApiException none = ApiException.of(404, "charge-not-found", "No such charging request");
        if (id == null || !Ulid.isValid(id)) {
            throw none;
        }
        return commands.getForMember(id, Command.CHARGER_START, member.pseudonym()).map(found -> {
            JsonObject c = found.orElseThrow(() -> none);
            JsonObject out = new JsonObject().put("commandId", id).put("status", c.getString("status"))
                    .put("stationId", c.getString("stationId")).put("port", c.getJsonObject("args").getValue("port"));
            if (c.getValue("result") instanceof JsonObject r) {
                if (r.getJsonObject("error") != null) {
                    out.put("error", r.getJsonObject("error"));
                }
                if (r.getValue("data") instanceof JsonObject d && d.getValue("sessionId") != null) {
                    out.put("session", new JsonObject().put("sessionId", d.getValue("sessionId"))
                            .put("startedAt", d.getValue("startedAt")).put("endsBy", d.getValue("endsBy")));
                }
            }
            return Reply.ok(out);
        });
    }

    private <T> Future<T> refuse(String reason, ApiException e) {
        metrics.counter("yizhan_rider_charge_rejects", "reason", reason);
        return Future.failedFuture(e);
    }
}
