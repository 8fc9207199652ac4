package org.yizhan.hub.stations;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.config.ConfigException;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.events.EventStore;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.http.StationIds;
import org.yizhan.hub.live.StationLive;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A station's configuration versions (technician+): {@code GET /api/v1/stations/{id}/config} gives the current
 * version with its settings, the version the station reports running (from its last {@code config.applied} or
 * birth message) and any refusal, and the history; {@code POST} the same path with
 * {@code {"baseVersion":n,"settings":{"door.unlockSeconds":8,..}}} checks the result with firmware-config's parser
 * (400 with every problem), stores it as version n+1 (409 when n is not current) and retains it on the
 * station's {@code .../config}. A push is audited as {@code config.push} in the transaction that stores the
 * version; refused and failed pushes too.
 */
public final class ConfigRoutes implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigRoutes.class);
    private static final int HISTORY = 50;

    private final StationStore stations;
    private final ConfigVersions versions;
    private final EventStore events;
    private final StationLive live;
    private final Function<String, Future<Optional<JsonObject>>> desired;
    private final BiFunction<String, JsonObject, Future<Boolean>> publish;
    private final Authenticator auth;
    private final AuditLog audit;

    /**
     * @param desired the station's full desired configuration as the hub retains it (from the registry)
     * @param publish retains a configuration on the station's {@code .../config}; true when the station got it now
     */
    public ConfigRoutes(StationStore stations, ConfigVersions versions, EventStore events, StationLive live,
                        Function<String, Future<Optional<JsonObject>>> desired,
                        BiFunction<String, JsonObject, Future<Boolean>> publish, Authenticator auth, AuditLog audit) {
        this.audit = audit;
        this.stations = stations;
        this.versions = versions;
        this.events = events;
        this.live = live;
        this.desired = desired;
        this.publish = publish;
        this.auth = auth;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/stations/:id/config"), Role.TECHNICIAN, this::show);
        auth.json(router.post("/api/v1/stations/:id/config"), Role.TECHNICIAN, audit.refusals("config.push", "station"),
                this::push);
    }

    private Future<Station> station(String id) {
        return stations.get(id).map(s -> s.orElseThrow(StationIds::notFound));
    }

    private Future<Reply> show(RoutingContext ctx) {
        String id = StationIds.fromPath(ctx);
        return station(id).compose(s -> Future.all(versions.currentSettings(id), versions.list(id, HISTORY),
                events.latest(Optional.of(id), List.of("config.applied", "config.rejected"), 20)).map(all -> {
            JsonObject settings;
            try {
                settings = ConfigSettings.read(DesiredConfig.of(s, Optional.empty(), List.of(), all.resultAt(0)));
            } catch (ConfigException e) {
                throw new IllegalStateException("stored configuration of " + id + " is invalid: " + e.getMessage(), e);
            }
            JsonArray history = new JsonArray();
            List<ConfigVersions.Version> list = all.resultAt(1);
            list.forEach(v -> history.add(v.toJson()));
            if (list.isEmpty() || list.get(list.size() - 1).version() == 2) {
                // version 1 is the registry's defaults: it has no row
                history.add(new JsonObject().put("version", 1).put("createdAt", s.createdAt())
                        .put("createdBy", (Object) null).put("changes", new JsonArray()));
            }
            JsonObject out = new JsonObject().put("stationId", id).put("version", s.configVersion())
                    .put("settings", settings).put("versions", history);
            reported(id, all.resultAt(2), out);
            return Reply.ok(out);
        }));
    }

    /** Puts "reported" {version, at, source} and, when the newest word from the station is a refusal, "rejected". */
    private void reported(String id, JsonObject latest, JsonObject out) {
        JsonObject applied = null;
        JsonObject rejected = null;
        for (Object o : latest.getJsonArray("events")) {
            JsonObject e = (JsonObject) o;
            if (applied == null && "config.applied".equals(e.getString("type"))) {
                applied = e;
            }
            if (applied == null && rejected == null && "config.rejected".equals(e.getString("type"))) {
                rejected = e;
            }
        }
        Optional<long[]> birth = live.reportedConfig(id);
        long appliedAt = applied == null ? Long.MIN_VALUE : applied.getLong("ts");
        if (birth.isPresent() && birth.get()[1] >= appliedAt) {
            out.put("reported", new JsonObject().put("version", birth.get()[0]).put("at", birth.get()[1])
                    .put("source", "birth"));
        } else if (applied != null) {
            out.put("reported", new JsonObject().put("version", applied.getJsonObject("data").getInteger("version"))
                    .put("at", applied.getLong("ts")).put("source", "config.applied"));
        }
        if (rejected != null) {
            JsonObject d = rejected.getJsonObject("data");
            out.put("rejected", new JsonObject().put("version", d.getInteger("version")).put("at", rejected.getLong("ts"))
                    .put("problems", d.getJsonArray("problems", new JsonArray())));
        }
    }

    private Future<Reply> push(RoutingContext ctx) {
        AuditEntry entry = AuditEntry.by(ctx, "config.push", "station", ctx.pathParam("id"));
        return audit.failures(entry, () -> push(ctx, entry));
    }

    private Future<Reply> push(RoutingContext ctx, AuditEntry entry) {
        String id = StationIds.fromPath(ctx);
        JsonBody body = JsonBody.of(ctx);
        int base = body.integer("baseVersion", 1, Integer.MAX_VALUE);
        JsonObject sent = ConfigSettings.parse(body.object("settings")
                .orElseThrow(() -> ApiException.badField("settings", "is required: the settings to change")));
        String by = Authenticator.principal(ctx).username();
        return station(id).compose(s -> versions.currentSettings(id).compose(stored -> {
            JsonObject before;
            JsonObject after;
            try {
                before = ConfigSettings.read(DesiredConfig.of(s, Optional.empty(), List.of(), stored));
                JsonObject merged = before.copy().mergeIn(sent);
                after = ConfigSettings.read(DesiredConfig.of(s, Optional.empty(), List.of(), merged));
            } catch (ConfigException e) {
                return Future.succeededFuture(invalid(e.problems()));
            }
            JsonArray changes = ConfigSettings.changes(before, after);
            if (changes.isEmpty()) {
                throw ApiException.of(400, "no-change", "These settings are the current ones; nothing to push");
            }
            return versions.push(id, base, after, changes, by, audit.step(version -> entry.with("version", version)
                    .with("baseVersion", base).with("changes", changes))).compose(version -> {
                LOG.info("User '{}' pushed configuration version {} to station {}", by, version, id);
                return desired.apply(id).compose(cfg -> cfg.isEmpty() ? Future.succeededFuture(false)
                        : publish.apply(id, cfg.get())).map(delivered -> Reply.created(new JsonObject()
                        .put("stationId", id).put("version", version).put("changes", changes)
                        .put("delivered", delivered)));
            }).recover(err -> err instanceof ConfigVersions.Stale st
                    ? Future.failedFuture(ApiException.of(409, "stale-version", "Version " + base
                    + " is no longer the current one (it is " + st.current() + "); reload and try again"))
                    : Future.failedFuture(err));
        }));
    }

    private static Reply invalid(List<String> problems) {
        return new Reply(400, new JsonObject().put("error", new JsonObject().put("code", "invalid-config")
                .put("message", "The station would refuse this configuration: " + String.join("; ", problems))
                .put("problems", new JsonArray(problems))));
    }
}
