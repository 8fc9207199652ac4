package org.yizhan.hub.passes;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.live.BusListener;
import org.yizhan.hub.members.MemberStore;
import org.yizhan.hub.stations.Station;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Command;

import java.util.function.Predicate;

/**
 * Keeps stations' revocation lists current with {@code credentials.sync} commands
 * ({@code args {"revoked":[pseudonyms],"version":N}}): to a station when it comes online, and to every
 * connected station when a member is suspended or resumed. Stations that are offline then get it when they are
 * back. Each command lives {@link #TTL_MILLIS}; a station ignores a list older than the one it holds.
 */
public final class RevocationSync implements HubFeature {

    public static final long TTL_MILLIS = 5 * 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(RevocationSync.class);

    private final BusListener<String> online;
    private final MemberStore members;
    private final StationStore stations;
    private final CommandStore commands;
    private final Predicate<String> connected;

    public RevocationSync(Vertx vertx, MemberStore members, StationStore stations, CommandStore commands,
                          Predicate<String> connected) {
        this.online = new BusListener<>(vertx, Bus.STATION_ONLINE, this::send);
        this.members = members;
        this.stations = stations;
        this.commands = commands;
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

    /** Sends the current list to every connected station. */
    public Future<Void> pushToConnected() {
        return stations.list().compose(list -> {
            Future<Void> all = Future.succeededFuture();
            for (Station s : list) {
                if (connected.test(s.id())) {
                    all = all.compose(v -> send(s.id()));
                }
            }
            return all;
        });
    }

    /** Stores a credentials.sync command for the station and has it delivered. */
    public Future<Void> send(String stationId) {
        return members.revocations().compose(r -> commands.send(stationId, Command.CREDENTIALS_SYNC,
                        new JsonObject().put("revoked", new JsonArray(r.pseudonyms())).put("version", r.version()),
                        TTL_MILLIS, "hub"))
                .onFailure(err -> LOG.warn("Could not send the revocation list to {}: {}", stationId, err.getMessage()))
                .mapEmpty();
    }
}
