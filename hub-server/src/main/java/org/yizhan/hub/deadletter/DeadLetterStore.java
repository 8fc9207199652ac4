package org.yizhan.hub.deadletter;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;
import org.yizhan.protocol.Limits;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.Optional;

/**
 * Messages the hub could not accept, kept with their topic and error so operators can see what a station
 * sent. The payload is stored as UTF-8 text with invalid bytes replaced, cut to {@link #MAX_PAYLOAD_CHARS}.
 */
public final class DeadLetterStore {

    /** Room for the largest payload of the contract ({@link Limits#BATCH_BYTES}), as text: the column's size. */
    public static final int MAX_PAYLOAD_CHARS = 300_000;
    public static final int MAX_LIMIT = 1000;
    private static final int MAX_TOPIC_CHARS = 500;
    private static final int MAX_ERROR_CHARS = 1000;

    private final Database db;

    public DeadLetterStore(Database db) {
        this.db = db;
    }

    public Future<Void> add(Optional<String> stationId, String topic, String error, byte[] payload, long receivedAt) {
        String text = cut(new String(payload, StandardCharsets.UTF_8), MAX_PAYLOAD_CHARS);
        return db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO dead_letters (station_id, topic, error, received_at, payload) VALUES (?, ?, ?, ?, ?)")) {
                if (stationId.isPresent()) {
                    ps.setString(1, cut(stationId.get(), 40));
                } else {
                    ps.setNull(1, Types.VARCHAR);
                }
                ps.setString(2, cut(topic, MAX_TOPIC_CHARS));
                ps.setString(3, cut(error, MAX_ERROR_CHARS));
                ps.setLong(4, receivedAt);
                ps.setString(5, text);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** [{"topic","error","receivedAt","payload","stationId"}] newest first; payload as UTF-8 text (invalid bytes replaced). */
    public Future<JsonArray> list(int limit) {
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        return db.call(c -> {
            JsonArray out = new JsonArray();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT topic, error, received_at, payload, station_id FROM dead_letters "
                            + "ORDER BY received_at DESC, id DESC LIMIT " + n);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new JsonObject()
                            .put("topic", rs.getString(1))
                            .put("error", rs.getString(2))
                            .put("receivedAt", rs.getLong(3))
                            .put("payload", rs.getString(4))
                            .put("stationId", rs.getString(5)));
                }
            }
            return out;
        });
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
