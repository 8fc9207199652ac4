package org.yizhan.hub.updates;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.live.Bus;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Moves rollouts forward, ring by ring. Ring 0 is one station (the canary the operator named, or the first in a
 * fixed shuffle of the stations), ring 1 a tenth of the stations (at least one), ring 2 the rest. A ring starts when
 * every station of the ring before is done; at most {@code maxInFlight} stations install at once. A station whose
 * update failed (refused, rolled back, not taken before its command expired, or silent past its deadline) halts
 * the rollout, unless the operator resumed it past that failure. Every hub replica runs this every
 * {@value #TICK_MS} ms: each step is a conditional update in the registry, so two replicas never send a station
 * the same update twice.
 */
public final class Rollouts implements EventEffects {

    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
    static final long TICK_MS = 2000;
    /** How long the command to install lives: a station that is offline gets it when it is back, within a day. */
    static final long COMMAND_TTL_MILLIS = 24 * 3600_000L;
    /** After the station's deadline, how long the hub waits for its report before calling the update failed. */
    static final long REPORT_GRACE_MILLIS = 5 * 60_000L;
    static final int RINGS = 3;
    private static final List<String> IN_FLIGHT = List.of(UpdateStore.SENT, UpdateStore.INSTALLING);
    private static final Set<String> FINISHED = Set.of(UpdateStore.APPLIED, UpdateStore.ROLLED_BACK,
            UpdateStore.FAILED, UpdateStore.CANCELLED);
    private static final Set<String> FAILURES = Set.of(UpdateStore.ROLLED_BACK, UpdateStore.FAILED);

    private final Vertx vertx;
    private final UpdateStore store;
    private final CommandStore commands;
    private long timer = -1;
    private boolean ticking;

    public Rollouts(Vertx vertx, UpdateStore store, CommandStore commands) {
        this.vertx = vertx;
        this.store = store;
        this.commands = commands;
    }

    public void start() {
        timer = vertx.setPeriodic(TICK_MS, t -> tick());
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    /**
     * The stations in ring order: the canary first, the others in a shuffle fixed by {@code salt} (the rollout's
     * id), so each rollout starts somewhere else and a tenth is spread over the federation.
     */
    static List<List<String>> rings(List<String> stations, Optional<String> canary, String salt) {
        List<String> order = new ArrayList<>(stations.stream().distinct()
                .sorted(Comparator.comparing((String s) -> hash(salt + "/" + s)).thenComparing(s -> s)).toList());
        canary.ifPresent(c -> {
            order.remove(c);
            order.add(0, c);
        });
        List<List<String>> rings = new ArrayList<>();
        int n = order.size();
        int first = Math.min(1, n);
        int second = Math.min(n - first, Math.max(1, (n + 9) / 10));
        rings.add(List.copyOf(order.subList(0, first)));
        rings.add(List.copyOf(order.subList(first, first + second)));
        rings.add(List.copyOf(order.subList(first + second, n)));
        return rings;
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One pass over the running rollouts; never two at once on this replica. */
    public Future<Void> tick() {
        if (ticking) {
            return Future.succeededFuture();
        }
        ticking = true;
        return store.running().compose(list -> {
            Future<Void> chain = Future.succeededFuture();
            for (UpdateStore.Rollout r : list) {
                chain = chain.compose(v -> step(r).recover(err -> {
                    LOG.warn("Rollout {} of {}: a step failed: {}", r.id(), r.version(), err.toString());
                    return Future.succeededFuture();
                }));
            }
            return chain;
        }).onFailure(err -> LOG.warn("Rollouts: {}", err.toString()))
                .eventually(() -> {
                    ticking = false;
                    return Future.succeededFuture();
                }).mapEmpty();
    }

    /** What to send now, and whether the rollout's state or ring changed (for the live view). */
    private record Plan(UpdateStore.Rollout rollout, List<String> toSend, boolean changed) {
    }

    private Future<Void> step(UpdateStore.Rollout r) {
        long now = System.currentTimeMillis();
        return store.db().tx(c -> plan(c, r, now)).compose(plan -> {
            if (plan.changed()) {
                vertx.eventBus().publish(Bus.LIVE, EventEffects.live("rollout", "", new JsonObject()
                        .put("id", r.id()).put("version", r.version())));
            }
            Future<Void> chain = Future.succeededFuture();
            for (String station : plan.toSend()) {
                chain = chain.compose(v -> send(plan.rollout(), station));
            }
            return chain;
        });
    }

    /** Settles what is over, halts, advances the ring or finishes, and names the stations to send to now. */
    private Plan plan(Connection c, UpdateStore.Rollout r, long now) throws SQLException {
        // commands that expired or failed without a result this replica saw, and stations silent past the deadline
        for (Object[] row : Rows.list(c, "SELECT t.station_id, t.status, t.updated_at, k.status, k.result "
                        + "FROM update_targets t LEFT JOIN commands k ON k.id = t.command_id "
                        + "WHERE t.rollout_id = ? AND t.status IN (?, ?)",
                rs -> new Object[]{rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5)},
                r.id(), UpdateStore.SENT, UpdateStore.INSTALLING)) {
            String station = (String) row[0];
            String command = row[3] == null ? "" : (String) row[3];
            if (command.equals(CommandStore.EXPIRED)) {
                UpdateStore.move(c, r.id(), station, IN_FLIGHT, UpdateStore.FAILED,
                        "the station did not take the update before its command expired (offline?)", now);
            } else if (command.equals(CommandStore.FAILED)) {
                UpdateStore.move(c, r.id(), station, IN_FLIGHT, UpdateStore.FAILED, refusal(row[4]), now);
            } else if (row[1].equals(UpdateStore.INSTALLING)
                    && now > (long) row[2] + r.deadlineSeconds() * 1000L + REPORT_GRACE_MILLIS) {
                UpdateStore.move(c, r.id(), station, IN_FLIGHT, UpdateStore.FAILED,
                        "the station did not report the update's trial within its deadline", now);
            }
        }
        List<UpdateStore.Target> targets = UpdateStore.targets(c, r.id());
        List<UpdateStore.Target> failed = targets.stream().filter(t -> FAILURES.contains(t.status())).toList();
        if (failed.size() > r.failuresAccepted()) {
            UpdateStore.Target f = failed.get(failed.size() - 1);
            String detail = "halted: station " + f.stationId() + " " + f.status().replace('_', ' ')
                    + (f.detail() == null ? "" : ": " + f.detail());
            if (UpdateStore.setRollout(c, r.id(), UpdateStore.RUNNING, UpdateStore.HALTED, r.ring(), detail, now)) {
                LOG.warn("Rollout {} of agent {} {}", r.id(), r.version(), detail);
                return new Plan(r, List.of(), true);
            }
            return new Plan(r, List.of(), false);
        }
        int ring = r.ring();
        while (ring < RINGS && ringDone(targets, ring)) {
            ring++;
        }
        if (ring >= RINGS) {
            if (UpdateStore.setRollout(c, r.id(), UpdateStore.RUNNING, UpdateStore.DONE, RINGS - 1,
                    failed.isEmpty() ? "every station runs " + r.version()
                            : "done; " + failed.size() + " station(s) failed and were passed over when resumed", now)) {
                LOG.info("Rollout {} of agent {} is done", r.id(), r.version());
                return new Plan(r, List.of(), true);
            }
            return new Plan(r, List.of(), false);
        }
        if (ring != r.ring()) {
            UpdateStore.setRollout(c, r.id(), UpdateStore.RUNNING, UpdateStore.RUNNING, ring, r.detail(), now);
            LOG.info("Rollout {} of agent {} goes on to ring {}", r.id(), r.version(), ring);
        }
        long inFlight = targets.stream().filter(t -> IN_FLIGHT.contains(t.status())).count();
        int room = (int) Math.max(0, r.maxInFlight() - inFlight);
        int current = ring;
        List<String> toSend = targets.stream().filter(t -> t.ring() == current && t.status().equals(UpdateStore.WAITING))
                .limit(room).map(UpdateStore.Target::stationId).toList();
        return new Plan(new UpdateStore.Rollout(r.id(), r.version(), r.state(), ring, r.deadlineSeconds(),
                r.maxInFlight(), r.failuresAccepted(), r.createdAt(), r.createdBy(), now, r.detail()), toSend,
                ring != r.ring());
    }

    private static boolean ringDone(List<UpdateStore.Target> targets, int ring) {
        return targets.stream().filter(t -> t.ring() == ring).allMatch(t -> FINISHED.contains(t.status()));
    }

    private static String refusal(Object result) {
        if (result instanceof String s) {
            try {
                JsonObject o = new JsonObject(s);
                JsonObject e = o.getJsonObject("error", new JsonObject());
                return "the station refused the update: " + e.getString("code", "?") + ": " + e.getString("message", "");
            } catch (RuntimeException e) {
                // not JSON: shown as it is below
            }
            return "the station refused the update: " + s;
        }
        return "the station refused the update";
    }

    /** Sends {@code agent.update} to one station, if no other replica did meanwhile. */
    private Future<Void> send(UpdateStore.Rollout r, String stationId) {
        return store.get(r.version()).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new IllegalStateException("update " + r.version() + " is gone"));
            }
            UpdateStore.Update u = found.get();
            JsonObject args = new JsonObject().put("version", u.version()).put("sha256", u.sha256())
                    .put("size", u.jarSize()).put("deadlineSeconds", r.deadlineSeconds()).put("rollout", r.id());
            return commands.send(stationId, Command.AGENT_UPDATE, args, COMMAND_TTL_MILLIS, "rollout " + r.id(),
                    (c, created) -> {
                        long now = System.currentTimeMillis();
                        if (Rows.update(c, "UPDATE update_targets SET status = ?, command_id = ?, updated_at = ? "
                                        + "WHERE rollout_id = ? AND station_id = ? AND status = ?", UpdateStore.SENT,
                                created.getString("id"), now, r.id(), stationId, UpdateStore.WAITING) != 1) {
                            throw new SQLException("station " + stationId + " was sent the update by another replica");
                        }
                    }).<Void>map(created -> {
                        LOG.info("Rollout {}: agent {} sent to {} (ring {}, command {})", r.id(), u.version(),
                                stationId, r.ring(), created.getString("id"));
                        live(stationId, r.id(), UpdateStore.SENT);
                        return null;
                    }).recover(err -> {
                        LOG.debug("Rollout {}: not sent to {}: {}", r.id(), stationId, err.getMessage());
                        return Future.succeededFuture();
                    });
        });
    }

    private void live(String stationId, String rollout, String status) {
        vertx.eventBus().publish(Bus.LIVE, EventEffects.live("update", stationId,
                new JsonObject().put("rollout", rollout).put("status", status)));
    }

    // ---- what stations report ----

    @Override
    public List<JsonObject> onEvents(Connection c, String stationId, List<Event> fresh) throws SQLException {
        List<JsonObject> out = new ArrayList<>();
        for (Event e : fresh) {
            boolean applied = e.type().equals(EventType.UPDATE_APPLIED);
            if (!applied && !e.type().equals(EventType.UPDATE_ROLLED_BACK)) {
                continue;
            }
            String rollout = e.data().getValue("rollout") instanceof String s ? s : "";
            String version = e.data().getValue("version") instanceof String s ? s : "?";
            String status = applied ? UpdateStore.APPLIED : UpdateStore.ROLLED_BACK;
            String detail = applied ? "runs " + version : "rolled back to "
                    + (e.data().getValue("restored") instanceof String s ? s : "the previous version") + ": "
                    + (e.data().getValue("reason") instanceof String s ? s : "no reason given");
            if (!rollout.isEmpty() && UpdateStore.move(c, rollout, stationId,
                    List.of(UpdateStore.WAITING, UpdateStore.SENT, UpdateStore.INSTALLING), status, detail, e.ts())) {
                out.add(EventEffects.live("update", stationId, new JsonObject().put("rollout", rollout)
                        .put("status", status).put("detail", detail)));
            }
        }
        return out;
    }

    @Override
    public Future<List<JsonObject>> onCommandResult(String stationId, CommandResult result, long at) {
        return store.db().tx(c -> {
            Optional<String> rollout = Rows.one(c, "SELECT rollout_id FROM update_targets WHERE command_id = ? "
                    + "AND station_id = ?", rs -> rs.getString(1), result.id(), stationId);
            if (rollout.isEmpty()) {
                return List.<JsonObject>of();
            }
            String status;
            String detail;
            if (!result.ok()) {
                status = UpdateStore.FAILED;
                detail = "the station refused the update: " + result.error().map(e -> e.code() + ": " + e.message())
                        .orElse("no reason given");
            } else if (result.data().getBoolean("running", false)) {
                status = UpdateStore.APPLIED;
                detail = "runs this version already";
            } else {
                status = UpdateStore.INSTALLING;
                detail = "installed; on trial";
            }
            boolean moved = UpdateStore.move(c, rollout.get(), stationId, List.of(UpdateStore.SENT), status, detail, at);
            return moved ? List.of(EventEffects.live("update", stationId, new JsonObject()
                    .put("rollout", rollout.get()).put("status", status).put("detail", detail))) : List.<JsonObject>of();
        });
    }

    /** For the API: a rollout's state, or empty. */
    Future<Optional<JsonObject>> show(String id) {
        return store.db().call(c -> {
            Optional<UpdateStore.Rollout> r = UpdateStore.rollout(c, id);
            if (r.isEmpty()) {
                return Optional.<JsonObject>empty();
            }
            return Optional.of(UpdateStore.show(r.get(), UpdateStore.targets(c, id)));
        });
    }

    /** Rings sizes for the answer when a rollout is made. */
    static JsonObject ringSizes(List<List<String>> rings) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < rings.size(); i++) {
            o.put(String.valueOf(i), rings.get(i).size());
        }
        return o;
    }
}
