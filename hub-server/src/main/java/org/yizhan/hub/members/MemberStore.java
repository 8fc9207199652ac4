package org.yizhan.hub.members;

import io.vertx.core.Future;
import org.yizhan.access.RiderPass;
import org.yizhan.hub.db.Database;
import org.yizhan.protocol.Ulid;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Members in the registry: create, find (by id or member token), suspend and resume, the revocation list. */
public final class MemberStore {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "id, pseudonym, name, phone, occupation, status, created_at, status_changed_at";

    /** A new member and the member token, shown once. */
    public record Created(Member member, String token) {
    }

    /** The pseudonyms of suspended members, and the list's version (it grows with every status change). */
    public record Revocations(List<String> pseudonyms, long version) {
    }

    private final Database db;

    public MemberStore(Database db) {
        this.db = db;
    }

    /** Empty when a member with this phone number exists already. */
    public Future<Optional<Created>> create(String name, String phone, String occupation, String createdBy) {
        long now = System.currentTimeMillis();
        String id = Ulid.next(now);
        String pseudonym = RiderPass.pseudonym(RiderPass.newMemberId(RANDOM));
        byte[] t = new byte[32];
        RANDOM.nextBytes(t);
        String token = "ymt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(t);
        return db.tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM members WHERE phone = ?")) {
                q.setString(1, phone);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        return Optional.empty();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO members (id, pseudonym, name, phone, occupation, "
                    + "status, status_changed_at, created_at, created_by, token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, pseudonym);
                ps.setString(3, name);
                ps.setString(4, phone);
                ps.setString(5, occupation);
                ps.setString(6, Member.ACTIVE);
                ps.setLong(7, now);
                ps.setLong(8, now);
                ps.setString(9, createdBy);
                ps.setString(10, tokenHash(token));
                ps.executeUpdate();
            }
            return Optional.of(new Created(new Member(id, pseudonym, name, phone, occupation, Member.ACTIVE, now, now),
                    token));
        });
    }

    public Future<Optional<Member>> get(String id) {
        return db.call(c -> one(c, "SELECT " + COLUMNS + " FROM members WHERE id = ?", id));
    }

    /** The member whose token this is. */
    public Future<Optional<Member>> byToken(String token) {
        return db.call(c -> one(c, "SELECT " + COLUMNS + " FROM members WHERE token_hash = ?", tokenHash(token)));
    }

    /** Sets the status; empty when there is no such member, else the member as it is now. */
    public Future<Optional<Member>> setStatus(String id, String status) {
        return db.tx(c -> {
            Optional<Member> m = one(c, "SELECT " + COLUMNS + " FROM members WHERE id = ?", id);
            if (m.isEmpty() || m.get().status().equals(status)) {
                return m;
            }
            // strictly after every earlier change, so the revocation list's version always grows
            long at = Math.max(System.currentTimeMillis(), maxChange(c) + 1);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE members SET status = ?, status_changed_at = ? WHERE id = ?")) {
                ps.setString(1, status);
                ps.setLong(2, at);
                ps.setString(3, id);
                ps.executeUpdate();
            }
            return one(c, "SELECT " + COLUMNS + " FROM members WHERE id = ?", id);
        });
    }

    public Future<Revocations> revocations() {
        return db.call(c -> {
            List<String> list = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT pseudonym FROM members WHERE status = ? ORDER BY pseudonym")) {
                ps.setString(1, Member.SUSPENDED);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(rs.getString(1));
                    }
                }
            }
            return new Revocations(list, maxChange(c));
        });
    }

    private static long maxChange(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(status_changed_at) FROM members");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static Optional<Member> one(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Member(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8)));
            }
        }
    }

    static String tokenHash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
