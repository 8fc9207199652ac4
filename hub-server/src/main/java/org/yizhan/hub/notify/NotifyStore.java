package org.yizhan.hub.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.http.ApiException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Notifications in the registry: channels, routes and maintenance windows (the admin's configuration), the
 * planner's progress over the alerts, and the outbox of messages with their delivery state. Every hub on the
 * registry plans and delivers: planning holds the lock on the cursor row for its transaction, so two hubs never
 * plan at once, and each message is claimed with a conditional update before it is sent, so no two hubs send it.
 */
public final class NotifyStore {

    /** Messages still to be sent, sent, or given up after {@link #MAX_ATTEMPTS}. */
    public static final String PENDING = "pending";
    public static final String SENT = "sent";
    public static final String FAILED = "failed";
    /** Tries before a message is given up. */
    public static final int MAX_ATTEMPTS = 8;
    /** Delays before the 2nd, 3rd, ... try; the last one repeats. */
    static final long[] RETRY_DELAYS_MS = {10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000};
    /** How far behind the cursor alerts are looked at again (an alert committed late under a lower id). */
    static final long LOOKBACK_IDS = 1000;
    /** The notifier's cursor over the alerts: {@code floor_id, last_id}. */
    private static final String CURSOR = "SELECT floor_id, last_id FROM notify_cursor WHERE name = 'alerts'";
    /**
     * An alert {@code a} the planning pass has not seen, from the id {@link #unseenFrom} gives: the pre-check and the
     * pass share it, so the pre-check cannot call a hub quiet that the pass would find work in.
     */
    private static final String UNSEEN =
            "a.id > ? AND NOT EXISTS (SELECT 1 FROM notify_seen n WHERE n.alert_id = a.id)";
    /** New alerts taken per planning pass. */
    static final int BATCH = 500;
    public static final int MAX_LIMIT = 500;

    private final Database db;

    public NotifyStore(Database db) {
        this.db = db;
    }

    // ---- channels ------------------------------------------------------------------------------------------

    public Future<List<Channel>> channels() {
        return db.call(c -> Rows.list(c, "SELECT id, name, kind, settings FROM notify_channels ORDER BY id",
                NotifyStore::channel));
    }

    public Future<Optional<Channel>> channel(long id) {
        return db.call(c -> channel(c, id));
    }

    private static Optional<Channel> channel(Connection c, long id) throws SQLException {
        return Rows.one(c, "SELECT id, name, kind, settings FROM notify_channels WHERE id = ?", NotifyStore::channel, id);
    }

    private static Channel channel(ResultSet rs) throws SQLException {
        return new Channel(rs.getLong(1), rs.getString(2), ChannelKind.ofWire(rs.getString(3)).orElseThrow(),
                new JsonObject(rs.getString(4)));
    }

    /** Stores a new channel; returns it with its id. */
    public Future<Channel> createChannel(Channel ch, long now, Database.Step<Channel> audit) {
        return db.tx(c -> {
            long id = insert(c, "INSERT INTO notify_channels (name, kind, settings, created_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?)", ch.name(), ch.kind().wireName(), ch.settings().encode(), now, now);
            Channel stored = new Channel(id, ch.name(), ch.kind(), ch.settings());
            audit.run(c, stored);
            return stored;
        });
    }

    /** Replaces a channel's name and settings; empty when there is no such channel. */
    public Future<Optional<Channel>> updateChannel(Channel ch, long now, Database.Step<Channel> audit) {
        return db.tx(c -> {
            int n = Rows.update(c, "UPDATE notify_channels SET name = ?, settings = ?, updated_at = ? WHERE id = ?",
                    ch.name(), ch.settings().encode(), now, ch.id());
            if (n == 0) {
                return Optional.empty();
            }
            audit.run(c, ch);
            return Optional.of(ch);
        });
    }

    /** Deletes a channel no route uses: true when deleted, false when there was none; 409 when a route uses it. */
    public Future<Boolean> deleteChannel(long id, Database.Step<Long> audit) {
        return db.tx(c -> {
            Optional<String> user = Rows.one(c, "SELECT name FROM notify_routes WHERE channel_id = ? "
                    + "OR escalate_channel_id = ? ORDER BY id", rs -> rs.getString(1), id, id);
            if (user.isPresent()) {
                throw ApiException.of(409, "channel-in-use", "Route '" + user.get()
                        + "' sends to this channel; change or delete the route first");
            }
            int n = Rows.update(c, "DELETE FROM notify_channels WHERE id = ?", id);
            if (n > 0) {
                audit.run(c, id);
            }
            return n > 0;
        });
    }

    // ---- routes --------------------------------------------------------------------------------------------

    public Future<List<Route>> routes() {
        return db.call(NotifyStore::routes);
    }

    private static List<Route> routes(Connection c) throws SQLException {
        return Rows.list(c, "SELECT id, spec FROM notify_routes ORDER BY id",
                rs -> Route.parse(rs.getLong(1), new JsonObject(rs.getString(2))));
    }

    public Future<Route> createRoute(Route r, long now, Database.Step<Route> audit) {
        return db.tx(c -> {
            checkChannels(c, r);
            long id = insert(c, "INSERT INTO notify_routes (name, channel_id, escalate_channel_id, enabled, spec, "
                    + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", r.name(), r.channelId(),
                    r.escalateToChannelId().orElse(null), r.enabled(), r.toJson().encode(), now, now);
            Route stored = Route.parse(id, r.toJson());
            audit.run(c, stored);
            return stored;
        });
    }

    public Future<Optional<Route>> updateRoute(Route r, long now, Database.Step<Route> audit) {
        return db.tx(c -> {
            checkChannels(c, r);
            int n = Rows.update(c, "UPDATE notify_routes SET name = ?, channel_id = ?, escalate_channel_id = ?, "
                    + "enabled = ?, spec = ?, updated_at = ? WHERE id = ?", r.name(), r.channelId(),
                    r.escalateToChannelId().orElse(null), r.enabled(), r.toJson().encode(), now, r.id());
            if (n == 0) {
                return Optional.<Route>empty();
            }
            audit.run(c, r);
            return Optional.of(r);
        });
    }

    public Future<Boolean> deleteRoute(long id, Database.Step<Long> audit) {
        return db.tx(c -> {
            int n = Rows.update(c, "DELETE FROM notify_routes WHERE id = ?", id);
            if (n > 0) {
                audit.run(c, id);
            }
            return n > 0;
        });
    }

    private static void checkChannels(Connection c, Route r) throws SQLException {
        if (!Rows.any(c, "SELECT 1 FROM notify_channels WHERE id = ?", r.channelId())) {
            throw ApiException.badField("channelId", "no channel has id " + r.channelId());
        }
        if (r.escalateToChannelId().isPresent()
                && !Rows.any(c, "SELECT 1 FROM notify_channels WHERE id = ?", r.escalateToChannelId().get())) {
            throw ApiException.badField("escalateToChannelId", "no channel has id " + r.escalateToChannelId().get());
        }
    }

    // ---- maintenance ---------------------------------------------------------------------------------------

    /** Windows that have not ended at {@code now}, soonest first. */
    public Future<JsonArray> maintenance(long now) {
        return db.call(c -> new JsonArray(Rows.list(c, "SELECT id, station_id, starts_at, ends_at, note, created_by "
                + "FROM notify_maintenance WHERE ends_at > ? ORDER BY starts_at, id", NotifyStore::window, now)));
    }

    private static JsonObject window(ResultSet rs) throws SQLException {
        return new JsonObject().put("id", rs.getLong(1)).put("stationId", rs.getString(2)).put("from", rs.getLong(3))
                .put("to", rs.getLong(4)).put("note", rs.getString(5)).put("createdBy", rs.getString(6));
    }

    /** Stores a window for a known station (400 for an unknown one); returns it. */
    public Future<JsonObject> createWindow(String stationId, long from, long to, String note, String by, long now,
                                           Database.Step<JsonObject> audit) {
        return db.tx(c -> {
            if (!Rows.any(c, "SELECT 1 FROM stations WHERE id = ?", stationId)) {
                throw ApiException.badField("stationId", "no station has id " + stationId);
            }
            long id = insert(c, "INSERT INTO notify_maintenance (station_id, starts_at, ends_at, note, created_by, "
                    + "created_at) VALUES (?, ?, ?, ?, ?, ?)", stationId, from, to, note, by, now);
            JsonObject w = new JsonObject().put("id", id).put("stationId", stationId).put("from", from).put("to", to)
                    .put("note", note).put("createdBy", by);
            audit.run(c, w);
            return w;
        });
    }

    public Future<Boolean> deleteWindow(long id, Database.Step<Long> audit) {
        return db.tx(c -> {
            int n = Rows.update(c, "DELETE FROM notify_maintenance WHERE id = ?", id);
            if (n > 0) {
                audit.run(c, id);
            }
            return n > 0;
        });
    }

    // ---- planning ------------------------------------------------------------------------------------------

    /**
     * One planning pass at {@code now}: looks at alerts not seen yet (records which routes they match, silenced when
     * their station is in maintenance), then asks {@link Rules} about every alert and route not done, queueing the
     * messages due. Returns how many messages it queued.
     */
    public Future<Integer> plan(long now) {
        return db.call(NotifyStore::nothingToPlan).compose(idle -> idle ? Future.succeededFuture(0) : planNow(now));
    }

    /**
     * Whether a pass would find nothing to do: no alert it has not seen, nothing not done. Read without locks, so the
     * pass of a quiet hub, once a second, locks and writes nothing (the cursor's {@code FOR UPDATE} is a write in H2,
     * which then saved a chunk of its file every half second). A pass that starts just after an alert sees it.
     */
    private static boolean nothingToPlan(Connection c) throws SQLException {
        Optional<long[]> cursor = Rows.one(c, CURSOR, rs -> new long[] {rs.getLong(1), rs.getLong(2)});
        if (cursor.isEmpty()) {
            return false; // the pass says what is wrong
        }
        return Rows.one(c, "SELECT 1 FROM alerts a WHERE " + UNSEEN + " LIMIT 1", rs -> true,
                        unseenFrom(cursor.get())).isEmpty()
                && Rows.one(c, "SELECT 1 FROM notify_progress WHERE done_at IS NULL LIMIT 1", rs -> true).isEmpty();
    }

    /** The id after which the pass looks for unseen alerts: {@link #LOOKBACK_IDS} behind the cursor. */
    private static long unseenFrom(long[] cursor) {
        return Math.max(cursor[0], cursor[1] - LOOKBACK_IDS);
    }

    private Future<Integer> planNow(long now) {
        return db.tx(c -> {
            long[] cursor = Rows.one(c, CURSOR + " FOR UPDATE", rs -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .orElseThrow(() -> new IllegalStateException("notify_cursor has no row 'alerts'"));
            long from = unseenFrom(cursor);
            List<Route> routes = routes(c);
            Map<Long, Route> byId = new HashMap<>();
            routes.forEach(r -> byId.put(r.id(), r));
            Set<String> maintenance = new HashSet<>(Rows.list(c, "SELECT station_id FROM notify_maintenance "
                    + "WHERE starts_at <= ? AND ends_at > ?", rs -> rs.getString(1), now, now));

            List<String[]> fresh = Rows.list(c, "SELECT a.id, a.station_id, COALESCE(s.name, a.station_id), a.type, "
                    + "COALESCE(s.district, '') FROM alerts a LEFT JOIN stations s ON s.id = a.station_id "
                    + "WHERE " + UNSEEN + " ORDER BY a.id LIMIT " + BATCH, rs -> new String[] {rs.getString(1),
                    rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)}, from);
            long last = cursor[1];
            for (String[] a : fresh) {
                long id = Long.parseLong(a[0]);
                last = Math.max(last, id);
                Rows.update(c, "INSERT INTO notify_seen (alert_id, seen_at) VALUES (?, ?)", id, now);
                for (Route r : routes) {
                    if (r.matches(a[1], a[2], a[4], a[3])) {
                        Rows.update(c, "INSERT INTO notify_progress (alert_id, route_id, seen_at, silenced) "
                                + "VALUES (?, ?, ?, ?)", id, r.id(), now, maintenance.contains(a[1]));
                    }
                }
            }
            if (last != cursor[1]) {
                Rows.update(c, "UPDATE notify_cursor SET last_id = ? WHERE name = 'alerts'", last);
                Rows.update(c, "DELETE FROM notify_seen WHERE alert_id <= ?", Math.max(cursor[0], last - LOOKBACK_IDS));
            }
            return advance(c, byId, maintenance, now);
        });
    }

    private record Active(Messages.Alert alert, long routeId, Rules.AlertNow now, Rules.Sent sent) {
    }

    private static int advance(Connection c, Map<Long, Route> routes, Set<String> maintenance, long now)
            throws SQLException {
        List<Active> active = Rows.list(c, "SELECT p.alert_id, p.route_id, p.seen_at, p.silenced, p.opened_sent_at, "
                + "p.reminders, p.last_sent_at, p.escalated_at, a.station_id, COALESCE(s.name, a.station_id), a.type, "
                + "a.subject, a.opened_at, a.closed_at, a.resolved_at, a.acked_at, a.data FROM notify_progress p "
                + "JOIN alerts a ON a.id = p.alert_id LEFT JOIN stations s ON s.id = a.station_id "
                + "WHERE p.done_at IS NULL ORDER BY p.alert_id, p.route_id", rs -> {
                    Rules.Sent sent = new Rules.Sent(rs.getLong(3), rs.getBoolean(4), optional(rs, 5), rs.getInt(6),
                            optional(rs, 7), optional(rs, 8));
                    OptionalLong closed = optional(rs, 14);
                    OptionalLong resolved = optional(rs, 15);
                    boolean acked = optional(rs, 16).isPresent();
                    Optional<Long> closedAt = closed.isPresent() ? Optional.of(closed.getAsLong())
                            : resolved.isPresent() ? Optional.of(resolved.getAsLong()) : Optional.empty();
                    Messages.Alert alert = new Messages.Alert(rs.getLong(1), rs.getString(9), rs.getString(10),
                            rs.getString(11), rs.getString(12) == null ? "" : rs.getString(12), rs.getLong(13),
                            closedAt, new JsonObject(rs.getString(17)));
                    return new Active(alert, rs.getLong(2), new Rules.AlertNow(alert.type(), closedAt.isPresent(), acked),
                            sent);
                });
        int queued = 0;
        for (Active a : active) {
            long alertId = a.alert().id();
            Route route = routes.get(a.routeId());
            if (route == null || !route.enabled()) {
                Rows.update(c, "UPDATE notify_progress SET done_at = ? WHERE alert_id = ? AND route_id = ?", now,
                        alertId, a.routeId());
                continue;
            }
            Rules.Decision d = Rules.decide(route, a.now(), a.sent(), maintenance.contains(a.alert().stationId()), now);
            int reminders = a.sent().reminders();
            for (Rules.Step step : d.steps()) {
                int seq = step == Rules.Step.REMINDER ? ++reminders : 0;
                Message m = Messages.of(step, a.alert(), route.zone(), seq, now);
                List<Long> to = new ArrayList<>();
                switch (step) {
                    case ESCALATION -> to.add(route.escalateToChannelId().orElseThrow());
                    case RESOLVED -> {
                        to.add(route.channelId());
                        if (a.sent().escalatedAt().isPresent()) {
                            route.escalateToChannelId().ifPresent(to::add);
                        }
                    }
                    default -> to.add(route.channelId());
                }
                for (long channelId : to) {
                    Rows.update(c, "INSERT INTO notify_outbox (alert_id, route_id, channel_id, kind, seq, station_id, "
                            + "title, body, urgent, status, attempts, next_at, created_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)", alertId, route.id(), channelId,
                            step.name().toLowerCase(java.util.Locale.ROOT), seq, a.alert().stationId(), m.title(),
                            m.text(), m.urgent(), PENDING, now, now);
                    queued++;
                }
                switch (step) {
                    case OPENED -> Rows.update(c, "UPDATE notify_progress SET opened_sent_at = ?, last_sent_at = ? "
                            + "WHERE alert_id = ? AND route_id = ?", now, now, alertId, route.id());
                    case REMINDER -> Rows.update(c, "UPDATE notify_progress SET reminders = ?, last_sent_at = ? "
                            + "WHERE alert_id = ? AND route_id = ?", reminders, now, alertId, route.id());
                    case ESCALATION -> Rows.update(c, "UPDATE notify_progress SET escalated_at = ? "
                            + "WHERE alert_id = ? AND route_id = ?", now, alertId, route.id());
                    default -> { }
                }
            }
            if (d.done()) {
                Rows.update(c, "UPDATE notify_progress SET done_at = ? WHERE alert_id = ? AND route_id = ?", now,
                        alertId, route.id());
            }
        }
        return queued;
    }

    // ---- delivery ------------------------------------------------------------------------------------------

    /** A message claimed for sending, with its channel (empty when the channel was deleted since). */
    public record Delivery(long id, String kind, Optional<Channel> channel, Message message, int attempts) {
    }

    /**
     * Messages due at {@code now} and not claimed by a live claim, oldest first; a message waits while an earlier
     * one about the same alert to the same channel is still pending, so "resolved" never overtakes "opened".
     */
    public Future<List<Long>> due(long now, int limit) {
        return db.call(c -> Rows.list(c, "SELECT o.id FROM notify_outbox o WHERE o.status = ? AND o.next_at <= ? "
                + "AND (o.claimed_until IS NULL OR o.claimed_until < ?) AND NOT EXISTS (SELECT 1 FROM notify_outbox e "
                + "WHERE e.alert_id = o.alert_id AND e.channel_id = o.channel_id AND e.status = ? AND e.id < o.id) "
                + "ORDER BY o.id LIMIT " + Math.max(1, limit), rs -> rs.getLong(1), PENDING, now, now, PENDING));
    }

    /** Claims the message for {@code holder} until {@code until}; empty when another hub has it or it is not due. */
    public Future<Optional<Delivery>> claim(long id, String holder, long now, long until) {
        return db.call(c -> {
            int n = Rows.update(c, "UPDATE notify_outbox SET claimed_by = ?, claimed_until = ? WHERE id = ? "
                    + "AND status = ? AND (claimed_until IS NULL OR claimed_until < ?)", holder, until, id, PENDING, now);
            if (n == 0) {
                return Optional.<Delivery>empty();
            }
            Optional<Object[]> row = Rows.one(c, "SELECT kind, channel_id, title, body, urgent, attempts "
                    + "FROM notify_outbox WHERE id = ?", rs -> new Object[] {rs.getString(1), rs.getLong(2),
                    new Message(rs.getString(3), List.of(rs.getString(4).split("\n", -1)), rs.getBoolean(5),
                            Message.Severity.of(rs.getString(1), rs.getBoolean(5))),
                    rs.getInt(6)}, id);
            if (row.isEmpty()) {
                return Optional.<Delivery>empty();
            }
            Object[] r = row.get();
            return Optional.of(new Delivery(id, (String) r[0], channel(c, (Long) r[1]), (Message) r[2], (Integer) r[3]));
        });
    }

    /** Records the outcome of the holder's try: sent, or failed and due again later (or given up). Returns the status. */
    public Future<String> finish(long id, String holder, long now, Optional<String> error) {
        return db.call(c -> {
            if (error.isEmpty()) {
                Rows.update(c, "UPDATE notify_outbox SET status = ?, attempts = attempts + 1, sent_at = ?, "
                        + "claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?", SENT, now, id, holder);
                return SENT;
            }
            int attempts = Rows.one(c, "SELECT attempts FROM notify_outbox WHERE id = ?", rs -> rs.getInt(1), id)
                    .orElse(0) + 1;
            String status = attempts >= MAX_ATTEMPTS ? FAILED : PENDING;
            long next = now + RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)];
            String e = error.get().length() > 500 ? error.get().substring(0, 500) : error.get();
            Rows.update(c, "UPDATE notify_outbox SET status = ?, attempts = ?, next_at = ?, last_error = ?, "
                    + "claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?", status, attempts,
                    next, e, id, holder);
            return status;
        });
    }

    /** Records a message sent at once (a test message), with its outcome; no retries. */
    public Future<Long> record(long channelId, Message m, Optional<String> error, long now) {
        return db.call(c -> insert(c, "INSERT INTO notify_outbox (channel_id, kind, title, body, urgent, status, "
                + "attempts, next_at, last_error, created_at, sent_at) VALUES (?, 'test', ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                channelId, m.title(), m.text(), m.urgent(), error.isEmpty() ? SENT : FAILED, now,
                error.orElse(null), now, error.isEmpty() ? now : null));
    }

    /** The newest messages, with their delivery state; only those of one status or alert when given. */
    public Future<JsonArray> deliveries(Optional<String> status, Optional<Long> alertId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT o.id, o.alert_id, o.route_id, o.channel_id, c.name, c.kind, "
                + "o.kind, o.seq, o.station_id, o.title, o.status, o.attempts, o.next_at, o.last_error, o.created_at, "
                + "o.sent_at FROM notify_outbox o LEFT JOIN notify_channels c ON c.id = o.channel_id WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        status.ifPresent(s -> {
            sql.append(" AND o.status = ?");
            args.add(s);
        });
        alertId.ifPresent(a -> {
            sql.append(" AND o.alert_id = ?");
            args.add(a);
        });
        sql.append(" ORDER BY o.id DESC LIMIT ").append(Math.max(1, Math.min(limit, MAX_LIMIT)));
        return db.call(c -> new JsonArray(Rows.list(c, sql.toString(), rs -> new JsonObject()
                .put("id", rs.getLong(1)).put("alertId", nullable(rs, 2)).put("routeId", nullable(rs, 3))
                .put("channel", new JsonObject().put("id", rs.getLong(4)).put("name", rs.getString(5))
                        .put("kind", rs.getString(6)))
                .put("kind", rs.getString(7)).put("seq", rs.getInt(8)).put("stationId", rs.getString(9))
                .put("title", rs.getString(10)).put("status", rs.getString(11)).put("attempts", rs.getInt(12))
                .put("nextAt", rs.getLong(13)).put("lastError", rs.getString(14)).put("createdAt", rs.getLong(15))
                .put("sentAt", nullable(rs, 16)), args.toArray())));
    }

    /** How many messages are pending and how many were given up. */
    public Future<Map<String, Long>> counts() {
        return db.call(c -> {
            Map<String, Long> out = new HashMap<>(Map.of(PENDING, 0L, FAILED, 0L));
            for (Object[] row : Rows.list(c, "SELECT status, COUNT(*) FROM notify_outbox WHERE status IN (?, ?) "
                    + "GROUP BY status", rs -> new Object[] {rs.getString(1), rs.getLong(2)}, PENDING, FAILED)) {
                out.put((String) row[0], (Long) row[1]);
            }
            return out;
        });
    }

    private static OptionalLong optional(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static Long nullable(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static long insert(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            Rows.bind(ps, values).executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no id generated");
                }
                return keys.getLong(1);
            }
        }
    }
}
