package org.yizhan.agent.gnss;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The NMEA 0183 sentences a GNSS receiver sends that say where it is: RMC (position with a valid/void status),
 * GGA (position with the fix quality) and GST (the position's error, in metres), from any talker (GP, GN, BD,
 * GL...). A sentence whose checksum does not match, that is cut short, or that reports no fix gives nothing.
 */
public final class Nmea {

    /** What one sentence says: a position (WGS-84 degrees), or only an error estimate in metres. */
    public record Reading(OptionalDouble lat, OptionalDouble lon, OptionalDouble errorM) {
        boolean hasPosition() {
            return lat.isPresent() && lon.isPresent();
        }
    }

    private Nmea() {
    }

    /** The reading of one line ({@code $GNRMC,...*hh}), or empty. */
    public static Optional<Reading> parse(String line) {
        String s = line.strip();
        if (s.length() < 9 || s.length() > 120 || s.charAt(0) != '$') {
            return Optional.empty();
        }
        int star = s.lastIndexOf('*');
        if (star < 0 || star + 3 != s.length() || !checksumMatches(s.substring(1, star), s.substring(star + 1))) {
            return Optional.empty();
        }
        String[] f = s.substring(1, star).split(",", -1);
        if (f[0].length() != 5) {
            return Optional.empty();
        }
        try {
            return switch (f[0].substring(2)) {
                // $xxRMC,time,status,lat,N,lon,E,speed,course,date,...
                case "RMC" -> f.length >= 7 && "A".equals(f[2]) ? position(f[3], f[4], f[5], f[6]) : Optional.empty();
                // $xxGGA,time,lat,N,lon,E,quality,sats,hdop,alt,...
                case "GGA" -> f.length >= 7 && !f[6].isEmpty() && Integer.parseInt(f[6]) > 0
                        ? position(f[2], f[3], f[4], f[5]) : Optional.empty();
                // $xxGST,time,rms,major,minor,orient,latErr,lonErr,altErr
                case "GST" -> f.length >= 8 && !f[6].isEmpty() && !f[7].isEmpty()
                        ? Optional.of(new Reading(OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.of(
                        Math.hypot(Double.parseDouble(f[6]), Double.parseDouble(f[7])))))
                        : Optional.empty();
                default -> Optional.empty();
            };
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Reading> position(String lat, String ns, String lon, String ew) {
        if (lat.length() < 4 || lon.length() < 5 || !(ns.equals("N") || ns.equals("S"))
                || !(ew.equals("E") || ew.equals("W"))) {
            return Optional.empty();
        }
        double la = degrees(lat, 2) * (ns.equals("S") ? -1 : 1);
        double lo = degrees(lon, 3) * (ew.equals("W") ? -1 : 1);
        if (Math.abs(la) > 90 || Math.abs(lo) > 180) {
            return Optional.empty();
        }
        return Optional.of(new Reading(OptionalDouble.of(la), OptionalDouble.of(lo), OptionalDouble.empty()));
    }

    /** {@code ddmm.mmmm} (or {@code dddmm.mmmm}) as degrees. */
    private static double degrees(String value, int degreeDigits) {
        double deg = Double.parseDouble(value.substring(0, degreeDigits));
        double min = Double.parseDouble(value.substring(degreeDigits));
        if (min >= 60 || min < 0) {
            throw new NumberFormatException("minutes " + min);
        }
        return deg + min / 60.0;
    }

    static boolean checksumMatches(String body, String hex) {
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            sum ^= body.charAt(i);
        }
        try {
            return sum == Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The checksum of a sentence body (between '$' and '*'), as two hex digits. */
    public static String checksum(String body) {
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            sum ^= body.charAt(i);
        }
        return String.format("%02X", sum);
    }
}
