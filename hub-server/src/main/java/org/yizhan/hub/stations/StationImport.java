package org.yizhan.hub.stations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a CSV of new stations (header {@code name,address,lat,lon,profile,ports,capacity}, columns in any order,
 * and optionally {@code district}, such as 西湖区, which notification routes can match)
 * row by row and column by column, collecting every problem rather than stopping at the first, so a technician
 * can fix the whole file at once. Rows are numbered as a spreadsheet shows them: the header is row 1.
 */
public final class StationImport {

    public static final List<String> COLUMNS = List.of("name", "address", "lat", "lon", "profile", "ports", "capacity");
    /** Columns a file may have besides {@link #COLUMNS}. */
    public static final List<String> OPTIONAL_COLUMNS = List.of("district");
    /** Stations one file may register. */
    public static final int MAX_ROWS = 2000;

    /** One problem: the row, the column (empty for the whole row) and a message that names both. */
    public record Problem(int row, String column, String message) {
        public JsonObject toJson() {
            return new JsonObject().put("row", row).put("column", column.isEmpty() ? null : column).put("message", message);
        }

        static Problem of(int row, String column, String problem) {
            return new Problem(row, column, "row " + row + (column.isEmpty() ? "" : ", " + column) + ": " + problem);
        }
    }

    /** A good row: its spreadsheet row number and the station it registers. */
    public record Line(int row, NewStation station) {
    }

    /** The rows when all are good, or every problem found. */
    public record Result(List<Line> lines, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        public static JsonArray json(List<Problem> problems) {
            JsonArray a = new JsonArray();
            problems.forEach(p -> a.add(p.toJson()));
            return a;
        }
    }

    private StationImport() {
    }

    /**
     * @param rows            the CSV records, header first
     * @param portsPerProfile how many charger ports each hardware profile wires
     */
    public static Result check(List<StationCsv.Row> rows, Map<String, Integer> portsPerProfile) {
        List<Problem> problems = new ArrayList<>();
        if (rows.isEmpty()) {
            problems.add(Problem.of(1, "", "the file is empty; the first row must be the header "
                    + String.join(",", COLUMNS)));
            return new Result(List.of(), problems);
        }
        StationCsv.Row header = rows.get(0);
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < header.cells().size(); i++) {
            String name = header.cells().get(i).trim().toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(name) && !OPTIONAL_COLUMNS.contains(name)) {
                problems.add(Problem.of(header.number(), "", "'" + header.cells().get(i).trim()
                        + "' is not a column this import knows; the header is " + String.join(",", COLUMNS)
                        + " (and optionally " + String.join(",", OPTIONAL_COLUMNS) + ")"));
            } else if (index.putIfAbsent(name, i) != null) {
                problems.add(Problem.of(header.number(), name, "the column appears twice in the header"));
            }
        }
        for (String c : COLUMNS) {
            if (!index.containsKey(c)) {
                problems.add(Problem.of(header.number(), c, "the header has no column '" + c + "'; it must be "
                        + String.join(",", COLUMNS)));
            }
        }
        if (!problems.isEmpty()) {
            return new Result(List.of(), problems);
        }
        if (rows.size() == 1) {
            problems.add(Problem.of(1, "", "the file has a header but no stations"));
        }
        List<Line> lines = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (StationCsv.Row r : rows.subList(1, rows.size())) {
            int before = problems.size();
            if (r.cells().size() != header.cells().size()) {
                problems.add(Problem.of(r.number(), "", "has " + r.cells().size() + " fields but the header has "
                        + header.cells().size() + " (a comma inside a name or address needs the field in double quotes)"));
                continue;
            }
            String name = cell(r, index, "name");
            String address = cell(r, index, "address");
            if (name.isEmpty()) {
                problems.add(Problem.of(r.number(), "name", "is empty"));
            } else if (name.length() > 200) {
                problems.add(Problem.of(r.number(), "name", "is longer than 200 characters"));
            }
            if (address.length() > 500) {
                problems.add(Problem.of(r.number(), "address", "is longer than 500 characters"));
            }
            double lat = number(r, index, "lat", -90, 90, "a latitude", problems);
            double lon = number(r, index, "lon", -180, 180, "a longitude", problems);
            String profile = cell(r, index, "profile");
            Integer maxPorts = portsPerProfile.get(profile);
            if (maxPorts == null) {
                problems.add(Problem.of(r.number(), "profile", (profile.isEmpty() ? "is empty" : "'" + profile
                        + "' is not a hardware profile") + "; known are " + HardwareProfile.BUILT_IN));
            }
            int ports = integer(r, index, "ports", 0, maxPorts == null ? 64 : maxPorts,
                    maxPorts == null ? "a number of ports" : "a number of ports for " + profile + " (0 to " + maxPorts + ")",
                    problems);
            int capacity = integer(r, index, "capacity", 1, 10_000, "a room capacity (1 to 10000)", problems);
            Optional<String> district = Optional.empty();
            if (index.containsKey("district")) {
                try {
                    district = NewStation.district(cell(r, index, "district"));
                } catch (IllegalArgumentException e) {
                    problems.add(Problem.of(r.number(), "district", e.getMessage()));
                }
            }
            if (!name.isEmpty()) {
                String key = name.toLowerCase(Locale.ROOT) + "\n" + address.toLowerCase(Locale.ROOT);
                Integer first = seen.putIfAbsent(key, r.number());
                if (first != null) {
                    problems.add(Problem.of(r.number(), "name", "'" + name + "' at this address is already in row "
                            + first + " of this file"));
                }
            }
            if (problems.size() == before) {
                lines.add(new Line(r.number(), new NewStation(name, address, lat, lon, profile, ports, capacity,
                        StationConfig.DEFAULT_HEARTBEAT_SECONDS, StationConfig.DEFAULT_TELEMETRY_SECONDS, district)));
            }
        }
        return problems.isEmpty() ? new Result(lines, List.of()) : new Result(List.of(), problems);
    }

    private static String cell(StationCsv.Row r, Map<String, Integer> index, String column) {
        return r.cells().get(index.get(column)).trim();
    }

    private static double number(StationCsv.Row r, Map<String, Integer> index, String column, double min, double max,
                                 String what, List<Problem> problems) {
        String text = cell(r, index, column);
        if (text.isEmpty()) {
            problems.add(Problem.of(r.number(), column, "is empty"));
            return Double.NaN;
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            problems.add(Problem.of(r.number(), column, "'" + text + "' is not a number"));
            return Double.NaN;
        }
        if (!(v >= min && v <= max)) {
            problems.add(Problem.of(r.number(), column, text + " is not " + what + " (" + fmt(min) + " to " + fmt(max) + ")"));
        }
        return v;
    }

    private static int integer(StationCsv.Row r, Map<String, Integer> index, String column, int min, int max,
                               String what, List<Problem> problems) {
        String text = cell(r, index, column);
        if (text.isEmpty()) {
            problems.add(Problem.of(r.number(), column, "is empty"));
            return 0;
        }
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            problems.add(Problem.of(r.number(), column, "'" + text + "' is not a whole number"));
            return 0;
        }
        if (v < min || v > max) {
            problems.add(Problem.of(r.number(), column, text + " is not " + what));
        }
        return v;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
