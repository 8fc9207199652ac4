package org.yizhan.access;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opening hours {@code "HH:MM-HH:MM"} in a time zone; {@code "00:00-24:00"} (or any range that starts where it ends) is always open, and a range whose
 * end is before its start runs past midnight ({@code "22:00-06:00"}).
 */
public record OpeningHours(int openMinute, int closeMinute, ZoneId zone) {

    /** The form the station configuration allows: a start of 00:00 to 23:59, an end of 00:00 to 24:00. */
    public static final Pattern FORM = Pattern.compile("(([01]\\d|2[0-3]):[0-5]\\d)-(([01]\\d|2[0-3]):[0-5]\\d|24:00)");

    /** Reads {@code hours} in {@code zone}; anything else is an {@link IllegalArgumentException} naming the setting. */
    public static OpeningHours parse(String hours, String zone) {
        Matcher m = hours == null ? null : FORM.matcher(hours);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("openingHours: must be HH:MM-HH:MM, like 06:00-23:30 or 00:00-24:00, was '"
                    + shown(hours) + "'");
        }
        ZoneId z;
        try {
            z = ZoneId.of(zone);
        } catch (DateTimeException | NullPointerException e) {
            throw new IllegalArgumentException("openingHours: '" + shown(zone) + "' is not a time zone, like Asia/Shanghai");
        }
        return new OpeningHours(minute(m.group(1)), minute(m.group(3)), z);
    }

    private static int minute(String hhmm) {
        return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3, 5));
    }

    private static String shown(String s) {
        return s == null ? "" : s.length() > 40 ? s.substring(0, 40) + "..." : s;
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
