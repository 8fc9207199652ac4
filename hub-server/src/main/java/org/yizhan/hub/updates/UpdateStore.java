package org.yizhan.hub.updates;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.protocol.UpdateBundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Agent updates in the registry: the verified bundles (in {@value #CHUNK_BYTES}-byte chunks, so that every hub
 * replica serves them and none holds one in memory), the rollouts with their targets, and the agent version each
 * station last reported.
 */
public final class UpdateStore {

    public static final int CHUNK_BYTES = 1024 * 1024;

    public static final String WAITING = "waiting";
    public static final String SENT = "sent";
    public static final String INSTALLING = "installing";
    public static final String APPLIED = "applied";
    public static final String ROLLED_BACK = "rolled_back";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    public static final String RUNNING = "running";
    public static final String HALTED = "halted";
    public static final String DONE = "done";

    /** One uploaded update. */
    public record Update(String version, String sha256, long jarSize, long bundleSize, int chunks, String keyId,
                         long signedAt, long uploadedAt, String uploadedBy) {
        public JsonObject toJson() {
            return new JsonObject().put("version", version).put("sha256", sha256).put("size", jarSize)
                    .put("bundleSize", bundleSize).put("keyId", keyId).put("signedAt", signedAt)
                    .put("uploadedAt", uploadedAt).put("uploadedBy", uploadedBy);
        }
    }

    /** One rollout as stored. */
    public record Rollout(String id, String version, String state, int ring, int deadlineSeconds, int maxInFlight,
                          int failuresAccepted, long createdAt, String createdBy, long updatedAt, String detail) {
        public JsonObject toJson() {
            return new JsonObject().put("id", id).put("version", version).put("state", state).put("ring", ring)
                    .put("deadlineSeconds", deadlineSeconds).put("maxInFlight", maxInFlight)
                    .put("createdAt", createdAt).put("createdBy", createdBy).put("updatedAt", updatedAt)
                    .put("detail", detail);
        }
    }

    /** One station of a rollout. */
    public record Target(String rolloutId, String stationId, int ring, String status, String fromVersion,
                         String commandId, long updatedAt, String detail) {
        public JsonObject toJson() {
            return new JsonObject().put("stationId", stationId).put("ring", ring).put("status", status)
                    .put("fromVersion", fromVersion).put("commandId", commandId).put("updatedAt", updatedAt)
                    .put("detail", detail);
        }
    }

    private final Database db;

    public UpdateStore(Database db) {
        this.db = db;
    }

    public Database db() {
        return db;
    }

    // ---- bundles ----

    /**
     * Stores a verified bundle read from {@code file}; fails with {@link IllegalStateException} when the version is
     * there already.
     */
    public Future<Update> add(UpdateBundle.Verified v, Path file, String by, long now) {
        return db.tx(c -> {
            if (Rows.any(c, "SELECT 1 FROM agent_updates WHERE version = ?", v.manifest().version())) {
                throw new IllegalStateException("version " + v.manifest().version() + " was uploaded already");
            }
            long size = Files.size(file);
            int chunks = (int) ((size + CHUNK_BYTES - 1) / CHUNK_BYTES);
            Update u = new Update(v.manifest().version(), v.manifest().sha256(), v.manifest().size(), size, chunks,
                    v.keyId(), v.manifest().createdAt(), now, by.length() > 64 ? by.substring(0, 64) : by);
            Rows.update(c, "INSERT INTO agent_updates (version, sha256, jar_size, bundle_size, chunks, key_id, "
                            + "signed_at, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", u.version(),
                    u.sha256(), u.jarSize(), u.bundleSize(), u.chunks(), u.keyId(), u.signedAt(), u.uploadedAt(),
                    u.uploadedBy());
            try (InputStream in = Files.newInputStream(file);
                 var ps = c.prepareStatement("INSERT INTO agent_update_chunks (version, seq, data) VALUES (?, ?, ?)")) {
                for (int seq = 0; seq < chunks; seq++) {
                    ps.setString(1, u.version());
                    ps.setInt(2, seq);
                    ps.setBytes(3, in.readNBytes(CHUNK_BYTES));
                    ps.executeUpdate();
                }
            }
            return u;
        });
    }

    public Future<Optional<Update>> get(String version) {
        return db.call(c -> Rows.one(c, "SELECT " + UPDATE_COLUMNS + " FROM agent_updates WHERE version = ?",
                UpdateStore::update, version));
    }

    public Future<List<Update>> list() {
        return db.call(c -> Rows.list(c, "SELECT " + UPDATE_COLUMNS + " FROM agent_updates ORDER BY uploaded_at DESC",
                UpdateStore::update));
    }

    private static final String UPDATE_COLUMNS =
            "version, sha256, jar_size, bundle_size, chunks, key_id, signed_at, uploaded_at, uploaded_by";

    private static Update update(java.sql.ResultSet rs) throws SQLException {
        return new Update(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
                rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getString(9));
    }

    public Future<Buffer> chunk(String version, int seq) {
        return db.call(c -> Rows.one(c, "SELECT data FROM agent_update_chunks WHERE version = ? AND seq = ?",
                rs -> Buffer.buffer(rs.getBytes(1)), version, seq)
                .orElseThrow(() -> new IllegalStateException("chunk " + seq + " of " + version + " is missing")));
    }

    // ---- rollouts ----

    /** Stores a rollout with its targets (stations in ring order). */
    public Future<Rollout> createRollout(Rollout r, List<Target> targets) {
        return db.tx(c -> {
            Rows.update(c, "INSERT INTO update_rollouts (id, version, state, ring, deadline_seconds, max_in_flight, "
                            + "failures_accepted, created_at, created_by, updated_at, detail) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", r.id(), r.version(), r.state(), r.ring(),
                    r.deadlineSeconds(), r.maxInFlight(), r.failuresAccepted(), r.createdAt(), r.createdBy(),
                    r.updatedAt(), r.detail());
            for (Target t : targets) {
                Rows.update(c, "INSERT INTO update_targets (rollout_id, station_id, ring, status, from_version, "
                                + "updated_at) VALUES (?, ?, ?, ?, ?, ?)", r.id(), t.stationId(), t.ring(), t.status(),
                        t.fromVersion(), t.updatedAt());
            }
            return r;
        });
    }

    public Future<Optional<Rollout>> rollout(String id) {
        return db.call(c -> rollout(c, id));
    }

    static Optional<Rollout> rollout(Connection c, String id) throws SQLException {
        return Rows.one(c, "SELECT " + ROLLOUT_COLUMNS + " FROM update_rollouts WHERE id = ?", UpdateStore::rollout, id);
    }

    public Future<List<Rollout>> rollouts() {
        return db.call(c -> Rows.list(c, "SELECT " + ROLLOUT_COLUMNS + " FROM update_rollouts ORDER BY created_at DESC",
                UpdateStore::rollout));
    }

    public Future<List<Rollout>> running() {
        return db.call(c -> Rows.list(c, "SELECT " + ROLLOUT_COLUMNS + " FROM update_rollouts WHERE state = ?",
                UpdateStore::rollout, RUNNING));
    }

    private static final String ROLLOUT_COLUMNS = "id, version, state, ring, deadline_seconds, max_in_flight, "
            + "failures_accepted, created_at, created_by, updated_at, detail";

    private static Rollout rollout(java.sql.ResultSet rs) throws SQLException {
        return new Rollout(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
                rs.getInt(6), rs.getInt(7), rs.getLong(8), rs.getString(9), rs.getLong(10), rs.getString(11));
    }

    public Future<List<Target>> targets(String rolloutId) {
        return db.call(c -> targets(c, rolloutId));
    }

    static List<Target> targets(Connection c, String rolloutId) throws SQLException {
        return Rows.list(c, "SELECT " + TARGET_COLUMNS + " FROM update_targets WHERE rollout_id = ? "
                + "ORDER BY ring, station_id", UpdateStore::target, rolloutId);
    }

    private static final String TARGET_COLUMNS =
            "rollout_id, station_id, ring, status, from_version, command_id, updated_at, detail";

    private static Target target(java.sql.ResultSet rs) throws SQLException {
        return new Target(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getLong(7), rs.getString(8));
    }

    /** Moves a target from one of {@code from} to {@code to}; false when it was not in one of them. */
    static boolean move(Connection c, String rolloutId, String stationId, List<String> from, String to, String detail,
                        long now) throws SQLException {
        String in = String.join(", ", from.stream().map(s -> "?").toList());
        List<Object> args = new ArrayList<>(List.of(to, cut(detail), now, rolloutId, stationId));
        args.addAll(from);
        return Rows.update(c, "UPDATE update_targets SET status = ?, detail = ?, updated_at = ? WHERE rollout_id = ? "
                + "AND station_id = ? AND status IN (" + in + ")", args.toArray()) == 1;
    }

    static String cut(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 497) + "...";
    }

    /** Sets a rollout's state (and ring, detail) if it is still in {@code from}; false when it was not. */
    static boolean setRollout(Connection c, String id, String from, String state, int ring, String detail, long now)
            throws SQLException {
        return Rows.update(c, "UPDATE update_rollouts SET state = ?, ring = ?, detail = ?, updated_at = ? "
                + "WHERE id = ? AND state = ?", state, ring, cut(detail), now, id, from) == 1;
    }

    // ---- what stations run ----

    /** Records the agent version a station reported in its birth. */
    public Future<Void> reported(String stationId, String version, long at) {
        return db.call(c -> {
            if (Rows.update(c, "UPDATE agent_versions SET version = ?, reported_at = ? WHERE station_id = ?",
                    version, at, stationId) == 0) {
                try {
                    Rows.update(c, "INSERT INTO agent_versions (station_id, version, reported_at) VALUES (?, ?, ?)",
                            stationId, version, at);
                } catch (SQLException e) {
                    // another replica inserted it meanwhile, or the station was retired: its next birth tells
                }
            }
            return null;
        });
    }

    /** What each station runs, and its part in the latest rollout: {@code {stationId: {"version",..,"update"}}}. */
    public Future<JsonObject> agents() {
        return db.call(c -> {
            JsonObject out = new JsonObject();
            for (Object[] row : Rows.list(c, "SELECT station_id, version, reported_at FROM agent_versions",
                    rs -> new Object[]{rs.getString(1), rs.getString(2), rs.getLong(3)})) {
                out.put((String) row[0], new JsonObject().put("version", row[1]).put("reportedAt", row[2]));
            }
            for (Object[] row : Rows.list(c, "SELECT t.station_id, t.rollout_id, r.version, t.ring, t.status, "
                            + "t.detail, t.updated_at FROM update_targets t JOIN update_rollouts r ON r.id = t.rollout_id "
                            + "ORDER BY r.created_at",
                    rs -> new Object[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), rs.getString(6), rs.getLong(7)})) {
                JsonObject a = out.getJsonObject((String) row[0]);
                if (a == null) {
                    a = new JsonObject().putNull("version");
                    out.put((String) row[0], a);
                }
                // later rollouts come later: the last one wins
                a.put("update", new JsonObject().put("rollout", row[1]).put("version", row[2]).put("ring", row[3])
                        .put("status", row[4]).put("detail", row[5]).put("updatedAt", row[6]));
            }
            return out;
        });
    }

    /** A rollout with its targets, as the API shows it. */
    public static JsonObject show(Rollout r, List<Target> targets) {
        JsonArray t = new JsonArray();
        JsonObject counts = new JsonObject();
        for (Target x : targets) {
            t.add(x.toJson());
            counts.put(x.status(), counts.getInteger(x.status(), 0) + 1);
        }
        return r.toJson().put("counts", counts).put("targets", t);
    }
}
