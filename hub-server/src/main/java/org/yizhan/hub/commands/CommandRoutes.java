package org.yizhan.hub.commands;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.Ulid;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Commands for stations (operator+): {@code POST /api/v1/stations/{id}/commands} stores a pending command and
 * hands its id to the MQTT side on {@code Bus.COMMAND_DISPATCH} ({@link CommandStore#send}); {@code GET /api/v1/commands/{id}} shows its
 * status. {@code door.unlock} lives 30 s unless told otherwise, other commands 300 s. Charger commands
 * ({@code charger.start}, {@code charger.stop}, {@code charger.enable}, {@code charger.disable}) have their
 * arguments checked against the station's ports. Only {@link #SENT_BY_PEOPLE} can be sent here: the hub alone
 * sends {@code credentials.sync}, {@code config.apply} and the {@code face.*} commands, whose contents come from
 * members' consent and the registry, so a forged one could let someone in. Each command sent, and each refused or
 * failed attempt, is audited as {@code command.<name>} on the station, in the transaction that stores the command.
 */
public final class CommandRoutes implements HubFeature {

    public static final int DOOR_UNLOCK_TTL_SECONDS = 30;
    public static final int DEFAULT_TTL_SECONDS = 300;
    /** Commands for one charger port, whose arguments are checked here. */
    public static final Set<String> CHARGER_COMMANDS = Set.of(Command.CHARGER_START, Command.CHARGER_STOP,
            Command.CHARGER_ENABLE, Command.CHARGER_DISABLE);
    /** What operators may send through {@code POST /api/v1/stations/{id}/commands}. */
    public static final Set<String> SENT_BY_PEOPLE = Set.of(Command.DOOR_UNLOCK, Command.CHARGER_START,
            Command.CHARGER_STOP, Command.CHARGER_ENABLE, Command.CHARGER_DISABLE, Command.SELFTEST_RUN,
            Command.AGENT_RESTART);
    private static final int MAX_PORT = 64;
    /** The forced end of a session (12 h): no session limit may be longer. */
    private static final int MAX_SESSION_MINUTES = 720;
    private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Logger LOG = LoggerFactory.getLogger(CommandRoutes.class);

    private final StationStore stations;
    private final CommandStore commands;
    private final Authenticator auth;
    private final AuditLog audit;

    public CommandRoutes(StationStore stations, CommandStore commands, Authenticator auth, AuditLog audit) {
        this.audit = audit;
        this.stations = stations;
        this.commands = commands;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.post("/api/v1/stations/:id/commands"), Role.OPERATOR,
                audit.refusals("command", "station"), this::create);
        auth.json(router.get("/api/v1/commands/:id"), Role.OPERATOR, this::show);
    }

    private Future<Reply> create(RoutingContext ctx) {
        String sentName = AuditEntry.bodyText(ctx, "name");
        String action = Command.NAMES.contains(sentName) ? "command." + sentName : "command";
        AuditEntry entry = AuditEntry.by(ctx, action, "station", ctx.pathParam("id"));
        return audit.failures(entry, () -> create(ctx, entry));
    }

    private Future<Reply> create(RoutingContext ctx, AuditEntry entry) {
        String stationId = StationIds.fromPath(ctx);
        JsonBody body = JsonBody.of(ctx);
        String name = body.string("name", 1, 64);
        if (!Command.NAMES.contains(name)) {
            throw ApiException.badField("name", "unknown command '" + name + "'; one of " + new TreeSet<>(SENT_BY_PEOPLE));
        }
        if (!SENT_BY_PEOPLE.contains(name)) {
            throw ApiException.of(403, "forbidden", "only the hub sends " + name + "; people may send one of "
                    + new TreeSet<>(SENT_BY_PEOPLE));
        }
        JsonObject args = body.object("args").orElseGet(JsonObject::new);
        if (args.encode().length() > 8192) {
            throw ApiException.badField("args", "at most 8192 characters of JSON");
        }
        int ttl = body.integer("ttlSeconds", 1, 86_400,
                Command.DOOR_UNLOCK.equals(name) ? DOOR_UNLOCK_TTL_SECONDS : DEFAULT_TTL_SECONDS);
        String by = Authenticator.principal(ctx).username();
        if (CHARGER_COMMANDS.contains(name)) {
            checkChargerArgs(name, args, Integer.MAX_VALUE);
        }
        return stations.get(stationId).compose(station -> {
            if (station.isEmpty()) {
                return Future.failedFuture(StationIds.notFound());
            }
            if (CHARGER_COMMANDS.contains(name)) {
                checkChargerArgs(name, args, station.get().ports());
            }
            return commands.send(stationId, name, args, ttl * 1000L, by, audit.step(created -> entry
                    .with("commandId", created.getString("id")).with("ttlSeconds", ttl)
                    .with("args", args.encode().length() <= 512 ? args : null)));
        }).map(created -> {
            String id = created.getString("id");
            LOG.info("User '{}' sent {} to station {} as command {}", by, name, stationId, id);
            return Reply.accepted(created.put("stationId", stationId).put("name", name));
        });
    }

    /**
     * Charger commands take {@code port} (1 to the station's ports); {@code charger.start} also {@code member}
     * (the member's pseudonym) and optionally {@code minutes} (the session limit, 1 to 720); {@code charger.stop}
     * optionally {@code by} ({@code operator}, the default, or {@code rider}, for the session's end reason).
     * Any other argument is refused, naming it, so a typo never reaches a relay.
     */
    private static void checkChargerArgs(String name, JsonObject args, int ports) {
        boolean start = Command.CHARGER_START.equals(name);
        boolean stop = Command.CHARGER_STOP.equals(name);
        Set<String> allowed = start ? Set.of("port", "member", "minutes") : stop ? Set.of("port", "by") : Set.of("port");
        for (String key : args.fieldNames()) {
            if (!allowed.contains(key)) {
                throw ApiException.badField("args." + key, "unknown argument of " + name + "; it takes "
                        + new TreeSet<>(allowed));
            }
        }
        Object port = args.getValue("port");
        if (port == null) {
            throw ApiException.badField("args.port", "is required for " + name);
        }
        if (!wholeIn(port, 1, Math.min(ports, MAX_PORT))) {
            throw ApiException.badField("args.port", ports == 0 ? "this station has no charger ports"
                    : "must be a whole number from 1 to " + Math.min(ports, MAX_PORT));
        }
        if (start) {
            Object member = args.getValue("member");
            if (member == null) {
                throw ApiException.badField("args.member", "is required for " + name);
            }
            if (!(member instanceof String m) || !MEMBER.matcher(m).matches()) {
                throw ApiException.badField("args.member", "must be a member pseudonym: 1 to 64 of A-Z, a-z, 0-9, '.', '_', ':' and '-'");
            }
            if (args.getValue("minutes") != null && !wholeIn(args.getValue("minutes"), 1, MAX_SESSION_MINUTES)) {
                throw ApiException.badField("args.minutes", "must be a whole number from 1 to " + MAX_SESSION_MINUTES);
            }
        }
        if (stop && args.getValue("by") != null && !"operator".equals(args.getValue("by"))
                && !"rider".equals(args.getValue("by"))) {
            throw ApiException.badField("args.by", "must be \"operator\" or \"rider\"");
        }
    }

    private static boolean wholeIn(Object v, int min, int max) {
        return v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() >= min
                && n.doubleValue() <= max;
    }

    private Future<Reply> show(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (id == null || !Ulid.isValid(id)) {
            throw ApiException.of(404, "command-not-found", "No such command");
        }
        return commands.get(id).map(c -> Reply.ok(withheld(c.orElseThrow(() ->
                ApiException.of(404, "command-not-found", "No such command")))));
    }

    /** A face template is a member's biometric data: people see that one was sent, never its values. */
    static JsonObject withheld(JsonObject command) {
        JsonObject args = command.getJsonObject("args");
        if (Command.FACE_SYNC.equals(command.getString("name")) && args != null && args.containsKey("template")) {
            command.put("args", args.copy().put("template", "(withheld)"));
        }
        return command;
    }
}
