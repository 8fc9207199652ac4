package org.yizhan.hub.members;

import io.vertx.core.Future;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.Secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One-time join codes (join-policy sms), one per phone number at a time, in the registry so that every hub
 * checks them alike. A code has {@value #DIGITS} digits, is kept only as a salted SHA-256, lasts
 * {@link #LIFETIME} and allows {@value #MAX_ATTEMPTS} wrong tries; a new code for the same number needs
 * {@link #RESEND_INTERVAL} since the last, and at most {@value #MAX_SENDS_PER_HOUR} go to one number an hour.
 */
public final class JoinCodes {

    public static final int DIGITS = 6;
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    public static final int MAX_ATTEMPTS = 5;
    public static final Duration RESEND_INTERVAL = Duration.ofSeconds(60);
    public static final int MAX_SENDS_PER_HOUR = 5;
    private static final long HOUR_MS = 3_600_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What asking for a code led to. */
    public sealed interface Issue permits Issued, TooSoon {
    }

    /** A new code (to send, never to log), when it expires and when the next may be asked for (epoch ms). */
    public record Issued(String code, long expiresAt, long resendAfter) implements Issue {
    }

    /** No new code for this number yet; ask again in {@code retryAfterSeconds}. */
    public record TooSoon(long retryAfterSeconds) implements Issue {
    }

    /** What checking a code led to. */
    public sealed interface Check permits NoCode, Expired, Exhausted, Wrong, Verified {
    }

    /** No code waits for this number (none asked for, or it was used). */
    public record NoCode() implements Check {
    }

    public record Expired() implements Check {
    }

    /** Every attempt of the code is used up. */
    public record Exhausted() implements Check {
    }

    public record Wrong(int attemptsLeft) implements Check {
    }

    /** The right code: what the rider typed on joining. The code is used up. */
    public record Verified(String name, String occupation) implements Check {
    }

    private final Database db;

    public JoinCodes(Database db) {
        this.db = db;
    }

    /** A new code for the number, replacing any earlier one, unless the number had one too recently or too often. */
    public Future<Issue> issue(String phone, String name, String occupation, long now) {
        String code = String.format("%0" + DIGITS + "d", RANDOM.nextInt(1_000_000));
        byte[] s = new byte[16];
        RANDOM.nextBytes(s);
        String salt = HexFormat.of().formatHex(s);
        long expiresAt = now + LIFETIME.toMillis();
        long resendAfter = now + RESEND_INTERVAL.toMillis();
        return db.<Issue>tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT sent_at, sends, window_start FROM join_codes WHERE phone = ? FOR UPDATE")) {
                ps.setString(1, phone);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        Rows.update(c, "INSERT INTO join_codes (phone, code_hash, salt, name, occupation, attempts, "
                                        + "expires_at, sent_at, sends, window_start) VALUES (?, ?, ?, ?, ?, 0, ?, ?, 1, ?)",
                                phone, hash(salt, code), salt, name, occupation, expiresAt, now, now);
                        return new Issued(code, expiresAt, resendAfter);
                    }
                    long sentAt = rs.getLong(1);
                    int sends = rs.getInt(2);
                    long windowStart = rs.getLong(3);
                    if (now - windowStart >= HOUR_MS) {
                        windowStart = now;
                        sends = 0;
                    }
                    long wait = Math.max(sentAt + RESEND_INTERVAL.toMillis() - now,
                            sends >= MAX_SENDS_PER_HOUR ? windowStart + HOUR_MS - now : 0);
                    if (wait > 0) {
                        return new TooSoon((wait + 999) / 1000);
                    }
                    Rows.update(c, "UPDATE join_codes SET code_hash = ?, salt = ?, name = ?, occupation = ?, "
                                    + "attempts = 0, expires_at = ?, sent_at = ?, sends = ?, window_start = ? WHERE phone = ?",
                            hash(salt, code), salt, name, occupation, expiresAt, now, sends + 1, windowStart, phone);
                    return new Issued(code, expiresAt, resendAfter);
                }
            }
        }).recover(e -> Secrets.isUniqueViolation(e)
                // another hub gave this number its first code at the same moment
                ? Future.succeededFuture(new TooSoon(RESEND_INTERVAL.toSeconds()))
                : Future.failedFuture(e));
    }

    /** Voids the number's code after it could not be sent, so that the rider may ask again at once. */
    public Future<Void> unsent(String phone) {
        return db.call(c -> {
            Rows.update(c, "UPDATE join_codes SET expires_at = 0, sent_at = 0 WHERE phone = ?", phone);
            return null;
        });
    }

    /** Checks a code typed for the number; a wrong one uses up an attempt, the right one the code. */
    public Future<Check> check(String phone, String code, long now) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT code_hash, salt, attempts, expires_at, name, "
                    + "occupation FROM join_codes WHERE phone = ? FOR UPDATE")) {
                ps.setString(1, phone);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong(4) == 0) {
                        return new NoCode();
                    }
                    if (rs.getLong(4) <= now) {
                        return new Expired();
                    }
                    int attempts = rs.getInt(3);
                    if (attempts >= MAX_ATTEMPTS) {
                        return new Exhausted();
                    }
                    if (!MessageDigest.isEqual(hash(rs.getString(2), code).getBytes(StandardCharsets.US_ASCII),
                            rs.getString(1).getBytes(StandardCharsets.US_ASCII))) {
                        Rows.update(c, "UPDATE join_codes SET attempts = attempts + 1 WHERE phone = ?", phone);
                        return new Wrong(MAX_ATTEMPTS - attempts - 1);
                    }
                    Verified v = new Verified(rs.getString(5), rs.getString(6));
                    used(c, phone);
                    return v;
                }
            }
        });
    }

    private static void used(Connection c, String phone) throws SQLException {
        Rows.update(c, "DELETE FROM join_codes WHERE phone = ?", phone);
    }

    static String hash(String salt, String code) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(salt.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d.digest(code.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
