package org.yizhan.hub.scorecard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A station's scorecard for a period of local days, the way federations evaluate stations, from registry facts:
 * <ul>
 *   <li><b>uptime</b>: the share of the tracked time the station was not offline. Tracked time is the period from
 *   the station's provisioning (before it there was no station to be up) up to now (the future is not counted);
 *   offline time comes from the {@code offline} alerts, each from the outage's start ({@code data.since}) to its
 *   close, or now while it is open. A station never provisioned has no uptime (null), not 0 % or 100 %;</li>
 *   <li><b>visits per day</b>: {@code access.granted} events in the period per tracked day;</li>
 *   <li><b>charger energy and utilisation</b>: energy of the charging sessions (see
 *   {@link org.yizhan.hub.charging.SessionDays}); utilisation is busy port time over ports x tracked time;</li>
 *   <li><b>feedback</b>: items received in the period, answered before their deadline or after it, still open past
 *   it (overdue) or still within it (pending); on time % = on time / (on time + late + overdue).</li>
 * </ul>
 * The fleet total sums the stations (uptime and utilisation weighted by tracked time, visits per station-day).
 */
public final class Scorecard {

    static final long HOUR = 3_600_000L;
    static final long DAY = 86_400_000L;

    /** One station's registry facts. */
    public record StationFacts(String id, String name, int ports, ZoneId zone, OptionalLong provisionedAt) {
    }

    /** An outage from start to end (now while it lasts). */
    public record Outage(long start, long end) {
    }

    /** A feedback item's times; {@code answeredAt} empty while unanswered. */
    public record FeedbackTimes(long createdAt, long deadline, OptionalLong answeredAt) {
    }

    /**
     * Visits counted in a slot of time starting at {@code at}. Slots of 15 minutes stay within one local day in
     * every time zone (all offsets are whole quarters of an hour).
     */
    public record Visits(long at, int count) {
    }

    /**
     * Everything known of one station for the period. {@code chargingDays} is
     * {@link org.yizhan.hub.charging.SessionDays#toJson()}.
     */
    public record Input(StationFacts station, List<Outage> outages, List<Visits> visits, List<FeedbackTimes> feedback,
                        JsonObject chargingDays) {
    }

    private final LocalDate from;
    private final LocalDate to;
    private final long now;

