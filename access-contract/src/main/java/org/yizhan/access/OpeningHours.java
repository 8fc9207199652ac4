package org.yizhan.access;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * Opening hours {@code "HH:MM-HH:MM"} in a time zone; {@code "00:00-24:00"} (or any range that starts where it ends) is always open, and a range whose
 * end is before its start runs past midnight ({@code "22:00-06:00"}).
 */
public record OpeningHours(int openMinute, int closeMinute, ZoneId zone) {

    public static OpeningHours parse(String hours, String zone) {
        String[] parts = hours.split("-");
        if (parts.length != 2) {
            throw new IllegalArgumentException("openingHours: must be HH:MM-HH:MM, was '" + hours + "'");
        }
        return new OpeningHours(minute(parts[0]), minute(parts[1]), ZoneId.of(zone));
    }

    private static int minute(String hhmm) {
        String[] p = hhmm.split(":");
        if (p.length != 2) {
            throw new IllegalArgumentException("openingHours: '" + hhmm + "' is not HH:MM");
        }
        int m = Integer.parseInt(p[0]) * 60 + Integer.parseInt(p[1]);
        if (m < 0 || m > 24 * 60) {
            throw new IllegalArgumentException("openingHours: '" + hhmm + "' is not a time of day");
        }
        return m;
    }

    public boolean isOpen(Instant at) {
        if (openMinute == closeMinute || openMinute == 0 && closeMinute == 24 * 60) {
            return true;
        }
        LocalTime t = at.atZone(zone).toLocalTime();
        int m = t.getHour() * 60 + t.getMinute();
        return openMinute < closeMinute ? m >= openMinute && m < closeMinute : m >= openMinute || m < closeMinute;
    }
}
