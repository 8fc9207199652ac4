package org.yizhan.hub.updates;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.Replies;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.hub.stations.Station;
import org.yizhan.hub.stations.StationAuth;
import org.yizhan.hub.stations.StationStore;
import org.yizhan.protocol.Topics;
import org.yizhan.protocol.Ulid;
import org.yizhan.protocol.UpdateBundle;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Signed agent updates (docs/updates.md):
 * <ul>
 * <li>{@code POST /api/v1/agent-updates} (admin), the bundle as {@code application/octet-stream}: checked against
 * the release keys of {@code update-keys} and stored → 201 {@code {"update":{"version","sha256","size","keyId",..}}};
 * 400 {@code bad-bundle} / {@code bad-signature}, 409 when the version is there, 413 over
 * {@value #MAX_UPLOAD_BYTES} bytes, 503 {@code no-release-key} when the hub has no release key.</li>
 * <li>{@code GET /api/v1/agent-updates} (operator+) → {@code {"updates":[..],"releaseKeys":[keyId..]}}.</li>
 * <li>{@code GET /api/v1/agent-updates/{version}/bundle}: the bundle, for a station (HTTP Basic, its id and
 * secret) or an admin.</li>
 * <li>{@code POST /api/v1/agent-updates/{version}/rollouts} (admin) {@code {"stations":[..]?,"canary"?,
 * "deadlineSeconds"?,"maxInFlight"?}} → 201 the rollout with its rings; every station when {@code stations} is
 * left out.</li>
 * <li>{@code GET /api/v1/rollouts}, {@code GET /api/v1/rollouts/{id}} (operator+); {@code POST
 * /api/v1/rollouts/{id}/resume} (a halted rollout goes on past its failures) and {@code .../cancel} (admin).</li>
 * <li>{@code GET /api/v1/agents} (operator+) → {@code {"agents":{stationId:{"version","reportedAt","update":
 * {"rollout","version","ring","status","detail"}}}}}: what each station runs and its part in the latest rollout.</li>
 * </ul>
 */
public final class UpdateRoutes implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateRoutes.class);
    static final long MAX_UPLOAD_BYTES = UpdateBundle.MAX_JAR_BYTES + 1024 * 1024;
    static final int DEFAULT_MAX_IN_FLIGHT = 50;

    private final Vertx vertx;
    private final UpdateStore store;
    private final Rollouts rollouts;
    private final StationStore stations;
    private final StationAuth stationAuth;
    private final Authenticator auth;
    private final Replies replies;
    private final AuditLog audit;
    private final List<PublicKey> releaseKeys;
    private final Path uploads;
    private final java.util.Map<String, String> reported = new java.util.concurrent.ConcurrentHashMap<>();

    public UpdateRoutes(Vertx vertx, UpdateStore store, CommandStore commands, StationStore stations,
                        StationAuth stationAuth, Authenticator auth, Replies replies, AuditLog audit,
                        List<PublicKey> releaseKeys, Path dataDir) {
        this.vertx = vertx;
        this.store = store;
        this.rollouts = new Rollouts(vertx, store, commands);
        this.stations = stations;
        this.stationAuth = stationAuth;
        this.auth = auth;
        this.replies = replies;
        this.audit = audit;
        this.releaseKeys = List.copyOf(releaseKeys);
        this.uploads = dataDir.resolve("uploads");
    }

    /** The release keys as PEM, for stations to pin when they are provisioned; empty when there are none. */
    public static String pem(List<PublicKey> keys) {
        StringBuilder b = new StringBuilder();
        keys.forEach(k -> b.append(UpdateBundle.pem(k)));
        return b.toString();
    }

    @Override
    public void mountFirst(Router router) {
        // the bundle is far larger than the API's bodies: it is streamed to a file, not buffered
        router.post("/api/v1/agent-updates")
                .handler(ctx -> {
                    // nothing of the body is read before the uploader is known; a body left unread when the answer
                    // is sent (a refusal) must not hold up the next request on the connection
                    ctx.request().pause();
                    // over HTTP/1.x such an answer also says that the connection closes after it: a client that
                    // kept it for its next request (Java's HttpClient does) would have that request cut off
                    ctx.addHeadersEndHandler(v -> {
                        if (!ctx.request().isEnded() && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
                            ctx.response().putHeader("Connection", "close");
                        }
                    });
                    ctx.addEndHandler(ar -> discardRest(ctx.request()));
                    ctx.next();
                })
                .handler(auth.require(Role.ADMIN, audit.refusals("update.upload", "update")))
                .handler(this::upload);
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get("/api/v1/agent-updates"), Role.OPERATOR, this::list);
        // a station with its secret, else an admin
        router.get("/api/v1/agent-updates/:version/bundle").handler(this::stationBundle)
                .handler(auth.require(Role.ADMIN)).handler(ctx -> bundle(ctx, Future.succeededFuture()));
        auth.json(router.post("/api/v1/agent-updates/:version/rollouts"), Role.ADMIN,
                audit.refusals("update.rollout", "update"), this::createRollout);
        auth.json(router.get("/api/v1/rollouts"), Role.OPERATOR, ctx -> store.rollouts().map(list ->
                Reply.ok(new JsonObject().put("rollouts", new JsonArray(list.stream()
                        .map(UpdateStore.Rollout::toJson).toList())))));
        auth.json(router.get("/api/v1/rollouts/:id"), Role.OPERATOR, ctx -> rollouts.show(ctx.pathParam("id"))
                .map(found -> Reply.ok(found.orElseThrow(() -> ApiException.notFound("No rollout "
                        + shown(ctx.pathParam("id")))))));
        auth.json(router.post("/api/v1/rollouts/:id/resume"), Role.ADMIN, audit.refusals("update.resume", "rollout"),
                ctx -> change(ctx, "resume"));
        auth.json(router.post("/api/v1/rollouts/:id/cancel"), Role.ADMIN, audit.refusals("update.cancel", "rollout"),
                ctx -> change(ctx, "cancel"));
        auth.json(router.get("/api/v1/agents"), Role.OPERATOR, ctx -> store.agents().map(a ->
                Reply.ok(new JsonObject().put("agents", a))));
    }

    @Override
    public EventEffects effects() {
        return rollouts;
    }

    @Override
    public Future<Void> start() {
        rollouts.start();
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        rollouts.stop();
        return Future.succeededFuture();
    }

    /** Records the agent version a station's birth named. */
    public void birth(String stationId, String agentVersion, long at) {
        // a reconnect with the same version writes nothing
        if (agentVersion.equals(reported.put(stationId, agentVersion))) {
            return;
        }
        store.reported(stationId, agentVersion, at).onFailure(err -> {
            reported.remove(stationId);
            LOG.warn("Recording the agent version of {} failed: {}", stationId, err.toString());
        });
    }

    public Rollouts rollouts() {
        return rollouts;
    }

    private static String shown(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    // ---- upload ----

    private void upload(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        AuditEntry entry = AuditEntry.by(ctx, "update.upload", "update", "");
        if (releaseKeys.isEmpty()) {
            refuse(ctx, entry, ApiException.of(503, "no-release-key", "This hub has no release key (setting "
                    + "update-keys), so it cannot check an update; set it to the union's release public key"));
            return;
        }
        String length = req.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > MAX_UPLOAD_BYTES) {
                    refuse(ctx, entry, tooLarge());
                    return;
                }
            } catch (NumberFormatException e) {
                refuse(ctx, entry, ApiException.badRequest("Content-Length is not a number"));
                return;
            }
        }
        Path file = uploads.resolve(Ulid.next(System.currentTimeMillis()) + ".bundle");
        vertx.fileSystem().mkdirs(uploads.toString())
                .compose(v -> vertx.fileSystem().open(file.toString(), new OpenOptions().setCreateNew(true).setWrite(true)))
                .compose(out -> receive(req, out))
                .compose(v -> vertx.executeBlocking(() -> {
                    try (InputStream in = Files.newInputStream(file)) {
                        return UpdateBundle.verify(in, releaseKeys, Optional.empty());
                    } catch (UpdateBundle.BundleException e) {
                        throw ApiException.of(e.code().equals("too-large") ? 413 : 400, e.code(), e.getMessage());
                    }
                }, false))
                .compose(verified -> store.add(verified, file, Authenticator.principal(ctx).username(),
                        System.currentTimeMillis()).recover(err -> Future.failedFuture(err instanceof IllegalStateException
                        ? ApiException.of(409, "conflict", err.getMessage()) : err)))
                .eventually(() -> vertx.fileSystem().delete(file.toString()).recover(e -> Future.succeededFuture()))
                .onSuccess(u -> {
                    LOG.info("User '{}' uploaded agent update {} (signed by key {}, {} bytes)",
                            Authenticator.principal(ctx).username(), u.version(), u.keyId(), u.jarSize());
                    audit.write(new AuditEntry(entry.actor(), entry.actorRole(), entry.actorAddress(), entry.action(),
                            "update", u.version(), AuditEntry.OK, new JsonObject().put("sha256", u.sha256())
                            .put("keyId", u.keyId())));
                    replies.send(ctx, Reply.created(new JsonObject().put("update", u.toJson())));
                })
                .onFailure(err -> {
                    if (err instanceof ApiException e) {
                        refuse(ctx, entry, e);
                    } else {
                        LOG.warn("Uploading an agent update failed: {}", err.toString());
                        replies.fail(ctx, err);
                    }
                });
    }

    private void refuse(RoutingContext ctx, AuditEntry entry, ApiException e) {
        audit.write(new AuditEntry(entry.actor(), entry.actorRole(), entry.actorAddress(), entry.action(), "update",
                "", AuditEntry.FAILED, new JsonObject().put("code", e.code())));
        replies.error(ctx, e); // with Connection: close while the body is unread (mountFirst)
    }

    /**
     * What is left of a body nobody read: over HTTP/1.x the connection is closed (it could be hundreds of MB), over
     * HTTP/2 the stream's rest is read and dropped.
     */
    private static void discardRest(HttpServerRequest req) {
        if (req.isEnded()) {
            return;
        }
        if (req.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
            req.handler(null);
            req.resume();
        } else {
            req.connection().close();
        }
    }

    private static ApiException tooLarge() {
        return ApiException.of(413, "too-large", "An update bundle is at most " + MAX_UPLOAD_BYTES / (1024 * 1024)
                + " MiB");
    }

    /** The request body into {@code out}, at most {@link #MAX_UPLOAD_BYTES}, with back-pressure. */
    private static Future<Void> receive(HttpServerRequest req, AsyncFile out) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        long[] n = {0};
        req.handler(buf -> {
            n[0] += buf.length();
            if (n[0] > MAX_UPLOAD_BYTES) {
                req.handler(null);
                out.close();
                done.tryFail(tooLarge());
                return;
            }
            out.write(buf);
            if (out.writeQueueFull()) {
                req.pause();
                out.drainHandler(v -> req.resume());
            }
        });
        req.exceptionHandler(err -> {
            out.close();
            done.tryFail(err);
        });
        req.endHandler(v -> out.close().onComplete(done));
        req.resume();
        return done.future();
    }

    // ---- download ----

    /** A station's download (HTTP Basic); anything else goes on to the admin's. */
    private void stationBundle(RoutingContext ctx) {
        Optional<String[]> basic = StationAuth.basic(ctx);
        if (basic.isEmpty()) {
            ctx.next();
            return;
        }
        bundle(ctx, stationAuth.check(basic.get()[0], basic.get()[0], basic.get()[1]).compose(o -> o.accepted()
                ? Future.succeededFuture()
                : Future.failedFuture(ApiException.of(401, "invalid-credentials", "Unknown station or wrong secret"))));
    }

    private void bundle(RoutingContext ctx, Future<Void> allowed) {
        String version = ctx.pathParam("version");
        allowed.compose(v -> store.get(version))
                .onSuccess(found -> {
                    if (found.isEmpty()) {
                        replies.error(ctx, ApiException.notFound("No agent update " + shown(version)));
                        return;
                    }
                    UpdateStore.Update u = found.get();
                    HttpServerResponse res = ctx.response().putHeader("Content-Type", "application/zip")
                            .putHeader("Content-Length", String.valueOf(u.bundleSize()))
                            .putHeader("Content-Disposition", "attachment; filename=\"yizhan-agent-" + u.version()
                                    + ".update\"");
                    sendChunks(res, u, 0).onFailure(err -> {
                        LOG.warn("Sending agent update {} failed: {}", u.version(), err.toString());
                        res.reset();
                    });
                })
                .onFailure(err -> {
                    if (err instanceof ApiException e) {
                        replies.error(ctx, e);
                    } else {
                        replies.fail(ctx, err);
                    }
                });
    }

    /** One chunk after the other, each read when the one before was written. */
    private Future<Void> sendChunks(HttpServerResponse res, UpdateStore.Update u, int seq) {
        if (seq == u.chunks()) {
            return res.end();
        }
        return store.chunk(u.version(), seq).compose(res::write).compose(v -> sendChunks(res, u, seq + 1));
    }

    // ---- rollouts ----

    private Future<Reply> list(RoutingContext ctx) {
        return store.list().map(list -> Reply.ok(new JsonObject()
                .put("updates", new JsonArray(list.stream().map(UpdateStore.Update::toJson).toList()))
                .put("releaseKeys", new JsonArray(releaseKeys.stream().map(UpdateBundle::keyId).toList()))));
    }

    private Future<Reply> createRollout(RoutingContext ctx) {
        String version = ctx.pathParam("version");
        JsonBody b = JsonBody.of(ctx);
        int deadline = b.integer("deadlineSeconds", 20, 24 * 3600, 600);
        int maxInFlight = b.integer("maxInFlight", 1, 10_000, DEFAULT_MAX_IN_FLIGHT);
        Optional<String> canary = b.optionalString("canary", 3, 40);
        Optional<List<String>> chosen = Optional.empty();
        if (b.has("stations")) {
            if (!(b.json().getValue("stations") instanceof JsonArray a) || a.isEmpty() || a.size() > 100_000) {
                throw ApiException.badField("stations", "must be a list of station ids");
            }
            Set<String> ids = new LinkedHashSet<>();
            for (Object o : a) {
                if (!(o instanceof String s) || !Topics.isValidStationId(s)) {
                    throw ApiException.badField("stations", "must be a list of station ids");
                }
                ids.add(s);
            }
            chosen = Optional.of(List.copyOf(ids));
        }
        Optional<List<String>> only = chosen;
        String by = Authenticator.principal(ctx).username();
        AuditEntry entry = AuditEntry.by(ctx, "update.rollout", "update", version);
        return audit.failures(entry, () -> store.get(version).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(ApiException.notFound("No agent update " + shown(version)
                        + "; upload it first"));
            }
            return Future.all(stations.list(), store.agents());
        }).compose(both -> {
            List<Station> all = both.resultAt(0);
            JsonObject agents = both.resultAt(1);
            Set<String> known = new LinkedHashSet<>(all.stream().map(Station::id).toList());
            List<String> targets = only.orElse(List.copyOf(known));
            List<String> unknown = targets.stream().filter(id -> !known.contains(id)).toList();
            if (!unknown.isEmpty()) {
                throw ApiException.badField("stations", "unknown station(s) " + unknown.stream().limit(5).toList());
            }
            if (targets.isEmpty()) {
                throw ApiException.of(409, "no-stations", "There are no stations to update");
            }
            if (canary.isPresent() && !targets.contains(canary.get())) {
                throw ApiException.badField("canary", "must be one of the stations of the rollout");
            }
            long now = System.currentTimeMillis();
            String id = Ulid.next(now);
            List<List<String>> rings = Rollouts.rings(targets, canary, id);
            List<UpdateStore.Target> rows = new ArrayList<>();
            for (int ring = 0; ring < rings.size(); ring++) {
                for (String s : rings.get(ring)) {
                    JsonObject a = agents.getJsonObject(s, new JsonObject());
                    rows.add(new UpdateStore.Target(id, s, ring, UpdateStore.WAITING, a.getString("version"), null,
                            now, null));
                }
            }
            UpdateStore.Rollout r = new UpdateStore.Rollout(id, version, UpdateStore.RUNNING, 0, deadline, maxInFlight,
                    0, now, by, now, null);
            return store.createRollout(r, rows).compose(created -> audit.write(new AuditEntry(entry.actor(),
                    entry.actorRole(), entry.actorAddress(), entry.action(), "update", version, AuditEntry.OK,
                    new JsonObject().put("rollout", id).put("stations", targets.size())))
                    .recover(e -> Future.succeededFuture()).map(created))
                    .map(created -> {
                        LOG.info("User '{}' started rollout {} of agent {} to {} stations (rings {})", by, id, version,
                                targets.size(), Rollouts.ringSizes(rings).encode());
                        rollouts.tick();
                        return Reply.created(UpdateStore.show(created, rows).put("rings", Rollouts.ringSizes(rings)));
                    });
        }));
    }

    private Future<Reply> change(RoutingContext ctx, String what) {
        String id = ctx.pathParam("id");
        AuditEntry entry = AuditEntry.by(ctx, "update." + what, "rollout", id);
        return audit.failures(entry, () -> store.db().tx(c -> {
            UpdateStore.Rollout r = UpdateStore.rollout(c, id).orElseThrow(() ->
                    ApiException.notFound("No rollout " + shown(id)));
            long now = System.currentTimeMillis();
            if (what.equals("resume")) {
                if (!r.state().equals(UpdateStore.HALTED)) {
                    throw ApiException.of(409, "conflict", "Only a halted rollout can be resumed; this one is "
                            + r.state());
                }
                long failures = UpdateStore.targets(c, id).stream().filter(t -> t.status().equals(UpdateStore.FAILED)
                        || t.status().equals(UpdateStore.ROLLED_BACK)).count();
                org.yizhan.hub.db.Rows.update(c, "UPDATE update_rollouts SET state = ?, failures_accepted = ?, "
                        + "detail = ?, updated_at = ? WHERE id = ?", UpdateStore.RUNNING, failures,
                        "resumed past " + failures + " failure(s)", now, id);
            } else {
                if (r.state().equals(UpdateStore.DONE) || r.state().equals(UpdateStore.CANCELLED)) {
                    throw ApiException.of(409, "conflict", "The rollout is " + r.state() + " already");
                }
                org.yizhan.hub.db.Rows.update(c, "UPDATE update_rollouts SET state = ?, detail = ?, updated_at = ? "
                        + "WHERE id = ?", UpdateStore.CANCELLED, "cancelled by " + entry.actor(), now, id);
                org.yizhan.hub.db.Rows.update(c, "UPDATE update_targets SET status = ?, updated_at = ? "
                        + "WHERE rollout_id = ? AND status = ?", UpdateStore.CANCELLED, now, id, UpdateStore.WAITING);
            }
            return UpdateStore.show(UpdateStore.rollout(c, id).orElseThrow(), UpdateStore.targets(c, id));
        }).compose(shown -> audit.write(entry).recover(e -> Future.succeededFuture()).map(Reply.ok(shown)))
                .onSuccess(r -> LOG.info("User '{}' did {} on rollout {}", entry.actor(), what, id))
                .onSuccess(r -> rollouts.tick()));
    }
}
