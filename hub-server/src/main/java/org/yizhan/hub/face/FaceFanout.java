package org.yizhan.hub.face;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.stations.Station;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Command;

import java.util.Optional;

/**
 * Sends a face command to every station of the federation (but the one a template came from): stored first, so
 * a station that is offline gets it when it subscribes again, and delivered at once to those connected. Face
 * commands live {@link #TTL_MILLIS} (a year): a withdrawal must reach a station that was off for months.
 */
public final class FaceFanout {

    public static final long TTL_MILLIS = 365L * 24 * 3600 * 1000;
    private static final Logger LOG = LoggerFactory.getLogger(FaceFanout.class);

    private final StationStore stations;
    private final CommandStore commands;

    public FaceFanout(StationStore stations, CommandStore commands) {
        this.stations = stations;
        this.commands = commands;
    }

    /** Completes with the number of stations the command was stored for. */
    public Future<Integer> toAll(String name, JsonObject args, Optional<String> except) {
        return stations.list().compose(list -> {
            Future<Integer> chain = Future.succeededFuture(0);
            for (Station s : list) {
                if (except.isPresent() && except.get().equals(s.id())) {
                    continue;
                }
                chain = chain.compose(n -> commands.send(s.id(), name, args, TTL_MILLIS, "hub").map(c -> n + 1));
            }
            return chain;
        }).onFailure(err -> LOG.error("Sending {} to the stations failed: {}", name, err.getMessage()));
    }
}
