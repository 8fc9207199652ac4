package org.yizhan.hub.commands;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.RateLimiter;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.members.Member;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.stations.Station;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Ulid;

import java.util.function.Predicate;

/**
 * A member asks a station for one command from their phone (scan-to-enter's {@code door.unlock}, charging's
 * {@code charger.start}): at most {@code perMinute} attempts per member (429), the member active (403
 * {@code suspended}), the station known (404) and connected (503 {@code station-offline}); then the command is
 * stored with its life, created by the member's pseudonym, and dispatched. The member may look only at their own
 * such commands. Each refusal is counted in {@code <metric>_rejects{reason}}, each command sent in
 * {@code <metric>_requests}.
 */
public final class MemberCommands {

    private final String command;
    private final int ttlSeconds;
    private final String metric;
    private final StationStore stations;
    private final CommandStore commands;
    private final Predicate<String> connected;
    private final HubMetrics metrics;
    private final RateLimiter attempts;

    public MemberCommands(String command, int ttlSeconds, String metric, int perMinute, StationStore stations,
                          CommandStore commands, Predicate<String> connected, HubMetrics metrics) {
        this.command = command;
        this.ttlSeconds = ttlSeconds;
        this.metric = metric;
        this.stations = stations;
        this.commands = commands;
        this.connected = connected;
        this.metrics = metrics;
        this.attempts = new RateLimiter(perMinute);
    }

    /** Throws the 429 (counted) when the member has used up the attempts of the last minute. */
    public void checkRate(Member member, long now) {
        attempts.refusal(now, member.pseudonym()).ifPresent(e -> {
            throw counted("rate-limited", e);
        });
    }

    /** Counts one attempt of the member. */
    public void countAttempt(Member member, long now) {
        attempts.record(member.pseudonym(), now);
    }

    /** A failed future with the refusal, counted under its reason. */
    public <T> Future<T> refuse(String reason, ApiException e) {
        return Future.failedFuture(counted(reason, e));
    }

    /** The station the member asks, once the member is known to be active and the station to exist. */
    public Future<Station> station(Member member, String stationId) {
        if (member.suspended()) {
            return refuse("suspended", ApiException.of(403, "suspended",
                    "Your membership is suspended; please ask the staff"));
        }
        return stations.get(stationId).compose(station -> station.isPresent() ? Future.succeededFuture(station.get())
                : refuse("unknown-station", StationIds.notFound()));
    }

    /** Refuses (503, counted) when the station is not connected; {@code hint} tells the rider what to do instead. */
    public void requireConnected(String stationId, String hint) {
        if (!connected.test(stationId)) {
            throw counted("station-offline", ApiException.of(503, "station-offline", "The station is offline; " + hint));
        }
    }

    /** Stores and dispatches the command; completes with it as stored ({@code id}, {@code status}, ...). */
    public Future<JsonObject> send(Member member, String stationId, JsonObject args) {
        return commands.send(stationId, command, args, ttlSeconds * 1000L, member.pseudonym()).map(created -> {
            metrics.counter(metric + "_requests");
            return created;
        });
    }

    /**
     * The member's own command with this id, or {@code none} (404) for a malformed id, an unknown one or anyone
     * else's.
     */
    public Future<JsonObject> find(Member member, String id, ApiException none) {
        if (id == null || !Ulid.isValid(id)) {
            return Future.failedFuture(none);
        }
        return commands.getForMember(id, command, member.pseudonym()).map(found -> found.orElseThrow(() -> none));
    }

    /** What the member sees of such a command: {@code commandId}, {@code status}, {@code stationId}, {@code error}?. */
    public static JsonObject view(JsonObject command) {
        JsonObject out = new JsonObject().put("commandId", command.getString("id"))
                .put("status", command.getString("status")).put("stationId", command.getString("stationId"));
        if (command.getValue("result") instanceof JsonObject r && r.getJsonObject("error") != null) {
            out.put("error", r.getJsonObject("error"));
        }
        return out;
    }

    private ApiException counted(String reason, ApiException e) {
        metrics.counter(metric + "_rejects", "reason", reason);
        return e;
    }
}
