package org.yizhan.hub.scorecard;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.charging.ChargingStore;
import org.yizhan.hub.db.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * Reads what a {@link Scorecard} needs from the registry: stations, their offline alerts, visits (counted per
 * 15 minutes in SQL, so a busy fleet does not ship every event), feedback times, and charging days from
 * {@link ChargingStore}.
 */
public final class ScorecardStore {

    /** Visits are counted in slots of this length. */
    static final long SLOT_MILLIS = 15 * 60_000L;

    private final Database db;
    private final ChargingStore charging;

    public ScorecardStore(Database db, ChargingStore charging) {
        this.db = db;
        this.charging = charging;
    }

    /** The scorecard of one station or all; empty when the given station does not exist. */
    public Future<Optional<JsonObject>> scorecard(Optional<String> stationId, LocalDate from, LocalDate to, long now) {
        Future<Map<String, JsonObject>> chargingDays = charging.daysByStation(stationId, from, to, now);
        Future<List<Partial>> facts = db.call(c -> read(c, stationId, from, to));
        // a fleet over a year is days x outages of work: done on a worker, not on the event loop
        return Future.all(chargingDays, facts).compose(all -> offLoop(() -> {
            List<Partial> parts = facts.result();
            if (stationId.isPresent() && parts.isEmpty()) {
                return Optional.empty();
            }
            List<Scorecard.Input> inputs = new ArrayList<>();
            for (Partial p : parts) {
                inputs.add(new Scorecard.Input(p.station, p.outages, p.visits, p.feedback,
                        chargingDays.result().getOrDefault(p.station.id(), new JsonObject())));
            }
            return Optional.of(new Scorecard(from, to, now).build(inputs, stationId.isPresent()));
        }));
    }

    private static <T> Future<T> offLoop(Callable<T> work) {
        Context context = Vertx.currentContext();
        if (context == null) {
            try {
                return Future.succeededFuture(work.call());
            } catch (Exception e) {
                return Future.failedFuture(e);
            }
        }
        return context.executeBlocking(work, false);
    }

    private record Partial(Scorecard.StationFacts station, List<Scorecard.Outage> outages, List<Scorecard.Visits> visits,
                           List<Scorecard.FeedbackTimes> feedback) {
    }

    private static List<Partial> read(Connection c, Optional<String> stationId, LocalDate from, LocalDate to)
            throws SQLException {
        List<Scorecard.StationFacts> stations = stations(c, stationId);
        if (stations.isEmpty()) {
            return List.of();
        }
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (Scorecard.StationFacts s : stations) {
            lo = Math.min(lo, from.atStartOfDay(s.zone()).toInstant().toEpochMilli());
            hi = Math.max(hi, to.plusDays(1).atStartOfDay(s.zone()).toInstant().toEpochMilli());
        }
        Map<String, List<Scorecard.Outage>> outages = outages(c, stationId, lo, hi);
        Map<String, List<Scorecard.Visits>> visits = visits(c, stationId, lo, hi);
        Map<String, List<Scorecard.FeedbackTimes>> feedback = feedback(c, stationId, lo, hi);
        List<Partial> out = new ArrayList<>();
        for (Scorecard.StationFacts s : stations) {
            out.add(new Partial(s, outages.getOrDefault(s.id(), List.of()), visits.getOrDefault(s.id(), List.of()),
                    feedback.getOrDefault(s.id(), List.of())));
        }
        return out;
    }

    private static List<Scorecard.StationFacts> stations(Connection c, Optional<String> stationId) throws SQLException {
        String sql = "SELECT id, name, ports, time_zone, provisioned_at FROM stations"
                + (stationId.isPresent() ? " WHERE id = ?" : "") + " ORDER BY id";
        List<Scorecard.StationFacts> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (stationId.isPresent()) {
                ps.setString(1, stationId.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ZoneId zone = Scorecard.zone(Optional.ofNullable(rs.getString(4)), ChargingStore.DEFAULT_ZONE);
                    long provisioned = rs.getLong(5);
                    OptionalLong p = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(provisioned);
                    out.add(new Scorecard.StationFacts(rs.getString(1), rs.getString(2), rs.getInt(3), zone, p));
                }
            }
        }
        return out;
    }

    /** Offline alerts that may overlap [lo, hi): each from its outage's start to its close (or now: Long.MAX_VALUE). */
    private static Map<String, List<Scorecard.Outage>> outages(Connection c, Optional<String> stationId, long lo, long hi)
            throws SQLException {
        String sql = "SELECT station_id, opened_at, closed_at, data FROM alerts WHERE type = ? AND opened_at < ? "
                + "AND (closed_at IS NULL OR closed_at > ?)";
        return perStation(c, sql, List.of(AlertStore.OFFLINE, hi, lo), stationId, rs -> {
            long opened = rs.getLong(2);
            long closed = rs.getLong(3);
            long end = rs.wasNull() ? Long.MAX_VALUE : closed;
            long since = since(rs.getString(4)).orElse(opened);
            return new Scorecard.Outage(Math.min(since, opened), end);
        });
    }

    /** When the outage began: the alert's {@code data.since} (the alert itself opens after a grace time). */
    private static OptionalLong since(String data) {
        try {
            Long since = new JsonObject(data).getLong("since");
            return since == null || since <= 0 ? OptionalLong.empty() : OptionalLong.of(since);
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static Map<String, List<Scorecard.Visits>> visits(Connection c, Optional<String> stationId, long lo, long hi)
            throws SQLException {
        String sql = "SELECT station_id, ts / " + SLOT_MILLIS + " AS slot, COUNT(*) FROM events "
                + "WHERE type = 'access.granted' AND ts >= ? AND ts < ?";
        return perStation(c, sql, List.of(lo, hi), stationId, " GROUP BY station_id, ts / " + SLOT_MILLIS,
                rs -> new Scorecard.Visits(rs.getLong(2) * SLOT_MILLIS, rs.getInt(3)));
    }

    private static Map<String, List<Scorecard.FeedbackTimes>> feedback(Connection c, Optional<String> stationId,
                                                                       long lo, long hi) throws SQLException {
        String sql = "SELECT station_id, created_at, deadline, answered_at FROM feedback WHERE created_at >= ? "
                + "AND created_at < ?";
        return perStation(c, sql, List.of(lo, hi), stationId, rs -> {
            long answered = rs.getLong(4);
            OptionalLong a = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(answered);
            return new Scorecard.FeedbackTimes(rs.getLong(2), rs.getLong(3), a);
        });
    }

    /** Reads one row into a value; the row's first column is its station id. */
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private static <T> Map<String, List<T>> perStation(Connection c, String where, List<Object> params,
                                                       Optional<String> stationId, Row<T> row) throws SQLException {
        return perStation(c, where, params, stationId, "", row);
    }

    /**
     * Runs {@code where} (with its parameters, and {@code AND station_id = ?} for one station, then {@code tail})
     * and groups the rows by station id.
     */
    private static <T> Map<String, List<T>> perStation(Connection c, String where, List<Object> params,
                                                       Optional<String> stationId, String tail, Row<T> row)
            throws SQLException {
        String sql = where + (stationId.isPresent() ? " AND station_id = ?" : "") + tail;
        Map<String, List<T>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object p : params) {
                ps.setObject(i++, p);
            }
            if (stationId.isPresent()) {
                ps.setString(i, stationId.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(row.read(rs));
                }
            }
        }
        return out;
    }
}
