package org.yizhan.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.auth.Authenticator;
import org.yizhan.hub.auth.Role;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.stations.StationRoutes;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.Ulid;

import java.util.TreeSet;

/**
 * Commands for stations (operator+): {@code POST /api/v1/stations/{id}/commands} stores a pending command and
 * hands its id to the MQTT side on {@link Bus#COMMAND_DISPATCH}; {@code GET /api/v1/commands/{id}} shows its
 * status. {@code door.unlock} lives 30 s unless told otherwise, other commands 300 s.
 */
public final class CommandRoutes implements ApiRoutes {

    public static final int DOOR_UNLOCK_TTL_SECONDS = 30;
    public static final int DEFAULT_TTL_SECONDS = 300;
    private static final Logger LOG = LoggerFactory.getLogger(CommandRoutes.class);

    private final Vertx vertx;
    private final StationStore stations;
    private final CommandStore commands;
    private final Authenticator auth;
    private final Replies replies;

    public CommandRoutes(Vertx vertx, StationStore stations, CommandStore commands, Authenticator auth, Replies replies) {
        this.vertx = vertx;
        this.stations = stations;
        this.commands = commands;
        this.auth = auth;
        this.replies = replies;
    }

    @Override
    public void mount(Router router) {
        router.post("/api/v1/stations/:id/commands").handler(auth.require(Role.OPERATOR)).handler(replies.json(this::create));
        router.get("/api/v1/commands/:id").handler(auth.require(Role.OPERATOR)).handler(replies.json(this::show));
    }

    private Future<Reply> create(RoutingContext ctx) {
        String stationId = StationRoutes.stationId(ctx);
        JsonBody body = JsonBody.of(ctx);
        String name = body.string("name", 1, 64);
        if (!Command.NAMES.contains(name)) {
            throw ApiException.badField("name", "unknown command '" + name + "'; one of " + new TreeSet<>(Command.NAMES));
        }
        JsonObject args = body.object("args").orElseGet(JsonObject::new);
        if (args.encode().length() > 8192) {
            throw ApiException.badField("args", "at most 8192 characters of JSON");
        }
        int ttl = body.integer("ttlSeconds", 1, 86_400,
                Command.DOOR_UNLOCK.equals(name) ? DOOR_UNLOCK_TTL_SECONDS : DEFAULT_TTL_SECONDS);
        String by = Authenticator.principal(ctx).username();
        return stations.exists(stationId).compose(exists -> {
            if (!exists) {
                return Future.failedFuture(StationRoutes.noStation());
            }
            return commands.create(stationId, name, args, ttl * 1000L, by);
        }).map(created -> {
            String id = created.getString("id");
            vertx.eventBus().send(Bus.COMMAND_DISPATCH, id);
            LOG.info("User '{}' sent {} to station {} as command {}", by, name, stationId, id);
            return Reply.accepted(created.put("stationId", stationId).put("name", name));
        });
    }

    private Future<Reply> show(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (id == null || !Ulid.isValid(id)) {
            throw ApiException.of(404, "command-not-found", "No such command");
        }
        return commands.get(id).map(c -> Reply.ok(c.orElseThrow(() ->
                ApiException.of(404, "command-not-found", "No such command"))));
    }
}