    public Scorecard(LocalDate from, LocalDate to, long now) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("from: must not be after to");
        }
        this.from = from;
        this.to = to;
        this.now = now;
    }

    /**
     * {"from","to","generatedAt","stations":[row..],"total":{row without station},"days":[fleet day..]}; each
     * station row has its own "days" when {@code withStationDays}.
     */
    public JsonObject build(List<Input> inputs, boolean withStationDays) {
        Sums total = new Sums();
        TreeMap<LocalDate, Sums> fleetDays = new TreeMap<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            fleetDays.put(d, new Sums());
        }
        JsonArray rows = new JsonArray();
        for (Input in : inputs) {
            StationResult r = station(in);
            total.add(r.sums);
            r.days.forEach((d, s) -> fleetDays.get(d).add(s));
            JsonObject row = r.sums.toJson()
                    .put("stationId", in.station().id())
                    .put("name", in.station().name())
                    .put("timeZone", in.station().zone().getId())
                    .put("ports", in.station().ports())
                    .put("provisionedAt", in.station().provisionedAt().isPresent()
                            ? in.station().provisionedAt().getAsLong() : null)
                    .put("trackedFrom", r.trackedFrom.isPresent() ? r.trackedFrom.getAsLong() : null)
                    .put("trackedTo", r.trackedFrom.isPresent() ? r.trackedTo : null);
            if (withStationDays) {
                row.put("days", days(r.days));
            }
            rows.add(row);
        }
        return new JsonObject().put("from", from.toString()).put("to", to.toString()).put("generatedAt", now)
                .put("stations", rows).put("total", total.toJson().put("stations", inputs.size()))
                .put("days", days(fleetDays));
    }

    private static JsonArray days(Map<LocalDate, Sums> days) {
        JsonArray out = new JsonArray();
        days.forEach((d, s) -> out.add(s.toJson().put("date", d.toString())));
        return out;
    }

    private record StationResult(Sums sums, TreeMap<LocalDate, Sums> days, OptionalLong trackedFrom, long trackedTo) {
    }

    private StationResult station(Input in) {
        ZoneId zone = in.station().zone();
        long periodStart = start(from, zone);
        long periodEnd = start(to.plusDays(1), zone);
        long trackedTo = Math.min(periodEnd, now);
        OptionalLong trackedFrom = in.station().provisionedAt().isPresent()
                ? OptionalLong.of(Math.max(periodStart, in.station().provisionedAt().getAsLong())) : OptionalLong.empty();
        long tf = trackedFrom.isPresent() ? trackedFrom.getAsLong() : trackedTo;
        List<Outage> outages = merge(in.outages(), tf, trackedTo);

        TreeMap<LocalDate, Sums> days = new TreeMap<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            Sums s = new Sums();
            long ds = start(d, zone);
            long de = start(d.plusDays(1), zone);
            s.trackedMillis = overlap(ds, de, tf, trackedTo);
            for (Outage o : outages) {
                s.offlineMillis += overlap(ds, de, o.start(), o.end());
            }
            s.portTrackedMillis = (long) in.station().ports() * s.trackedMillis;
            days.put(d, s);
        }
        for (Visits v : in.visits()) {
            if (v.at() >= periodStart && v.at() < periodEnd) {
                days.get(day(v.at(), zone)).visits += v.count();
            }
        }
        for (Object o : in.chargingDays().getJsonArray("days", new JsonArray())) {
            JsonObject cd = (JsonObject) o;
            Sums s = days.get(LocalDate.parse(cd.getString("date")));
            if (s != null) {
                s.energyWh += cd.getDouble("energyWh", 0.0);
                s.busyMillis += Math.round(cd.getDouble("busyMinutes", 0.0) * 60_000);
            }
        }
        for (FeedbackTimes f : in.feedback()) {
            if (f.createdAt() < periodStart || f.createdAt() >= periodEnd) {
                continue;
            }
            Sums s = days.get(day(f.createdAt(), zone));
            s.received++;
            if (f.answeredAt().isPresent()) {
                if (f.answeredAt().getAsLong() < f.deadline()) {
                    s.onTime++;
                } else {
                    s.late++;
                }
            } else if (now >= f.deadline()) {
                s.overdue++;
            } else {
                s.pending++;
            }
        }
        Sums sums = new Sums();
        days.values().forEach(sums::add);
        return new StationResult(sums, days, trackedFrom, trackedTo);
    }

    /** The outages clipped to [lo, hi), overlapping ones joined, in order. */
    static List<Outage> merge(List<Outage> outages, long lo, long hi) {
        List<Outage> clipped = new ArrayList<>();
        for (Outage o : outages) {
            long s = Math.max(lo, o.start());
            long e = Math.min(hi, o.end());
            if (e > s) {
                clipped.add(new Outage(s, e));
            }
        }
        clipped.sort(Comparator.comparingLong(Outage::start));
        List<Outage> out = new ArrayList<>();
        for (Outage o : clipped) {
            Outage last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && o.start() <= last.end()) {
                out.set(out.size() - 1, new Outage(last.start(), Math.max(last.end(), o.end())));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private static long overlap(long a, long b, long c, long d) {
        return Math.max(0, Math.min(b, d) - Math.max(a, c));
    }

    private static long start(LocalDate d, ZoneId zone) {
        return d.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    private static LocalDate day(long ts, ZoneId zone) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(ts), zone);
    }

    static Double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    /** Figures that add up over days and stations. */
    private static final class Sums {
        long trackedMillis;
        long offlineMillis;
        long portTrackedMillis;
        long busyMillis;
        double energyWh;
        int visits;
        int received;
        int onTime;
        int late;
        int overdue;
        int pending;

        void add(Sums o) {
            trackedMillis += o.trackedMillis;
            offlineMillis += o.offlineMillis;
            portTrackedMillis += o.portTrackedMillis;
            busyMillis += o.busyMillis;
            energyWh += o.energyWh;
            visits += o.visits;
            received += o.received;
            onTime += o.onTime;
            late += o.late;
            overdue += o.overdue;
            pending += o.pending;
        }

        JsonObject toJson() {
            int judged = onTime + late + overdue;
            return new JsonObject()
                    .put("trackedHours", round(trackedMillis / (double) HOUR, 2))
                    .put("offlineHours", round(offlineMillis / (double) HOUR, 2))
                    .put("uptimePct", trackedMillis == 0 ? null
                            : round(100.0 * (trackedMillis - offlineMillis) / trackedMillis, 2))
                    .put("visits", visits)
                    .put("visitsPerDay", trackedMillis == 0 ? null : round(visits / (trackedMillis / (double) DAY), 2))
                    .put("energyKwh", round(energyWh / 1000.0, 3))
                    .put("busyHours", round(busyMillis / (double) HOUR, 2))
                    .put("utilisationPct", portTrackedMillis == 0 ? null
                            : round(Math.min(100.0, 100.0 * busyMillis / portTrackedMillis), 2))
                    .put("feedback", new JsonObject()
                            .put("received", received)
                            .put("answeredOnTime", onTime)
                            .put("answeredLate", late)
                            .put("overdue", overdue)
                            .put("pending", pending)
                            .put("onTimePct", judged == 0 ? null : round(100.0 * onTime / judged, 2)));
        }
    }

    /** The zone of a station's time_zone column; {@code fallback} when empty or unknown. */
    static ZoneId zone(Optional<String> name, ZoneId fallback) {
        try {
            return name.filter(n -> !n.isBlank()).map(ZoneId::of).orElse(fallback);
        } catch (java.time.DateTimeException e) {
            return fallback;
        }
    }
}
