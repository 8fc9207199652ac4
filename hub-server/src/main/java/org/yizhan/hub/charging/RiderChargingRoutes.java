package org.yizhan.hub.charging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.auth.MemberLogin;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.commands.MemberCommands;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.members.Member;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Command;

import java.util.Optional;
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
public final class RiderChargingRoutes implements HubFeature {

    /** A rider stands at the charger waiting: a start that did not happen within a minute should not happen. */
    public static final int TTL_SECONDS = 60;
    private static final int MAX_PORT = 64;
    private static final Logger LOG = LoggerFactory.getLogger(RiderChargingRoutes.class);

    private final MemberCommands starts;
    private final ChargingStore charging;
    private final MemberLogin memberLogin;
    private final Replies replies;

    public RiderChargingRoutes(MemberCommands starts, ChargingStore charging, MemberLogin memberLogin,
                               Replies replies) {
        this.starts = starts;
        this.charging = charging;
        this.memberLogin = memberLogin;
        this.replies = replies;
    }

    /** How riders ask stations to charge: {@code charger.start} for {@value #TTL_SECONDS} s. */
    public static MemberCommands starts(StationStore stations, CommandStore commands, Predicate<String> connected,
                                        HubMetrics metrics, int perMinute) {
        return new MemberCommands(Command.CHARGER_START, TTL_SECONDS, "yizhan_rider_charge", perMinute, stations,
                commands, connected, metrics);
    }

    @Override
    public void mount(Router router) {
        router.get("/c/:stationId/:port").handler(ctx -> ctx.reroute("/charge.html"));
        router.get("/r").handler(ctx -> ctx.reroute("/rider.html"));
        router.post("/api/v1/charging/start").handler(memberLogin.require()).handler(replies.json(this::start));
        router.get("/api/v1/charging/start/:commandId").handler(memberLogin.require())
                .handler(replies.json(this::show));
    }

    private Future<Reply> start(RoutingContext ctx) {
        Member member = MemberLogin.member(ctx);
        long now = System.currentTimeMillis();
        starts.checkRate(member, now);
        JsonBody body = JsonBody.of(ctx);
        String stationId = body.string("stationId", 3, 40);
        if (!StationIds.PATTERN.matcher(stationId).matches()) {
            return starts.refuse("bad-station", ApiException.badField("stationId", StationIds.RULE));
        }
        int port = body.integer("port", 1, MAX_PORT);
        // a request that gets this far costs a lookup and maybe a command: it counts (malformed ones do not)
        starts.countAttempt(member, now);
        Optional<String> forWhom = body.optionalString("member", 1, 64);
        if (forWhom.isPresent() && !forWhom.get().equals(member.pseudonym())) {
            return starts.refuse("not-yourself", ApiException.of(403, "not-yourself",
                    "You can start charging only for yourself"));
        }
        return starts.station(member, stationId).compose(station -> {
            int ports = station.ports();
            if (port > ports) {
                return starts.refuse("bad-port", ApiException.badField("port", ports == 0
                        ? "this station has no charger ports" : "this station has ports 1 to " + ports));
            }
            starts.requireConnected(stationId, "choose the port on the station's screen");
            // from the phone, one session at a time: a member cannot hold free ports across the fleet from afar
            // (a second bike: show the pass at the charger, which needs someone there)
            return charging.chargingUnderWay(member.pseudonym(), now);
        }).compose(underWay -> {
            if (underWay) {
                return starts.refuse("already-charging", ApiException.of(409, "already-charging",
                        "You already have charging under way; start another by showing your pass at the charger"));
            }
            JsonObject args = new JsonObject().put("port", port).put("member", member.pseudonym());
            return starts.send(member, stationId, args);
        }).map(created -> {
            String id = created.getString("id");
            LOG.info("Member {} asked to charge at station {} port {}: command {}", member.pseudonym(),
                    stationId, port, id);
            return Reply.accepted(new JsonObject().put("commandId", id)
                    .put("status", created.getString("status")).put("stationId", stationId).put("port", port));
        });
    }

    private Future<Reply> show(RoutingContext ctx) {
        return starts.find(MemberLogin.member(ctx), ctx.pathParam("commandId"),
                ApiException.of(404, "charge-not-found", "No such charging request")).map(c -> {
            JsonObject out = MemberCommands.view(c).put("port", c.getJsonObject("args").getValue("port"));
            if (c.getValue("result") instanceof JsonObject r && r.getValue("data") instanceof JsonObject d
                    && d.getValue("sessionId") != null) {
                out.put("session", new JsonObject().put("sessionId", d.getValue("sessionId"))
                        .put("startedAt", d.getValue("startedAt")).put("endsBy", d.getValue("endsBy")));
            }
            return Reply.ok(out);
        });
    }
}
