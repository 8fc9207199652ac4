package org.yizhan.hub.members;

import io.vertx.core.Future;
import org.yizhan.access.RiderPass;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.Secrets;
import org.yizhan.protocol.Ulid;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Members in the registry: create, find (by id or member token), suspend and resume, the revocation list, and the
 * members' tokens: one per phone, kept only as their SHA-256, each expiring a set time after it was issued;
 * suspending a member deletes all of them.
 */
public final class MemberStore {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "id, pseudonym, name, phone, occupation, status, created_at, status_changed_at";

    /** A new member and the member token, shown once. */
    public record Created(Member member, IssuedToken token) {
    }

    /** A member token, shown once, and when it expires (epoch ms). */
    public record IssuedToken(String token, long expiresAt) {
    }

    /** One of a member's tokens as the member sees it: when issued and when it expires, whether it is the one asking. */
    public record TokenInfo(long issuedAt, long expiresAt, boolean current) {
    }

    /** The pseudonyms of suspended members, and the list's version (it grows by one with every status change). */
    public record Revocations(List<String> pseudonyms, long version) {
    }

    /**
     * What changed between two versions of the revocation list: the members suspended ({@code add}) and resumed
     * ({@code remove}) since {@code from}, each as of {@code to}. Applied to the list of any version from
     * {@code from} to {@code to}, it gives the list of version {@code to}.
     */
    public record RevocationDelta(long from, long to, List<String> add, List<String> remove) {
        public int size() {
            return add.size() + remove.size();
        }
    }

    private final Database db;
    private final long tokenLifetimeMs;

    /** @param tokenLifetime how long a member token lasts from its issue */
    public MemberStore(Database db, Duration tokenLifetime) {
        this.db = db;
        this.tokenLifetimeMs = tokenLifetime.toMillis();
    }

    /**
     * A member created by staff, active at once; empty when a membership holds this phone number already.
     * {@code phone} is normalised ({@link Phones}).
     */
    public Future<Optional<Created>> create(String name, String phone, String occupation, String createdBy) {
        return db.tx(c -> {
            if (phoneHeld(c, phone)) {
                return Optional.<Created>empty();
            }
            return Optional.of(insert(c, name, phone, occupation, createdBy, Member.ACTIVE, true));
        });
    }

    /**
     * A rider's own join: a membership of {@code status} (active under join-policy open, pending under approval)
     * holding the phone number; when another membership holds the number, a pending application that does not
     * (operators see it flagged, and may approve it once the other ends). Both come with a member token, so that the
     * answer is the same whoever holds the number.
     */
    public Future<Created> apply(String name, String phone, String occupation, String createdBy, String status) {
        return db.tx(c -> phoneHeld(c, phone) ? insert(c, name, phone, occupation, createdBy, Member.PENDING, false)
                        : insert(c, name, phone, occupation, createdBy, status, true))
                // another join for the number committed in between: this one is the second
                .recover(e -> Secrets.isUniqueViolation(e)
                        ? db.tx(c -> insert(c, name, phone, occupation, createdBy, Member.PENDING, false))
                        : Future.failedFuture(e));
    }

    /**
     * A join whose phone number was proven by a one-time code: a new token for the membership that holds the number
     * (the rider signs in on this phone), or a new active membership; empty when the membership holding the number is
     * suspended.
     */
    public Future<Optional<Created>> joinVerified(String name, String phone, String occupation) {
        return db.tx(c -> {
            Optional<Member> holder = one(c, "SELECT " + COLUMNS + " FROM members WHERE active_phone = ?", phone);
            if (holder.isPresent()) {
                return holder.get().suspended() ? Optional.<Created>empty()
                        : Optional.of(new Created(holder.get(), insertToken(c, holder.get().id(),
                        System.currentTimeMillis())));
            }
            return Optional.of(insert(c, name, phone, occupation, "sms", Member.ACTIVE, true));
        });
    }

    private static boolean phoneHeld(Connection c, String phone) throws SQLException {
        return Rows.any(c, "SELECT 1 FROM members WHERE active_phone = ?", phone);
    }

