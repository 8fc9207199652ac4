package org.yizhan.hub.entry;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.EntryNonce;
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
public final class EntryRoutes implements HubFeature {

    public static final int TTL_SECONDS = 30;
    /** A nonce this many slots old is "expired" rather than "bad" (ten minutes). */
    static final int EXPIRED_SLOTS = 20;
    /** The next slot is accepted this long before it starts (the station's clock may run ahead). */
    static final long AHEAD_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(EntryRoutes.class);

    private final EntryKeys keys;
    private final MemberCommands unlocks;
    private final MemberLogin memberLogin;
    private final Replies replies;

    public EntryRoutes(EntryKeys keys, MemberCommands unlocks, MemberLogin memberLogin, Replies replies) {
        this.keys = keys;
        this.unlocks = unlocks;
        this.memberLogin = memberLogin;
        this.replies = replies;
    }

    /** How scan-to-enter asks stations to open: {@code door.unlock} for {@value #TTL_SECONDS} s. */
    public static MemberCommands unlocks(StationStore stations, CommandStore commands, Predicate<String> connected,
                                         HubMetrics metrics, int perMinute) {
        return new MemberCommands(Command.DOOR_UNLOCK, TTL_SECONDS, "yizhan_entry", perMinute, stations, commands,
                connected, metrics);
    }

    @Override
    public void mount(Router router) {
        router.get("/e/:stationId/:nonce").handler(ctx -> ctx.reroute("/entry.html"));
        router.post("/api/v1/entry").handler(memberLogin.require()).handler(replies.json(this::enter));
        router.get("/api/v1/entry/:commandId").handler(memberLogin.require()).handler(replies.json(this::show));
    }

    private Future<Reply> enter(RoutingContext ctx) {
        Member member = MemberLogin.member(ctx);
        long now = System.currentTimeMillis();
        unlocks.checkRate(member, now);
        unlocks.countAttempt(member, now);
        JsonBody body = JsonBody.of(ctx);
        String stationId = body.string("stationId", 3, 40);
        if (!StationIds.PATTERN.matcher(stationId).matches()) {
            return unlocks.refuse("bad-station", ApiException.badField("stationId", StationIds.RULE));
        }
        String nonce = body.string("nonce", 1, 64);
        if (!EntryNonce.FORM.matcher(nonce).matches()) {
            return unlocks.refuse("bad-nonce", ApiException.of(400, "bad-nonce", "This is not a station's entry code"));
        }
        EntryNonce nonces = keys.noncesOf(stationId);
        long slot = EntryNonce.slotOf(now);
        long newest = EntryNonce.slotOf(now + AHEAD_MILLIS);
        Optional<Long> madeFor = nonces.slotOfNonce(nonce, newest, (int) (newest - slot) + EXPIRED_SLOTS);
        if (madeFor.isEmpty()) {
            return unlocks.refuse("bad-nonce", ApiException.of(400, "bad-nonce", "This is not this station's entry code"));
        }
        if (madeFor.get() < slot - 1) {
            return unlocks.refuse("expired-nonce", ApiException.of(410, "expired-nonce",
                    "The entry code has changed; scan the code on the station's screen again"));
        }
        return unlocks.station(member, stationId).compose(station -> {
            unlocks.requireConnected(stationId, "show your rider pass to its camera");
            JsonObject args = new JsonObject().put("member", member.pseudonym()).put("method", "remote");
            return unlocks.send(member, stationId, args);
        }).map(created -> {
            String id = created.getString("id");
            LOG.info("Member {} asked to enter station {}: command {}", member.pseudonym(), stationId, id);
            return Reply.accepted(new JsonObject().put("commandId", id)
                    .put("status", created.getString("status")).put("stationId", stationId));
        });
    }

    private Future<Reply> show(RoutingContext ctx) {
        return unlocks.find(MemberLogin.member(ctx), ctx.pathParam("commandId"),
                        ApiException.of(404, "entry-not-found", "No such entry"))
                .map(c -> Reply.ok(MemberCommands.view(c)));
    }
}
