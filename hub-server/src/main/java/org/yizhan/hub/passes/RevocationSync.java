package org.yizhan.hub.passes;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.live.BusListener;
import org.yizhan.hub.members.MemberStore;
import org.yizhan.hub.stations.Station;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.Limits;

import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Keeps stations' revocation lists current with {@code credentials.sync} commands: to a station when it comes
 * online, and to every connected station when a member is suspended or resumed. The hub keeps the version each
 * station reported holding ({@link StationRevocations}) and sends what changed since
 * ({@code {"mode":"delta","from","to","add","remove"}}) when it fits one command; a station that never reported,
 * is older than the kept versions or too far behind gets the whole list in pages
 * ({@code {"mode":"full","version","page","pages","members"}}), each within {@link Limits#COMMAND_ARGS_CHARS}.
 * A station that answers a delta {@code version-gap} (it does not hold the version the hub thought) gets the whole
 * list. Each command lives {@link #TTL_MILLIS}; a station ignores a list older than the one it holds.
 */
public final class RevocationSync implements HubFeature {

    public static final long TTL_MILLIS = 5 * 60_000;
    /** The failure code of a station that does not hold the version a delta starts from. */
    public static final String VERSION_GAP = "version-gap";
    private static final Logger LOG = LoggerFactory.getLogger(RevocationSync.class);
    /** Changed members worth reading for a delta: more could never fit one command. */
    private static final int DELTA_MEMBERS = Limits.COMMAND_ARGS_CHARS / 4;
    private static final long UNKNOWN = -1;

    private final BusListener<String> online;
    private final MemberStore members;
    private final StationStore stations;
    private final CommandStore commands;
    private final StationRevocations held;
    private final Predicate<String> connected;

    public RevocationSync(Vertx vertx, Database db, MemberStore members, StationStore stations, CommandStore commands,
                          Predicate<String> connected) {
        this.online = new BusListener<>(vertx, Bus.STATION_ONLINE, this::send);
        this.members = members;
        this.stations = stations;
        this.commands = commands;
        this.held = new StationRevocations(db);
        this.connected = connected;
    }

    /** Starts sending the list to each station that comes online. */
    @Override
    public Future<Void> start() {
        return online.start();
    }

    @Override
    public Future<Void> stop() {
        return online.stop();
    }

    /** Learns the version a station holds from its {@code credentials.sync} results. */
    @Override
    public EventEffects effects() {
        return new EventEffects() {
            @Override
            public List<JsonObject> onEvents(Connection c, String stationId, List<Event> fresh) {
                return List.of();
            }

            @Override
            public Future<List<JsonObject>> onCommandResult(String stationId, CommandResult result, long at) {
                return resulted(stationId, result, at).map(List.of());
            }
        };
    }

    private Future<Void> resulted(String stationId, CommandResult result, long at) {
        if (result.ok() && !(result.data().getValue("version") instanceof Number)) {
            return Future.succeededFuture();
        }
        if (!result.ok() && !result.error().map(e -> VERSION_GAP.equals(e.code())).orElse(false)) {
            return Future.succeededFuture();
        }
        return commands.get(result.id()).compose(cmd -> {
            if (cmd.isEmpty() || !Command.CREDENTIALS_SYNC.equals(cmd.get().getString("name"))) {
                return Future.succeededFuture();
            }
            if (result.ok()) {
                return held.reported(stationId, result.data().getLong("version"), at);
            }
            LOG.info("Station {} does not hold the revocation list version the hub expected ({}); sending the whole list",
                    stationId, result.error().map(CommandResult.Error::message).orElse(""));
            return held.forget(stationId).compose(v -> send(stationId, UNKNOWN, new HashMap<>()));
        });
    }

    /** Sends every connected station what it lacks. */
    public Future<Void> pushToConnected() {
        return stations.list().compose(list -> held.versions().compose(versions -> {
            Map<Long, Future<List<JsonObject>>> argsByVersion = new HashMap<>();
            Future<Void> all = Future.succeededFuture();
            for (Station s : list) {
                if (connected.test(s.id())) {
                    long version = versions.getOrDefault(s.id(), UNKNOWN);
                    all = all.compose(v -> send(s.id(), version, argsByVersion));
                }
            }
            return all;
        }));
    }

    /** Sends the station what it lacks, judged by the version it last reported. */
    public Future<Void> send(String stationId) {
        return held.version(stationId)
                .compose(v -> send(stationId, v.orElse(UNKNOWN), new HashMap<>()))
                .recover(err -> {
                    LOG.warn("Could not look up the revocation list version of {}: {}", stationId, err.getMessage());
                    return Future.succeededFuture();
                });
    }

    /** Sends what a list of {@code version} lacks; a failure is logged, so one station cannot stop the others. */
    private Future<Void> send(String stationId, long version, Map<Long, Future<List<JsonObject>>> argsByVersion) {
        return argsByVersion.computeIfAbsent(version, this::argsFrom).compose(pages -> {
            Future<Void> sent = Future.succeededFuture();
            for (JsonObject args : pages) {
                sent = sent.compose(v -> commands.send(stationId, Command.CREDENTIALS_SYNC, args, TTL_MILLIS, "hub")
                        .mapEmpty());
            }
            JsonObject first = pages.get(0);
            if (RevocationCommands.DELTA.equals(first.getString(RevocationCommands.MODE))) {
                LOG.info("Revocation list to {}: versions {} to {}, {} added, {} removed", stationId,
                        first.getLong("from"), first.getLong("to"), first.getJsonArray("add").size(),
                        first.getJsonArray("remove").size());
            } else {
                LOG.info("Revocation list to {}: version {} whole, in {} commands", stationId,
                        first.getLong("version"), pages.size());
            }
            return sent;
        }).recover(err -> {
            LOG.warn("Could not send the revocation list to {}: {}", stationId, err.getMessage());
            return Future.succeededFuture();
        });
    }

    /** The commands that bring a list of {@code version} up to date: one delta, or the whole list in pages. */
    private Future<List<JsonObject>> argsFrom(long version) {
        Future<Optional<JsonObject>> delta = version == UNKNOWN ? Future.succeededFuture(Optional.empty())
                : members.revocationsSince(version, DELTA_MEMBERS)
                .map(d -> d.flatMap(x -> RevocationCommands.delta(x, Limits.COMMAND_ARGS_CHARS)));
        return delta.compose(d -> d.isPresent() ? Future.succeededFuture(List.of(d.get()))
                : members.revocations().map(r -> RevocationCommands.full(r, Limits.COMMAND_ARGS_CHARS)));
    }
}
