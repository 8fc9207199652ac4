package org.yizhan.hub.feedback;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Lease;
import org.yizhan.hub.stations.ClaimCodes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Rider feedback in the registry: created by riders (with a secret to read it back), listed, triaged and answered
 * by staff. Triage and answer happen in a transaction that re-reads the item, so two operators answering at once
 * give one answer and one conflict.
 *
 * <p>An item past its deadline without an answer raises one {@link AlertStore#FEEDBACK_OVERDUE} alert
 * ({@link #raiseOverdue}), opened at the deadline, so it reaches the notification routes like any station alert.
 * Answering the item closes that alert in the same transaction; a triage that moves the deadline past now closes
 * it too, and the item is raised again if it misses its new deadline.
 */
public final class FeedbackStore {

    /** Largest list {@link #list} returns. */
    public static final int MAX_LIMIT = 500;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "f.id, f.station_id, s.name, f.category, f.body, f.contact, m.pseudonym, "
            + "f.created_at, f.status, f.priority, f.deadline, f.triaged_by, f.triaged_at, f.answer, f.answered_by, "
            + "f.answered_at";
    private static final String FROM = " FROM feedback f JOIN stations s ON s.id = f.station_id "
            + "LEFT JOIN members m ON m.id = f.member_id";

    private final Database db;

    public FeedbackStore(Database db) {
        this.db = db;
    }

    /** A new item and the secret its sender reads it with (shown once, stored only as a hash). */
    public record Created(Feedback feedback, String secret) {
    }

    /** What was asked of the feedback list. {@code status} is a status, {@code "open"} (not answered) or empty. */
    public record Query(Optional<String> stationId, Optional<String> status, boolean overdueOnly, int limit) {
    }

    /** A page of feedback, newest first, with counts over every item of the station filter. */
    public record Page(List<Feedback> items, Map<String, Integer> counts) {
    }

    /** What a triage or answer did. */
    public enum Result { CHANGED, NOT_FOUND, ALREADY_ANSWERED }

    /** What a triage or answer did, and the overdue alert it closed (as the alerts list shows it), if any. */
    public record Outcome(Result result, Optional<Feedback> feedback, Optional<JsonObject> closedAlert) {

        public Outcome(Result result, Optional<Feedback> feedback) {
            this(result, feedback, Optional.empty());
        }
    }

    /** Overdue items looked at per {@link #raiseOverdue} (the rest wait for the next sweep). */
    static final int OVERDUE_BATCH = 200;
    /**
     * Items that missed their deadline longer ago than this raise no alert: a hub upgraded or down for a while does
     * not flood the duty groups with old items (the feedback page still lists them as overdue).
     */
    public static final long OVERDUE_MAX_AGE_MS = 7L * 24 * 3600 * 1000;

    /** The subject of an item's overdue alert. */
    public static String alertSubject(String feedbackId) {
        return "feedback:" + feedbackId;
    }

    /**
     * Raises a {@link AlertStore#FEEDBACK_OVERDUE} alert, opened at the deadline, for each unanswered item whose
     * deadline has passed at {@code now} (within {@link #OVERDUE_MAX_AGE_MS}) and that has none for that deadline yet;
     * only while this hub holds {@code lease} (checked and locked in the transaction, so with several hubs one
     * raises it, once). Returns the alerts opened, as the alerts list shows them.
     */
    public Future<List<JsonObject>> raiseOverdue(long now, Lease lease) {
        return db.tx(c -> {
            if (!lease.confirm(c, now)) {
                return List.<JsonObject>of();
            }
            List<Feedback> due = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE f.answered_at IS NULL "
                    + "AND f.deadline <= ? AND f.deadline > ? AND NOT EXISTS (SELECT 1 FROM alerts a "
                    + "WHERE a.station_id = f.station_id AND a.type = ? AND a.subject = 'feedback:' || f.id "
                    + "AND a.opened_at >= f.deadline) ORDER BY f.deadline, f.id LIMIT " + OVERDUE_BATCH)) {
                ps.setLong(1, now);
                ps.setLong(2, now - OVERDUE_MAX_AGE_MS);
                ps.setString(3, AlertStore.FEEDBACK_OVERDUE);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.add(row(rs));
                    }
                }
            }
            List<JsonObject> opened = new ArrayList<>();
            for (Feedback f : due) {
                JsonObject data = new JsonObject().put("feedbackId", f.id()).put("category", f.category())
                        .put("priority", f.priority().orElse(null)).put("createdAt", f.createdAt())
                        .put("deadline", f.deadline());
                opened.add(AlertStore.openOrRepeat(c, f.stationId(), AlertStore.FEEDBACK_OVERDUE,
                        alertSubject(f.id()), f.deadline(), data));
            }
            return opened;
        });
    }

    /** Within the caller's transaction: closes the item's open overdue alert, if any. */
    private static Optional<JsonObject> closeOverdue(Connection c, Feedback f, long now, JsonObject why)
            throws SQLException {
        return AlertStore.close(c, f.stationId(), AlertStore.FEEDBACK_OVERDUE, alertSubject(f.id()), now, why);
    }

    /** Stores new feedback for the station; empty when there is no such station. */
    public Future<Optional<Created>> create(String stationId, String category, String text, Optional<String> contact,
                                            Optional<String> memberId, long now) {
        String secret = newSecret();
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM stations WHERE id = ?")) {
                ps.setString(1, stationId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Created>empty();
                    }
                }
            }
            String id = ClaimCodes.generate();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO feedback (id, station_id, category, body, contact, "
                    + "member_id, secret_hash, created_at, status, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, stationId);
                ps.setString(3, category);
                ps.setString(4, text);
                setOptional(ps, 5, contact);
                setOptional(ps, 6, memberId);
                ps.setString(7, hash(secret));
                ps.setLong(8, now);
                ps.setString(9, Feedback.NEW);
                ps.setLong(10, Deadlines.of(Deadlines.NORMAL, now));
                ps.executeUpdate();
            }
            return Optional.of(new Created(byId(c, id, false).orElseThrow(), secret));
        });
    }

    /** The item when the secret is its own; empty for an unknown id or a wrong secret alike. */
    public Future<Optional<Feedback>> forRider(String id, String secret) {
        return db.call(c -> {
            String stored;
            try (PreparedStatement ps = c.prepareStatement("SELECT secret_hash FROM feedback WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Feedback>empty();
                    }
                    stored = rs.getString(1);
                }
            }
            if (!MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
                    hash(secret).getBytes(StandardCharsets.US_ASCII))) {
                return Optional.<Feedback>empty();
            }
            return byId(c, id, false);
        });
    }

    public Future<Page> list(Query q, long now) {
        int n = Math.max(1, Math.min(q.limit(), MAX_LIMIT));
        return db.call(c -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + FROM + " WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            q.stationId().ifPresent(s -> {
                sql.append(" AND f.station_id = ?");
                args.add(s);
            });
            q.status().ifPresent(s -> {
                if ("open".equals(s)) {
                    sql.append(" AND f.answered_at IS NULL");
                } else {
                    sql.append(" AND f.status = ?");
                    args.add(s);
                }
            });
            if (q.overdueOnly()) {
                sql.append(" AND f.answered_at IS NULL AND f.deadline <= ?");
                args.add(now);
            }
            sql.append(" ORDER BY f.created_at DESC, f.id DESC LIMIT ").append(n);
            List<Feedback> items = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(row(rs));
                    }
                }
            }
            return new Page(items, counts(c, q.stationId(), now));
        });
    }

    /** {"total","new","triaged","answered","open","overdue"} over the station's items (or all). */
    private static Map<String, Integer> counts(Connection c, Optional<String> stationId, long now) throws SQLException {
        String sql = "SELECT COUNT(*), "
                + "SUM(CASE WHEN status = 'new' THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN status = 'triaged' THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END), "
                + "SUM(CASE WHEN answered_at IS NULL AND deadline <= ? THEN 1 ELSE 0 END) "
                + "FROM feedback" + (stationId.isPresent() ? " WHERE station_id = ?" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, now);
            if (stationId.isPresent()) {
                ps.setString(2, stationId.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Map<String, Integer> out = new LinkedHashMap<>();
                out.put("total", rs.getInt(1));
                out.put("new", rs.getInt(2));
                out.put("triaged", rs.getInt(3));
                out.put("answered", rs.getInt(4));
                out.put("open", rs.getInt(1) - rs.getInt(4));
                out.put("overdue", rs.getInt(5));
                return out;
            }
        }
    }

    /** Sets the priority and with it the deadline (from the time the item arrived); refused once answered. */
    public Future<Outcome> triage(String id, String priority, String by, long now) {
        return changeUnanswered(id, (c, f) -> {
            long deadline = Deadlines.of(priority, f.createdAt());
            try (PreparedStatement ps = c.prepareStatement("UPDATE feedback SET priority = ?, deadline = ?, "
                    + "status = ?, triaged_by = ?, triaged_at = ? WHERE id = ? AND answered_at IS NULL")) {
                ps.setString(1, priority);
                ps.setLong(2, deadline);
                ps.setString(3, Feedback.TRIAGED);
                ps.setString(4, by);
                ps.setLong(5, now);
                ps.setString(6, id);
                ps.executeUpdate();
            }
            // no longer overdue: the alert closes, and opens again should the new deadline pass
            return deadline > now ? closeOverdue(c, f, now, new JsonObject().put("deadlineMovedTo", deadline)
                    .put("triagedBy", by)) : Optional.<JsonObject>empty();
        });
    }

    /** Answers the item once; a second answer is refused. */
    public Future<Outcome> answer(String id, String text, String by, long now) {
        return changeUnanswered(id, (c, f) -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE feedback SET answer = ?, answered_by = ?, "
                    + "answered_at = ?, status = ? WHERE id = ? AND answered_at IS NULL")) {
                ps.setString(1, text);
                ps.setString(2, by);
                ps.setLong(3, now);
                ps.setString(4, Feedback.ANSWERED);
                ps.setString(5, id);
                ps.executeUpdate();
            }
            return closeOverdue(c, f, now, new JsonObject().put("answeredBy", by));
        });
    }

    /** A change to an item that is not answered yet, made with the item's row locked. */
    private interface Change {
        /** Returns the overdue alert the change closed, if any. */
        Optional<JsonObject> apply(Connection c, Feedback item) throws SQLException;
    }

    private Future<Outcome> changeUnanswered(String id, Change change) {
        return db.tx(c -> {
            Optional<Feedback> f = byId(c, id, true);
            if (f.isEmpty()) {
                return new Outcome(Result.NOT_FOUND, f);
            }
            if (f.get().answered()) {
                return new Outcome(Result.ALREADY_ANSWERED, f);
            }
            Optional<JsonObject> closed = change.apply(c, f.get());
            return new Outcome(Result.CHANGED, byId(c, id, false), closed);
        });
    }

    private static Optional<Feedback> byId(Connection c, String id, boolean forUpdate) throws SQLException {
        if (forUpdate) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM feedback WHERE id = ? FOR UPDATE")) {
                ps.setString(1, id);
                ps.executeQuery().close();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE f.id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static Feedback row(ResultSet rs) throws SQLException {
        long triagedAt = rs.getLong(13);
        OptionalLong triaged = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(triagedAt);
        long answeredAt = rs.getLong(16);
        OptionalLong answered = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(answeredAt);
        return new Feedback(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                Optional.ofNullable(rs.getString(6)), Optional.ofNullable(rs.getString(7)), rs.getLong(8),
                rs.getString(9), Optional.ofNullable(rs.getString(10)), rs.getLong(11),
                Optional.ofNullable(rs.getString(12)), triaged, Optional.ofNullable(rs.getString(14)),
                Optional.ofNullable(rs.getString(15)), answered);
    }

    private static void setOptional(PreparedStatement ps, int i, Optional<String> v) throws SQLException {
        if (v.isPresent()) {
            ps.setString(i, v.get());
        } else {
            ps.setNull(i, Types.VARCHAR);
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof Long l) {
                ps.setLong(i + 1, l);
            } else {
                ps.setString(i + 1, (String) a);
            }
        }
    }

    private static String newSecret() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
