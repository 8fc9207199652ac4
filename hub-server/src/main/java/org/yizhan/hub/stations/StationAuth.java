package org.yizhan.hub.stations;

import io.vertx.core.Future;
import org.yizhan.hub.db.Database;
import org.yizhan.protocol.Topics;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Checks a station's CONNECT: client id = username = a provisioned station id, and the password verified
 * against its salted hash. The lookup and the hash run on the database worker pool.
 */
public final class StationAuth {

    /** Why a CONNECT was refused (the metric reason), or the station's heartbeat interval when accepted. */
    public record Outcome(boolean accepted, String reason, boolean notAuthorized, int heartbeatSeconds) {
        static Outcome ok(int heartbeatSeconds) {
            return new Outcome(true, "", false, heartbeatSeconds);
        }

        static Outcome badCredentials(String reason) {
            return new Outcome(false, reason, false, 0);
        }

        static Outcome notAuthorized(String reason) {
            return new Outcome(false, reason, true, 0);
        }
    }

    private final Database db;

    public StationAuth(Database db) {
        this.db = db;
    }

    public Future<Outcome> check(String clientId, String username, String password) {
        if (username == null || password == null || password.isEmpty()) {
            return Future.succeededFuture(Outcome.badCredentials("no-credentials"));
        }
        if (clientId == null || !Topics.isValidStationId(clientId) || !clientId.equals(username)) {
            return Future.succeededFuture(Outcome.notAuthorized("client-id"));
        }
        return db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT s.heartbeat_seconds, k.salt, k.hash FROM stations s "
                            + "JOIN station_credentials k ON k.station_id = s.id WHERE s.id = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Outcome.badCredentials("unknown-station");
                    }
                    StationSecrets.Hashed stored = new StationSecrets.Hashed(rs.getString(2), rs.getString(3));
                    return StationSecrets.verify(password, stored)
                            ? Outcome.ok(rs.getInt(1))
                            : Outcome.badCredentials("bad-password");
                }
            }
        });
    }

    /** The station id and secret of an {@code Authorization: Basic} header (a station's HTTPS calls to the hub). */
    public static Optional<String[]> basic(io.vertx.ext.web.RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Basic ", 0, 6) || h.length() > 400) {
            return Optional.empty();
        }
        try {
            String pair = new String(java.util.Base64.getDecoder().decode(h.substring(6).trim()), java.nio.charset.StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            return colon <= 0 ? Optional.empty()
                    : Optional.of(new String[]{pair.substring(0, colon), pair.substring(colon + 1)});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
