package org.yizhan.hub.charging;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Charging figures per local day, for one station or summed over many. How a session counts on a day:
 * <ul>
 *   <li>{@code sessions}: sessions that started that day;</li>
 *   <li>{@code busyMinutes}: the minutes of the day its port was in the session (an open session until now, at
 *   most 12 h, see {@link SessionRow#busyUntil});</li>
 *   <li>{@code energyWh}: an ended session's energy, shared between the days it spans in proportion to its time
 *   on each (open sessions add their energy when they end);</li>
 *   <li>{@code utilisation}: busy port-minutes / (ports x minutes in the day), from 0 to 1; null without ports.</li>
 * </ul>
 * Days are the station's local days: a day has 1440 minutes, or 1380/1500 where its zone changes clocks.
 */
public final class SessionDays {

    private static final long MINUTE = 60_000L;

    private final TreeMap<LocalDate, Totals> days = new TreeMap<>();
    private final LocalDate from;
    private final LocalDate to;

    /** Figures for the days {@code from} to {@code to}, both included; every day starts at zero. */
    public SessionDays(LocalDate from, LocalDate to) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("from: must not be after to");
        }
        this.from = from;
        this.to = to;
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            days.put(d, new Totals());
        }
    }

    /** Adds one station's sessions: its days in its zone, and its ports to the capacity of every day. */
    public SessionDays add(Collection<SessionRow> sessions, ZoneId zone, int ports, long now) {
        for (Map.Entry<LocalDate, Totals> e : days.entrySet()) {
            e.getValue().portMinutes += (long) ports * minutesOf(e.getKey(), zone);
        }
        for (SessionRow s : sessions) {
            add(s, zone, now);
        }
        return this;
    }

    private void add(SessionRow s, ZoneId zone, long now) {
        long start = s.startedAt();
        long end = s.busyUntil(now);
        LocalDate first = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(start), zone);
        LocalDate last = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(end), zone);
        Totals startDay = days.get(first);
        if (startDay != null) {
            startDay.sessions++;
        }
        double energy = s.isOpen() || s.energyWh().isEmpty() ? 0 : s.energyWh().getAsDouble();
        if (end == start) {
            if (startDay != null) {
                startDay.energyWh += energy;
            }
            return;
        }
        LocalDate d = first.isBefore(from) ? from : first;
        LocalDate stop = last.isAfter(to) ? to : last;
        for (; !d.isAfter(stop); d = d.plusDays(1)) {
            long dayStart = d.atStartOfDay(zone).toInstant().toEpochMilli();
            long dayEnd = d.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
            long overlap = Math.min(end, dayEnd) - Math.max(start, dayStart);
            if (overlap <= 0) {
                continue;
            }
            Totals t = days.get(d);
            t.busyMillis += overlap;
            t.energyWh += energy * overlap / (end - start);
        }
    }

    /** {"days":[{"date","sessions","energyWh","busyMinutes","utilisation"}],"total":{..same without date}}. */
    public JsonObject toJson() {
        JsonArray out = new JsonArray();
        Totals total = new Totals();
        for (Map.Entry<LocalDate, Totals> e : days.entrySet()) {
            out.add(e.getValue().toJson().put("date", e.getKey().toString()));
            total.sessions += e.getValue().sessions;
            total.energyWh += e.getValue().energyWh;
            total.busyMillis += e.getValue().busyMillis;
            total.portMinutes += e.getValue().portMinutes;
        }
        return new JsonObject().put("days", out).put("total", total.toJson());
    }

    /** The figures of one day (zero if it is outside the range). */
    public JsonObject day(LocalDate date) {
        Totals t = days.get(date);
        return (t == null ? new Totals() : t).toJson().put("date", date.toString());
    }

    static long minutesOf(LocalDate day, ZoneId zone) {
        return (day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli()
                - day.atStartOfDay(zone).toInstant().toEpochMilli()) / MINUTE;
    }

    private static final class Totals {
        int sessions;
        double energyWh;
        long busyMillis;
        long portMinutes;

        JsonObject toJson() {
            double busyMinutes = busyMillis / (double) MINUTE;
            Double utilisation = portMinutes == 0 ? null
                    : Math.round(Math.min(1.0, busyMinutes / portMinutes) * 10_000) / 10_000.0;
            return new JsonObject()
                    .put("sessions", sessions)
                    .put("energyWh", Math.round(energyWh * 10) / 10.0)
                    .put("busyMinutes", Math.round(busyMinutes * 10) / 10.0)
                    .put("utilisation", utilisation);
        }
    }
}
