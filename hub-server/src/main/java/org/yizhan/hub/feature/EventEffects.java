package org.yizhan.hub.feature;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Event;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the hub derives from what stations report (charging sessions, alerts). {@link #onEvents} runs in the
 * transaction that stores the events, so the derived rows are committed with the events, before the PUBACK,
 * and a duplicate event (not fresh) derives nothing twice. Both methods return live messages
 * ({@code {"kind","stationId","data"}}) that ingestion publishes on {@code Bus.LIVE} after the commit.
 */
public interface EventEffects {

    /** Derives records from the newly stored events, inside their transaction. Throwing rolls the events back. */
    List<JsonObject> onEvents(Connection c, String stationId, List<Event> fresh) throws SQLException;

    /** Reacts to a command result the hub has just recorded (the first result for that command). */
    default Future<List<JsonObject>> onCommandResult(String stationId, CommandResult result, long at) {
        return Future.succeededFuture(List.of());
    }

    /** A live message for {@code Bus.LIVE}. */
    static JsonObject live(String kind, String stationId, JsonObject data) {
        return new JsonObject().put("kind", kind).put("stationId", stationId).put("data", data);
    }

    /** Runs each effect in order; their live messages are joined. */
    static EventEffects all(List<EventEffects> effects) {
        List<EventEffects> list = List.copyOf(effects);
        return new EventEffects() {
            @Override
            public List<JsonObject> onEvents(Connection c, String stationId, List<Event> fresh) throws SQLException {
                List<JsonObject> out = new ArrayList<>();
                for (EventEffects e : list) {
                    out.addAll(e.onEvents(c, stationId, fresh));
                }
                return out;
            }

            @Override
            public Future<List<JsonObject>> onCommandResult(String stationId, CommandResult result, long at) {
                Future<List<JsonObject>> chain = Future.succeededFuture(List.of());
                for (EventEffects e : list) {
                    chain = chain.compose(sofar -> e.onCommandResult(stationId, result, at).map(more -> {
                        List<JsonObject> joined = new ArrayList<>(sofar);
                        joined.addAll(more);
                        return joined;
                    }));
                }
                return chain;
            }
        };
    }

    /** Derives nothing. */
    EventEffects NONE = (c, stationId, fresh) -> List.of();
}
