package org.yizhan.hub.charging;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes {@code charging_sessions} from {@code charger.session_started} and {@code charger.session_ended}, in the
 * transaction that stores the events. Sessions are keyed by (station, {@code sessionId}); events may arrive in
 * any order (an end whose start was never seen still makes a row, and a late start does not undo an end).
 * Extra fields are ignored; a missing or bad optional field is stored as unknown; an event without a usable
 * {@code sessionId} is kept as an event but makes no session, and is counted in {@code yizhan_sessions_skipped}.
 */
public final class SessionRecorder implements EventEffects, HubFeature {

    /** End reasons of contract v1; another well-formed reason from a newer agent is kept as it is. */
    public static final Set<String> REASONS = Set.of("full", "unplugged", "time-limit", "stopped-by-rider",
            "stopped-by-operator", "safety-cutoff");
    private static final Logger LOG = LoggerFactory.getLogger(SessionRecorder.class);
    private static final long MAX_TS = 7_258_118_400_000L;
    private static final int MAX_PORT = 64;
    private static final double MAX_ENERGY_WH = 1_000_000;

    private final HubMetrics metrics;

    public SessionRecorder(HubMetrics metrics) {
        this.metrics = metrics;
    }

    /** Ingestion runs this feature's derivations. */
    @Override
    public EventEffects effects() {
        return this;
    }

    @Override
    public List<JsonObject> onEvents(Connection c, String stationId, List<Event> fresh) throws SQLException {
        for (Event e : fresh) {
            boolean started = EventType.CHARGER_SESSION_STARTED.equals(e.type());
            boolean ended = EventType.CHARGER_SESSION_ENDED.equals(e.type());
            if (!started && !ended) {
                continue;
            }
            JsonObject d = e.data();
            Optional<String> sessionId = text(d, "sessionId", 64);
            if (sessionId.isEmpty()) {
                metrics.counter("yizhan_sessions_skipped");
                LOG.warn("Event {} ({}) from {} has no usable sessionId; no session recorded", e.id(), e.type(), stationId);
                continue;
            }
            if (started) {
                start(c, stationId, sessionId.get(), d, e.ts());
            } else {
                end(c, stationId, sessionId.get(), d, e.ts());
            }
        }
        return List.of();
    }

    private static void start(Connection c, String stationId, String sessionId, JsonObject d, long ts)
            throws SQLException {
        Integer port = port(d);
        String member = text(d, "member", 64).orElse(null);
        Long startedAt = time(d, "startedAt");
        if (!exists(c, stationId, sessionId)) {
            insert(c, stationId, sessionId, port, member, startedAt == null ? ts : startedAt, null, null, null);
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE charging_sessions SET port = COALESCE(?, port), "
                + "member = COALESCE(?, member), started_at = COALESCE(?, started_at) "
                + "WHERE station_id = ? AND session_id = ?")) {
            setInt(ps, 1, port);
            ps.setString(2, member);
            setLong(ps, 3, startedAt);
            ps.setString(4, stationId);
            ps.setString(5, sessionId);
            ps.executeUpdate();
        }
    }

    private static void end(Connection c, String stationId, String sessionId, JsonObject d, long ts)
            throws SQLException {
        Integer port = port(d);
        String member = text(d, "member", 64).orElse(null);
        Long startedAt = time(d, "startedAt");
        long endedAt = Optional.ofNullable(time(d, "endedAt")).orElse(ts);
        Double energy = d.getValue("energyWh") instanceof Number n && Double.isFinite(n.doubleValue())
                && n.doubleValue() >= 0 && n.doubleValue() <= MAX_ENERGY_WH ? n.doubleValue() : null;
        String reason = text(d, "reason", 32).filter(r -> r.matches("[a-z][a-z0-9-]{0,31}")).orElse("unknown");
        if (!exists(c, stationId, sessionId)) {
            insert(c, stationId, sessionId, port, member, startedAt == null ? endedAt : Math.min(startedAt, endedAt),
                    endedAt, energy, reason);
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE charging_sessions SET port = COALESCE(port, ?), "
                + "member = COALESCE(member, ?), started_at = COALESCE(?, started_at), ended_at = ?, "
                + "energy_wh = ?, end_reason = ? WHERE station_id = ? AND session_id = ?")) {
            setInt(ps, 1, port);
            ps.setString(2, member);
            setLong(ps, 3, startedAt);
            ps.setLong(4, endedAt);
            if (energy == null) {
                ps.setNull(5, Types.DOUBLE);
            } else {
                ps.setDouble(5, energy);
            }
            ps.setString(6, reason);
            ps.setString(7, stationId);
            ps.setString(8, sessionId);
            ps.executeUpdate();
        }
    }

    private static boolean exists(Connection c, String stationId, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM charging_sessions WHERE station_id = ? AND session_id = ? FOR UPDATE")) {
            ps.setString(1, stationId);
            ps.setString(2, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void insert(Connection c, String stationId, String sessionId, Integer port, String member,
                               long startedAt, Long endedAt, Double energy, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO charging_sessions (station_id, session_id, port, "
                + "member, started_at, ended_at, energy_wh, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, stationId);
            ps.setString(2, sessionId);
            setInt(ps, 3, port);
            ps.setString(4, member);
            ps.setLong(5, startedAt);
            setLong(ps, 6, endedAt);
            if (energy == null) {
                ps.setNull(7, Types.DOUBLE);
            } else {
                ps.setDouble(7, energy);
            }
            ps.setString(8, reason);
            ps.executeUpdate();
        }
    }

    private static Optional<String> text(JsonObject d, String field, int max) {
        return d.getValue(field) instanceof String s && !s.isBlank() && s.length() <= max ? Optional.of(s)
                : Optional.empty();
    }

    private static Integer port(JsonObject d) {
        if (d.getValue("port") instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && n.doubleValue() >= 1 && n.doubleValue() <= MAX_PORT) {
            return n.intValue();
        }
        return null;
    }

    private static Long time(JsonObject d, String field) {
        if (d.getValue(field) instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= MAX_TS) {
            return n.longValue();
        }
        return null;
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }
}
