package org.yizhan.hub.stations;

import io.vertx.core.Future;
import org.yizhan.hub.db.Database;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Stations, their claim codes and their credentials in the registry. */
public final class StationStore {

    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "id, name, address, lat, lon, profile, ports, capacity, heartbeat_seconds, "
            + "telemetry_seconds, config_version, created_at, provisioned_at, presence_state, presence_since, last_seen, "
            + "mobile, here_until, district";

    /** A claim code (stored form) and when it stops working (epoch ms). */
    public record Claim(String code, String stationId, long expiresAt) {
    }

    public record Created(Station station, Claim claim) {
    }

    /** What a claim code is worth now. */
    public enum ClaimState { VALID, UNKNOWN, USED, EXPIRED }

    /** The state of a claim code and, when it is valid, its station. */
    public record ClaimLookup(ClaimState state, Optional<Station> station) {
    }

    private final Database db;

    public StationStore(Database db) {
        this.db = db;
    }

    /** Registers a station under a new id ({@code st-} and 10 base32 letters) with a fresh claim code. */
    public Future<Created> create(NewStation s) {
        return db.tx(c -> {
            String id;
            do {
                id = newId();
            } while (exists(c, id));
            return insert(c, id, s);
        });
    }

    /** A station of an import that is in the registry already (same name and address), with its row. */
    public record Existing(int row, String name, String stationId) {
    }

    /** An import refused because some of its stations are registered already; nothing was created. */
    public static final class AlreadyRegistered extends Exception {
        private final List<Existing> existing;

        AlreadyRegistered(List<Existing> existing) {
            super(existing.size() + " stations are registered already", null, false, false);
            this.existing = List.copyOf(existing);
        }

        public List<Existing> existing() {
            return existing;
        }
    }

