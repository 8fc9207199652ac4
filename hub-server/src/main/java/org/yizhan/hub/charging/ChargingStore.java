package org.yizhan.hub.charging;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.stations.ChargingNow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads charging sessions: pages of one station's sessions, newest first, and figures per local day (see
 * {@link SessionDays}) for one station or all. A station's days are in its {@code time_zone}, or
 * {@link #DEFAULT_ZONE} when it has none. Only sessions that started at most a day before a range count in it.
 */
public final class ChargingStore implements ChargingNow {

    /** The zone of stations that set none: stations are in China. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");
    /** Largest page {@link #list} returns. */
    public static final int MAX_LIMIT = 1000;
    /** A page cursor: {@code startedAt.rowId} of the last session of the previous page. */
    public static final Pattern CURSOR = Pattern.compile("(\\d{1,15})\\.(\\d{1,18})");
    private static final Logger LOG = LoggerFactory.getLogger(ChargingStore.class);
    private static final long DAY = 86_400_000L;
    private static final String COLUMNS =
            "id, station_id, session_id, port, member, started_at, ended_at, energy_wh, end_reason";

    private final Database db;

    public ChargingStore(Database db) {
        this.db = db;
    }

    /** A station's registry facts the figures need. */
    public record StationFacts(String id, String name, int ports, ZoneId zone) {
    }

    /**
     * Whether the member has charging under way anywhere: a session started in the last 12 h (the forced end)
     * without an end, or a {@code charger.start} they asked for that is still pending or delivered.
     */
    public Future<Boolean> chargingUnderWay(String member, long now) {
        long since = now - SessionRow.MAX_SESSION_MILLIS;
        return db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT COUNT(*) FROM charging_sessions "
                    + "WHERE member = ? AND ended_at IS NULL AND started_at > ?) + (SELECT COUNT(*) FROM commands "
                    + "WHERE name = 'charger.start' AND created_by = ? AND status IN ('pending', 'delivered') "
                    + "AND expires_at > ?)")) {
                ps.setString(1, member);
                ps.setLong(2, since);
                ps.setString(3, member);
                ps.setLong(4, now);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            }
        });
    }

    /** One station's facts; empty for an unknown station. */
    public Future<Optional<StationFacts>> station(String stationId) {
        return db.call(c -> stations(c, Optional.of(stationId)).stream().findFirst());
    }

    /**
     * {"sessions":[..],"next": cursor-or-null}: the station's sessions that started in [from, to), newest first,
     * on one port if {@code port} > 0, after the {@code after} cursor if it is not empty.
     */
    public Future<JsonObject> list(String stationId, long from, long to, int port, int limit, String after) {
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        Matcher cursor = CURSOR.matcher(after);
        if (!after.isEmpty() && !cursor.matches()) {
            return Future.failedFuture(new IllegalArgumentException("after: not a cursor"));
        }
        return db.call(c -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS
                    + " FROM charging_sessions WHERE station_id = ? AND started_at >= ? AND started_at < ?");
            if (port > 0) {
                sql.append(" AND port = ?");
            }
            if (!after.isEmpty()) {
                sql.append(" AND (started_at < ? OR (started_at = ? AND id < ?))");
            }
            sql.append(" ORDER BY started_at DESC, id DESC LIMIT ").append(n + 1);
            JsonArray out = new JsonArray();
            String next = null;
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setString(i++, stationId);
                ps.setLong(i++, from);
                ps.setLong(i++, to);
                if (port > 0) {
                    ps.setInt(i++, port);
                }
                if (!after.isEmpty()) {
                    long a = Long.parseLong(cursor.group(1));
                    ps.setLong(i++, a);
                    ps.setLong(i++, a);
                    ps.setLong(i, Long.parseLong(cursor.group(2)));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    SessionRow last = null;
                    while (rs.next()) {
                        if (out.size() == n) {
                            next = last.startedAt() + "." + last.rowId();
                            break;
                        }
                        last = row(rs);
                        out.add(last.toJson());
                    }
                }
            }
            return new JsonObject().put("sessions", out).put("next", next);
        });
    }

    /** One station's figures per local day from {@code from} to {@code to} (inclusive); empty for an unknown station. */
    public Future<Optional<JsonObject>> summary(String stationId, LocalDate from, LocalDate to, long now) {
        return db.call(c -> {
            List<StationFacts> facts = stations(c, Optional.of(stationId));
            if (facts.isEmpty()) {
                return Optional.<JsonObject>empty();
            }
            StationFacts s = facts.get(0);
            Map<String, List<SessionRow>> rows = sessions(c, Optional.of(stationId), start(from, s.zone()) - DAY,
                    start(to.plusDays(1), s.zone()));
            JsonObject out = new SessionDays(from, to).add(rows.getOrDefault(stationId, List.of()), s.zone(), s.ports(), now)
                    .toJson();
            return Optional.of(out.put("stationId", stationId).put("timeZone", s.zone().getId())
                    .put("ports", s.ports()).put("from", from.toString()).put("to", to.toString()));
        });
    }

    /**
     * Every station's figures summed per date (each station counted in its own local days), with each station's
     * totals: {"days":[..],"total":{..},"stations":[{"stationId","name","sessions","energyWh","busyMinutes","utilisation"}]}.
     */
    public Future<JsonObject> summaryAll(LocalDate from, LocalDate to, long now) {
        return db.call(c -> {
            List<StationFacts> facts = stations(c, Optional.empty());
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (StationFacts s : facts) {
                lo = Math.min(lo, start(from, s.zone()) - DAY);
                hi = Math.max(hi, start(to.plusDays(1), s.zone()));
            }
            Map<String, List<SessionRow>> rows = facts.isEmpty() ? Map.of() : sessions(c, Optional.empty(), lo, hi);
            SessionDays all = new SessionDays(from, to);
            JsonArray perStation = new JsonArray();
            for (StationFacts s : facts) {
                List<SessionRow> own = rows.getOrDefault(s.id(), List.of());
                all.add(own, s.zone(), s.ports(), now);
                JsonObject total = new SessionDays(from, to).add(own, s.zone(), s.ports(), now).toJson()
                        .getJsonObject("total");
                perStation.add(total.put("stationId", s.id()).put("name", s.name()));
            }
            return all.toJson().put("stations", perStation).put("from", from.toString()).put("to", to.toString());
        });
    }

    /**
     * Each station's figures per local day from {@code from} to {@code to} (inclusive), as {@link SessionDays#toJson()},
     * by station id; one station's only when {@code stationId} is given.
     */
    public Future<Map<String, JsonObject>> daysByStation(Optional<String> stationId, LocalDate from, LocalDate to,
                                                         long now) {
        return db.call(c -> {
            List<StationFacts> facts = stations(c, stationId);
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (StationFacts s : facts) {
                lo = Math.min(lo, start(from, s.zone()) - DAY);
                hi = Math.max(hi, start(to.plusDays(1), s.zone()));
            }
            Map<String, List<SessionRow>> rows = facts.isEmpty() ? Map.of() : sessions(c, stationId, lo, hi);
            Map<String, JsonObject> out = new LinkedHashMap<>();
            for (StationFacts s : facts) {
                out.put(s.id(), new SessionDays(from, to).add(rows.getOrDefault(s.id(), List.of()), s.zone(), s.ports(), now)
                        .toJson());
            }
            return out;
        });
    }

    @Override
    public Future<Map<String, Snapshot>> snapshot(Optional<String> stationId, long now) {
        return db.call(c -> {
            List<StationFacts> facts = stations(c, stationId);
            Map<String, List<SessionRow>> rows = sessions(c, stationId, now - 2 * DAY, Long.MAX_VALUE);
            Map<String, Snapshot> out = new HashMap<>();
            for (StationFacts s : facts) {
                List<SessionRow> own = rows.getOrDefault(s.id(), List.of());
                LocalDate today = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(now), s.zone());
                JsonObject figures = new SessionDays(today, today).add(own, s.zone(), s.ports(), now).day(today);
                Map<Integer, JsonObject> open = new LinkedHashMap<>();
                for (SessionRow r : own) {
                    // newest first: the first open session seen on a port is its current one
                    if (r.isOpen() && r.port().isPresent() && now - r.startedAt() <= SessionRow.MAX_SESSION_MILLIS) {
                        open.putIfAbsent(r.port().getAsInt(), r.toJson());
                    }
                }
                out.put(s.id(), new Snapshot(figures, open));
            }
            return out;
        });
    }

    private static long start(LocalDate day, ZoneId zone) {
        return day.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    private static List<StationFacts> stations(Connection c, Optional<String> stationId) throws SQLException {
        String sql = "SELECT id, name, ports, time_zone FROM stations" + (stationId.isPresent() ? " WHERE id = ?" : "")
                + " ORDER BY id";
        List<StationFacts> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (stationId.isPresent()) {
                ps.setString(1, stationId.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StationFacts(rs.getString(1), rs.getString(2), rs.getInt(3), zone(rs.getString(1), rs.getString(4))));
                }
            }
        }
        return out;
    }

    private static ZoneId zone(String stationId, String name) {
        if (name == null || name.isBlank()) {
            return DEFAULT_ZONE;
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            LOG.warn("Station {} has an unknown time zone '{}'; using {}", stationId, name, DEFAULT_ZONE);
            return DEFAULT_ZONE;
        }
    }

    /** Sessions that started in [from, to), newest first, by station. */
    private static Map<String, List<SessionRow>> sessions(Connection c, Optional<String> stationId, long from, long to)
            throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM charging_sessions WHERE started_at >= ? AND started_at < ?"
                + (stationId.isPresent() ? " AND station_id = ?" : "") + " ORDER BY started_at DESC, id DESC";
        Map<String, List<SessionRow>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from);
            ps.setLong(2, to);
            if (stationId.isPresent()) {
                ps.setString(3, stationId.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SessionRow r = row(rs);
                    out.computeIfAbsent(r.stationId(), k -> new ArrayList<>()).add(r);
                }
            }
        }
        return out;
    }

    private static SessionRow row(ResultSet rs) throws SQLException {
        int port = rs.getInt(4);
        OptionalInt p = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(port);
        long ended = rs.getLong(7);
        OptionalLong e = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(ended);
        double energy = rs.getDouble(8);
        OptionalDouble en = rs.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(energy);
        return new SessionRow(rs.getLong(1), rs.getString(2), rs.getString(3), p, Optional.ofNullable(rs.getString(5)),
                rs.getLong(6), e, en, Optional.ofNullable(rs.getString(9)));
    }
}