    private Created insert(Connection c, String name, String phone, String occupation, String createdBy, String status,
                           boolean holdPhone) throws SQLException {
        long now = System.currentTimeMillis();
        String id = Ulid.next(now);
        String pseudonym = RiderPass.pseudonym(RiderPass.newMemberId(RANDOM));
        Rows.update(c, "INSERT INTO members (id, pseudonym, name, phone, active_phone, occupation, status, "
                        + "status_changed_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, pseudonym, name, phone, holdPhone ? phone : null, occupation, status, now, now, createdBy);
        return new Created(new Member(id, pseudonym, name, phone, occupation, status, now, now),
                insertToken(c, id, now));
    }

    /** A new token for the member (another phone); empty when there is no such member or it is neither active nor pending. */
    public Future<Optional<IssuedToken>> issueToken(String memberId) {
        return db.tx(c -> {
            Optional<Member> m = one(c, "SELECT " + COLUMNS + " FROM members WHERE id = ?", memberId);
            if (m.isEmpty() || !(m.get().active() || m.get().pending())) {
                return Optional.empty();
            }
            long now = System.currentTimeMillis();
            Rows.update(c, "DELETE FROM member_tokens WHERE member_id = ? AND expires_at <= ?", memberId, now);
            return Optional.of(insertToken(c, memberId, now));
        });
    }

    /** Swaps a valid token for a new one with a fresh lifetime (the old one ends); empty when it is not valid. */
    public Future<Optional<IssuedToken>> renewToken(String token) {
        return db.tx(c -> {
            long now = System.currentTimeMillis();
            Optional<Member> m = one(c, "SELECT " + prefixed("m") + " FROM members m JOIN member_tokens t "
                    + "ON t.member_id = m.id WHERE t.token_hash = ? AND t.expires_at > " + now, tokenHash(token));
            if (m.isEmpty() || Rows.update(c, "DELETE FROM member_tokens WHERE token_hash = ?", tokenHash(token)) != 1) {
                return Optional.empty();
            }
            return Optional.of(insertToken(c, m.get().id(), now));
        });
    }

    /** Ends one token (signing out this phone); false when it was not there. */
    public Future<Boolean> endToken(String token) {
        return db.call(c -> Rows.update(c, "DELETE FROM member_tokens WHERE token_hash = ?", tokenHash(token)) > 0);
    }

    /** Ends every token of the member but {@code keep} (a lost phone); how many ended. */
    public Future<Integer> endOtherTokens(String memberId, String keep) {
        return db.call(c -> Rows.update(c, "DELETE FROM member_tokens WHERE member_id = ? AND token_hash <> ?",
                memberId, tokenHash(keep)));
    }

    /** The member's valid tokens, newest first, marking {@code current}. */
    public Future<List<TokenInfo>> tokens(String memberId, String current) {
        String currentHash = tokenHash(current);
        return db.call(c -> Rows.list(c, "SELECT issued_at, expires_at, token_hash FROM member_tokens "
                        + "WHERE member_id = ? AND expires_at > ? ORDER BY issued_at DESC",
                rs -> new TokenInfo(rs.getLong(1), rs.getLong(2), currentHash.equals(rs.getString(3))),
                memberId, System.currentTimeMillis()));
    }

    private IssuedToken insertToken(Connection c, String memberId, long now) throws SQLException {
        byte[] t = new byte[32];
        RANDOM.nextBytes(t);
        String token = "ymt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(t);
        long expiresAt = now + tokenLifetimeMs;
        Rows.update(c, "INSERT INTO member_tokens (token_hash, member_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                tokenHash(token), memberId, now, expiresAt);
        return new IssuedToken(token, expiresAt);
    }

    private static String prefixed(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    public Future<Optional<Member>> get(String id) {
        return db.call(c -> one(c, "SELECT " + COLUMNS + " FROM members WHERE id = ?", id));
    }

    /** The member whose token this is, while the token has not expired or ended. */
    public Future<Optional<Member>> byToken(String token) {
        return db.call(c -> one(c, "SELECT " + prefixed("m") + " FROM members m JOIN member_tokens t "
                + "ON t.member_id = m.id WHERE t.token_hash = ? AND t.expires_at > " + System.currentTimeMillis(),
                tokenHash(token)));
    }

    /** What a status change led to. */
    public sealed interface Change permits Changed, NotFound, Refused, PhoneInUse {
    }

    /** The member as it is now; {@code changed} false when it had the status already. */
    public record Changed(Member member, boolean changed) implements Change {
    }

    public record NotFound() implements Change {
    }

    /** The change does not apply to a member in this status (such as resuming a pending one). */
    public record Refused(Member member) implements Change {
    }

    /** Approving would give the phone number a second membership. */
    public record PhoneInUse(Member member) implements Change {
    }

    /**
     * Changes the status {@code from} one {@code to} another: suspend (active → suspended), resume (suspended →
     * active), approve (pending → active, taking the phone number), reject (pending → rejected, freeing it). A member
     * in another status is refused, one already in {@code to} left as it is. Every token ends when the member stops
     * being active. A change raises the revocation list's version by one and marks the member with it;
     * the version row stays locked until the change commits, so changes take their versions in commit order.
     */
    public Future<Change> setStatus(String id, String from, String status) {
        return setStatus(id, from, status, Database.Step.none());
    }

    /** As {@link #setStatus(String, String, String)}, with {@code alongside} run in its transaction when it changes. */
    public Future<Change> setStatus(String id, String from, String status, Database.Step<Member> alongside) {
        return db.<Change>tx(c -> {
            Optional<Member> m = one(c, "SELECT " + COLUMNS + " FROM members WHERE id = ?", id);
            if (m.isEmpty()) {
                return new NotFound();
            }
            Member member = m.get();
            if (member.status().equals(status)) {
                return new Changed(member, false);
            }
            if (!member.status().equals(from)) {
                return new Refused(member);
            }
            if (member.pending() && status.equals(Member.ACTIVE) && Rows.any(c,
                    "SELECT 1 FROM members WHERE active_phone = ? AND id <> ?", member.phone(), id)) {
                return new PhoneInUse(member);
            }
            long version = nextRevocationVersion(c);
            long at = System.currentTimeMillis();
            if (status.equals(Member.REJECTED)) {
                Rows.update(c, "UPDATE members SET status = ?, status_changed_at = ?, revocation_version = ?, "
                        + "active_phone = NULL WHERE id = ?", status, at, version, id);
            } else {
                Rows.update(c, "UPDATE members SET status = ?, status_changed_at = ?, revocation_version = ?, "
                        + "active_phone = phone WHERE id = ?", status, at, version, id);
            }
            if (!status.equals(Member.ACTIVE)) {
                Rows.update(c, "DELETE FROM member_tokens WHERE member_id = ?", id);
            }
            Member now = one(c, "SELECT " + COLUMNS + " FROM members WHERE id = ?", id).orElseThrow();
            alongside.run(c, now);
            return new Changed(now, true);
        }).recover(e -> Secrets.isUniqueViolation(e)
                ? get(id).map(m -> new PhoneInUse(m.orElseThrow()))
                : Future.failedFuture(e));
    }

    /** A member as operators list them: whether another membership holds the member's phone number. */
    public record Listed(Member member, boolean phoneInUse) {
    }

    /** Members of a status (all when empty), newest first, at most {@code limit}. */
    public Future<List<Listed>> list(Optional<String> status, int limit) {
        String cols = prefixed("m") + ", CASE WHEN m.active_phone IS NULL AND EXISTS (SELECT 1 FROM members o "
                + "WHERE o.active_phone = m.phone) THEN 1 ELSE 0 END";
        String where = status.isPresent() ? " WHERE m.status = ?" : "";
        Object[] args = status.isPresent() ? new Object[]{status.get(), limit} : new Object[]{limit};
        return db.call(c -> Rows.list(c, "SELECT " + cols + " FROM members m" + where
                        + " ORDER BY m.created_at DESC, m.id DESC LIMIT ?",
                rs -> new Listed(new Member(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8)), rs.getInt(9) == 1), args));
    }

    /** Raises the revocation list's version by one, locking it until the transaction ends; the new version. */
    static long nextRevocationVersion(Connection c) throws SQLException {
        Rows.update(c, "UPDATE revocation_state SET version = version + 1 WHERE id = 1");
        return Rows.one(c, "SELECT version FROM revocation_state WHERE id = 1", rs -> rs.getLong(1))
                .orElseThrow(() -> new IllegalStateException("revocation_state has no row"));
    }

    /** The whole list, exactly as of its version (changes wait while it is read). */
    public Future<Revocations> revocations() {
        return db.tx(c -> {
            long version = lockRevocationState(c)[0];
            List<String> list = Rows.list(c, "SELECT pseudonym FROM members WHERE status = ? ORDER BY pseudonym",
                    rs -> rs.getString(1), Member.SUSPENDED);
            return new Revocations(list, version);
        });
    }

    /**
     * What changed since version {@code from}, up to the current version; empty when the list cannot be brought
     * up from {@code from} by changes (it is older than the versions kept, or newer than the list) or when more than
     * {@code maxMembers} members changed: such a station needs the whole list.
     */
    public Future<Optional<RevocationDelta>> revocationsSince(long from, int maxMembers) {
        return db.tx(c -> {
            long[] state = lockRevocationState(c);
            long to = state[0];
            if (from < state[1] || from > to) {
                return Optional.empty();
            }
            List<String[]> changed = Rows.list(c, "SELECT pseudonym, status FROM members WHERE revocation_version > ? "
                            + "ORDER BY pseudonym FETCH FIRST " + (maxMembers + 1) + " ROWS ONLY",
                    rs -> new String[]{rs.getString(1), rs.getString(2)}, from);
            if (changed.size() > maxMembers) {
                return Optional.empty();
            }
            List<String> add = new ArrayList<>();
            List<String> remove = new ArrayList<>();
            for (String[] row : changed) {
                (Member.SUSPENDED.equals(row[1]) ? add : remove).add(row[0]);
            }
            return Optional.of(new RevocationDelta(from, to, add, remove));
        });
    }

    /** {version, base} of the revocation list, the row locked until the transaction ends. */
    private static long[] lockRevocationState(Connection c) throws SQLException {
        return Rows.one(c, "SELECT version, base FROM revocation_state WHERE id = 1 FOR UPDATE",
                        rs -> new long[]{rs.getLong(1), rs.getLong(2)})
                .orElseThrow(() -> new IllegalStateException("revocation_state has no row"));
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
