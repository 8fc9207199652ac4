package org.yizhan.hub.entry;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.EntryNonce;
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
 * Scan-to-enter. The kiosk shows {@code {hubUrl}/e/{stationId}/{nonce}}; {@code GET /e/{stationId}/{nonce}} is
 * the rider's page ({@code webroot/entry.html}), which calls:
 * <ul>
 * <li>{@code POST /api/v1/entry} {@code {"stationId","nonce"}} with the member token: the nonce must be the
 * station's for the current or previous 30 s slot (400 {@code bad-nonce}; one of the last ten minutes: 410
 * {@code expired-nonce}), the member active (403 {@code suspended}), the station known (404) and connected (503
 * {@code station-offline}); then a {@code door.unlock} command with {@code args.member} (the pseudonym) and a
 * 30 s life is stored, created by the pseudonym, and dispatched: 202 {@code {"commandId","status"}}. At most
 * {@code perMinute} attempts per member (429).</li>
 * <li>{@code GET /api/v1/entry/{commandId}} with the member token: {@code {"commandId","status","error"?}} of
 * the member's own entry; anyone else's is 404.</li>
 * </ul>
 * Every refusal is counted in {@code yizhan_entry_rejects{reason}}.
 */
public final class EntryRoutes implements ApiRoutes {

    public static final int TTL_SECONDS = 30;
    /** A nonce this many slots old is "expired" rather than "bad" (ten minutes). */
    static final int EXPIRED_SLOTS = 20;
    /** The next slot is accepted this long before it starts (the station's clock may run ahead). */
    static final long AHEAD_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(EntryRoutes.class);

    private final EntryKeys keys;
    private final StationStore stations;
    private final CommandStore commands;
    private final MemberRoutes memberAuth;
    private final Predicate<String> connected;
    private final Replies replies;
    private final HubMetrics metrics;
    private final RateLimiter attempts;

    public EntryRoutes(EntryKeys keys, StationStore stations, CommandStore commands,
                       MemberRoutes memberAuth, Predicate<String> connected, Replies replies, HubMetrics metrics,
                       int perMinute) {
        this.keys = keys;
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
        router.get("/e/:stationId/:nonce").handler(ctx -> ctx.reroute("/entry.html"));
        router.post("/api/v1/entry").handler(memberAuth.requireMember()).handler(replies.json(this::enter));
        router.get("/api/v1/entry/:commandId").handler(memberAuth.requireMember()).handler(replies.json(this::show));
    }

    public void prune() {
        attempts.prune(System.currentTimeMillis());
    }

    private Future<Reply> enter(RoutingContext ctx) {
        Member member = MemberRoutes.member(ctx);
        long now = System.currentTimeMillis();
        OptionalLong wait = attempts.blockedFor(member.pseudonym(), now);
        if (wait.isPresent()) {
            return refuse("rate-limited", ApiException.tooManyRequests(wait.getAsLong()));
        }
        attempts.record(member.pseudonym(), now);
        JsonBody body = JsonBody.of(ctx);
        String stationId = body.string("stationId", 3, 40);
        if (!StationRoutes.STATION_ID.matcher(stationId).matches()) {
            return refuse("bad-station", ApiException.badField("stationId", "must be 3 to 40 of a-z, 0-9 and '-'"));
        }
        String nonce = body.string("nonce", 1, 64);
        if (!EntryNonce.FORM.matcher(nonce).matches()) {
            return refuse("bad-nonce", ApiException.of(400, "bad-nonce", "This is not a station's entry code"));
        }
        EntryNonce nonces = keys.noncesOf(stationId);
        long slot = EntryNonce.slotOf(now);
        long newest = EntryNonce.slotOf(now + AHEAD_MILLIS);
        Optional<Long> madeFor = nonces.slotOfNonce(nonce, newest, (int) (newest - slot) + EXPIRED_SLOTS);
        if (madeFor.isEmpty()) {
            return refuse("bad-nonce", ApiException.of(400, "bad-nonce", "This is not this station's entry code"));
        }
        if (madeFor.get() < slot - 1) {
            return refuse("expired-nonce", ApiException.of(410, "expired-nonce",
                    "The entry code has changed; scan the code on the station's screen again"));
        }
        if (member.suspended()) {
            return refuse("suspended", ApiException.of(403, "suspended",
                    "Your membership is suspended; please ask the staff"));
        }
        return stations.get(stationId).compose(station -> {
            if (station.isEmpty()) {
                return refuse("unknown-station", ApiException.of(404, "station-not-found", "No such station"));
            }
            if (!connected.test(stationId)) {
                return refuse("station-offline", ApiException.of(503, "station-offline",
                        "The station is offline; show your rider pass to its camera"));
            }
            JsonObject args = new JsonObject().put("member", member.pseudonym()).put("method", "remote");
            return commands.send(stationId, Command.DOOR_UNLOCK, args, TTL_SECONDS * 1000L, member.pseudonym())
                    .map(created -> {
                        String id = created.getString("id");
                        metrics.counter("yizhan_entry_requests");
                        LOG.info("Member {} asked to enter station {}: command {}", member.pseudonym(), stationId, id);
                        return Reply.accepted(new JsonObject().put("commandId", id)
                                .put("status", created.getString("status")).put("stationId", stationId));
                    });
        });
    }

    private Future<Reply> show(RoutingContext ctx) {
        Member member = MemberRoutes.member(ctx);
        String id = ctx.pathParam("commandId");
        ApiException none = ApiException.of(404, "entry-not-found", "No such entry");
        if (id == null || !Ulid.isValid(id)) {
            throw none;
        }
        return commands.getForMember(id, Command.DOOR_UNLOCK, member.pseudonym()).map(found -> {
            JsonObject c = found.orElseThrow(() -> none);
            JsonObject out = new JsonObject().put("commandId", id).put("status", c.getString("status"))
                    .put("stationId", c.getString("stationId"));
            Object result = c.getValue("result");
            if (result instanceof JsonObject r && r.getJsonObject("error") != null) {
                out.put("error", r.getJsonObject("error"));
            }
            return Reply.ok(out);
        });
    }

    private <T> Future<T> refuse(String reason, ApiException e) {
        metrics.counter("yizhan_entry_rejects", "reason", reason);
        return Future.failedFuture(e);
    }
}