    /**
     * Registers all the stations (by row number) in one transaction, each with a fresh claim code, in the given
     * order; fails with {@link AlreadyRegistered}, creating none, when any has the name and address of a station in
     * the registry.
     */
    public Future<List<Created>> createAll(java.util.SortedMap<Integer, NewStation> byRow) {
        return db.tx(c -> {
            List<Existing> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM stations WHERE LOWER(name) = LOWER(?) AND LOWER(address) = LOWER(?)")) {
                for (var e : byRow.entrySet()) {
                    ps.setString(1, e.getValue().name());
                    ps.setString(2, e.getValue().address());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            found.add(new Existing(e.getKey(), e.getValue().name(), rs.getString(1)));
                        }
                    }
                }
            }
            if (!found.isEmpty()) {
                throw new AlreadyRegistered(found);
            }
            List<Created> out = new ArrayList<>(byRow.size());
            for (NewStation s : byRow.values()) {
                String id;
                do {
                    id = newId();
                } while (exists(c, id));
                out.add(insert(c, id, s));
            }
            return out;
        });
    }

    /** Registers a station under the given id; empty when the id is taken. */
    public Future<Optional<Created>> createWithId(String id, NewStation s) {
        return db.tx(c -> exists(c, id) ? Optional.<Created>empty() : Optional.of(insert(c, id, s)));
    }

    public Future<Optional<Station>> get(String id) {
        return db.call(c -> find(c, id));
    }

    public Future<Boolean> exists(String id) {
        return db.call(c -> exists(c, id));
    }

    /** How many stations the registry holds. */
    public Future<Long> count() {
        return db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM stations");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** All stations by name. */
    public Future<List<Station>> list() {
        return db.call(c -> {
            List<Station> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM stations ORDER BY name, id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        });
    }

    /** Sets or clears (empty) the station's district, with the caller's audit step; false when the station is unknown. */
    public Future<Boolean> setDistrict(String id, Optional<String> district,
                                       Database.Step<Optional<String>> audit) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE stations SET district = ? WHERE id = ?")) {
                ps.setString(1, district.orElse(""));
                ps.setString(2, id);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            audit.run(c, district);
            return true;
        });
    }

    /** A new claim code for the station, ending any unused earlier one; empty when the station is unknown. */
    public Future<Optional<Claim>> issueClaim(String stationId) {
        return db.tx(c -> exists(c, stationId) ? Optional.of(newClaim(c, stationId)) : Optional.<Claim>empty());
    }

    /** The station's unused, unexpired claim code, if any. */
    public Future<Optional<Claim>> currentClaim(String stationId) {
        long now = System.currentTimeMillis();
        return db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT code, expires_at FROM claim_codes "
                    + "WHERE station_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY expires_at DESC LIMIT 1")) {
                ps.setString(1, stationId);
                ps.setLong(2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Claim(rs.getString(1), stationId, rs.getLong(2)))
                            : Optional.<Claim>empty();
                }
            }
        });
    }

    /** What the code (stored form) is worth now, with its station when valid. */
    public Future<ClaimLookup> lookupClaim(String code) {
        long now = System.currentTimeMillis();
        return db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT station_id, expires_at, used_at FROM claim_codes WHERE code = ?")) {
                ps.setString(1, code);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new ClaimLookup(ClaimState.UNKNOWN, Optional.empty());
                    }
                    String stationId = rs.getString(1);
                    long expiresAt = rs.getLong(2);
                    rs.getLong(3);
                    if (!rs.wasNull()) {
                        return new ClaimLookup(ClaimState.USED, Optional.empty());
                    }
                    if (expiresAt <= now) {
                        return new ClaimLookup(ClaimState.EXPIRED, Optional.empty());
                    }
                    Optional<Station> s = find(c, stationId);
                    return s.isPresent() ? new ClaimLookup(ClaimState.VALID, s)
                            : new ClaimLookup(ClaimState.UNKNOWN, Optional.empty());
                }
            }
        });
    }

    /**
     * Uses the code once and stores the station's new secret in place of any old one, in one transaction.
     * False when the code was used or expired in the meantime (nothing changes then).
     */
    public Future<Boolean> redeemClaim(String code, String stationId, StationSecrets.Hashed secret) {
        long now = System.currentTimeMillis();
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE claim_codes SET used_at = ? "
                    + "WHERE code = ? AND station_id = ? AND used_at IS NULL AND expires_at > ?")) {
                ps.setLong(1, now);
                ps.setString(2, code);
                ps.setString(3, stationId);
                ps.setLong(4, now);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM station_credentials WHERE station_id = ?")) {
                ps.setString(1, stationId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO station_credentials (station_id, salt, hash, created_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, stationId);
                ps.setString(2, secret.salt());
                ps.setString(3, secret.hash());
                ps.setLong(4, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE stations SET provisioned_at = ? WHERE id = ?")) {
                ps.setLong(1, now);
                ps.setString(2, stationId);
                ps.executeUpdate();
            }
            return true;
        });
    }

    private static Created insert(Connection c, String id, NewStation s) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO stations (id, name, address, lat, lon, profile, "
                + "ports, capacity, heartbeat_seconds, telemetry_seconds, created_at, district) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, s.name());
            ps.setString(3, s.address());
            ps.setDouble(4, s.lat());
            ps.setDouble(5, s.lon());
            ps.setString(6, s.profile());
            ps.setInt(7, s.ports());
            ps.setInt(8, s.capacity());
            ps.setInt(9, s.heartbeatSeconds());
            ps.setInt(10, s.telemetrySeconds());
            ps.setLong(11, now);
            ps.setString(12, s.district().orElse(""));
            ps.executeUpdate();
        }
        Claim claim = newClaim(c, id);
        return new Created(find(c, id).orElseThrow(), claim);
    }

    private static Claim newClaim(Connection c, String stationId) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE claim_codes SET expires_at = ? WHERE station_id = ? AND used_at IS NULL AND expires_at > ?")) {
            ps.setLong(1, now);
            ps.setString(2, stationId);
            ps.setLong(3, now);
            ps.executeUpdate();
        }
        String code;
        do {
            code = ClaimCodes.generate();
        } while (codeExists(c, code));
        long expiresAt = now + ClaimCodes.LIFETIME_MS;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO claim_codes (code, station_id, created_at, expires_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, code);
            ps.setString(2, stationId);
            ps.setLong(3, now);
            ps.setLong(4, expiresAt);
            ps.executeUpdate();
        }
        return new Claim(code, stationId, expiresAt);
    }

    private static boolean codeExists(Connection c, String code) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM claim_codes WHERE code = ?")) {
            ps.setString(1, code);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean exists(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM stations WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Optional<Station> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM stations WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static Station row(ResultSet rs) throws SQLException {
        return new Station(rs.getString(1), rs.getString(2), rs.getString(3), nullableDouble(rs, 4),
                nullableDouble(rs, 5), rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getInt(9), rs.getInt(10),
                rs.getInt(11), rs.getLong(12), nullableLong(rs, 13), rs.getString(14), nullableLong(rs, 15),
                nullableLong(rs, 16), rs.getBoolean(17), nullableLong(rs, 18),
                Optional.ofNullable(rs.getString(19)).filter(d -> !d.isEmpty()));
    }

    private static double nullableDouble(ResultSet rs, int i) throws SQLException {
        double d = rs.getDouble(i);
        return rs.wasNull() ? Double.NaN : d;
    }

    private static Optional<Long> nullableLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? Optional.empty() : Optional.of(v);
    }

    private static String newId() {
        StringBuilder sb = new StringBuilder("st-");
        for (int i = 0; i < 10; i++) {
            sb.append(BASE32.charAt(RANDOM.nextInt(BASE32.length())));
        }
        return sb.toString();
    }
}
