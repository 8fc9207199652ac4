package org.yizhan.hub.face;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.commands.CommandStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.Ulid;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Members' face consent in the registry ({@code face_consents}) and the templates stations sent with sync
 * consent ({@code face_templates}), sealed with the hub's {@link TemplateKey} and opened only to pass them on. Every change gets a {@code changedAt} strictly after the member's last one,
 * so stations can tell the newer state from a late older one.
 */
public final class FaceConsentStore {

    /** A member's consent: given (not withdrawn), when, the consent text's version, sync, last change. */
    public record Consent(String memberId, String pseudonym, long givenAt, Optional<Long> withdrawnAt,
                          boolean syncAllowed, String textVersion, long changedAt) {
        public boolean given() {
            return withdrawnAt.isEmpty();
        }

        public JsonObject toJson() {
            return new JsonObject().put("given", given()).put("givenAt", givenAt)
                    .put("withdrawnAt", withdrawnAt.orElse(null)).put("syncAllowed", syncAllowed && given())
                    .put("textVersion", textVersion).put("changedAt", changedAt);
        }
    }

    /** What withdrawing did: the consent as it is now and the hub's template copies deleted. */
    public record Withdrawn(Consent consent, int templatesDeleted) {
    }

    private static final String SELECT = "SELECT c.member_id, m.pseudonym, c.given_at, c.withdrawn_at, "
            + "c.sync_allowed, c.text_version, c.changed_at FROM face_consents c JOIN members m ON m.id = c.member_id ";

    private final Database db;
    private final TemplateKey key;
    private final FaceEnrolments enrolments;

    public FaceConsentStore(Database db, TemplateKey key, FaceEnrolments enrolments) {
        this.db = db;
        this.key = key;
        this.enrolments = enrolments;
    }

    public Future<Optional<Consent>> get(String memberId) {
        return db.call(c -> one(c, memberId));
    }

    /** Records consent given now (again, after a withdrawal, too) with the text version and sync choice. */
    public Future<Consent> give(String memberId, String textVersion, boolean sync) {
        long now = System.currentTimeMillis();
        return db.tx(c -> {
            lock(c, memberId);
            Optional<Consent> before = one(c, memberId);
            long at = next(before, now);
            String sql = before.isPresent()
                    ? "UPDATE face_consents SET given_at = ?, withdrawn_at = NULL, sync_allowed = ?, text_version = ?, "
                    + "changed_at = ? WHERE member_id = ?"
                    : "INSERT INTO face_consents (given_at, sync_allowed, text_version, changed_at, member_id) "
                    + "VALUES (?, ?, ?, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, now);
                ps.setBoolean(2, sync);
                ps.setString(3, textVersion);
                ps.setLong(4, at);
                ps.setString(5, memberId);
                ps.executeUpdate();
            }
            if (before.isPresent() && !sync) {
                // consent given again without sync: the hub keeps no copies, as when sync is denied
                deleteTemplates(c, memberId);
                scrubSyncCommands(c, before.get().pseudonym());
            }
            return one(c, memberId).orElseThrow();
        });
    }

    /**
     * Allows or denies sync while consent is given; empty when it is not. Denying deletes the hub's copies of
     * the member's templates.
     */
    public Future<Optional<Consent>> setSync(String memberId, boolean allowed) {
        return db.tx(c -> {
            lock(c, memberId);
            Optional<Consent> before = one(c, memberId);
            if (before.isEmpty() || !before.get().given()) {
                return Optional.<Consent>empty();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE face_consents SET sync_allowed = ?, changed_at = ? WHERE member_id = ?")) {
                ps.setBoolean(1, allowed);
                ps.setLong(2, next(before, System.currentTimeMillis()));
                ps.setString(3, memberId);
                ps.executeUpdate();
            }
            if (!allowed) {
                deleteTemplates(c, memberId);
                scrubSyncCommands(c, before.get().pseudonym());
            }
            return one(c, memberId);
        });
    }

    /** Records the withdrawal and deletes the hub's template copies; empty when consent was never given. */
    public Future<Optional<Withdrawn>> withdraw(String memberId) {
        long now = System.currentTimeMillis();
        return db.tx(c -> {
            lock(c, memberId);
            Optional<Consent> before = one(c, memberId);
            if (before.isEmpty()) {
                return Optional.<Withdrawn>empty();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE face_consents SET withdrawn_at = COALESCE("
                    + "withdrawn_at, ?), sync_allowed = FALSE, changed_at = ? WHERE member_id = ?")) {
                ps.setLong(1, now);
                ps.setLong(2, next(before, now));
                ps.setString(3, memberId);
                ps.executeUpdate();
            }
            int deleted = deleteTemplates(c, memberId);
            FaceEnrolments.forget(c, memberId);
            scrubSyncCommands(c, before.get().pseudonym());
            return Optional.of(new Withdrawn(one(c, memberId).orElseThrow(), deleted));
        });
    }

    /** What became of a template a station sent. */
    public sealed interface Upload {
        /** Kept, sealed, under this id. */
        record Stored(String id) implements Upload {
        }

        /** The member's consent with sync does not hold now: not kept. */
        record NoSyncConsent() implements Upload {
        }

        /** The station never enrolled the member (or the enrolment went with a withdrawal): not kept. */
        record NotEnrolled(Optional<FaceEnrolments.Outcome> proof) implements Upload {
        }
    }

    /**
     * Keeps a template a station sent, sealed, if the member's consent with sync holds at this moment and the
     * station enrolled the member (checked in the same transaction). {@code proof} is the rider pass text the
     * member showed to enrol, recorded as the enrolment if the station's {@code face.enrolled} event has not come
     * yet.
     */
    public Future<Upload> addTemplate(String pseudonym, String stationId, int dims, byte[] template,
                                      Optional<String> proof) {
        long now = System.currentTimeMillis();
        return db.tx(c -> {
            Optional<Consent> consent;
            try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE m.pseudonym = ?")) {
                ps.setString(1, pseudonym);
                consent = read(ps);
            }
            if (consent.isEmpty()) {
                return new Upload.NoSyncConsent();
            }
            // a withdrawal or a denial running now either commits first (seen here) or waits for this insert
            lock(c, consent.get().memberId());
            consent = one(c, consent.get().memberId());
            if (consent.isEmpty() || !consent.get().given() || !consent.get().syncAllowed()) {
                return new Upload.NoSyncConsent();
            }
            String memberId = consent.get().memberId();
            Optional<FaceEnrolments.Outcome> proved = Optional.empty();
            if (proof.isPresent()) {
                proved = Optional.of(enrolments.record(c, stationId, pseudonym, proof.get(), now));
            }
            if (!FaceEnrolments.enrolled(c, memberId, stationId)) {
                return new Upload.NotEnrolled(proved);
            }
            String id = Ulid.next(now);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO face_templates (id, member_id, station_id, dims, "
                    + "sealed, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, memberId);
                ps.setString(3, stationId);
                ps.setInt(4, dims);
                ps.setBytes(5, key.seal(template, id, memberId, stationId));
                ps.setString(6, key.id());
                ps.setLong(7, now);
                ps.executeUpdate();
            }
            return new Upload.Stored(id);
        });
    }

    /** A stored template opened: only to pass it on to stations. Empty when there is no such row. */
    public Future<Optional<byte[]>> openTemplate(String id) {
        return db.call(c -> {
            Optional<Object[]> row = Rows.one(c, "SELECT member_id, station_id, sealed, key_id, template "
                    + "FROM face_templates WHERE id = ?", rs -> new Object[]{rs.getString(1), rs.getString(2),
                    rs.getBytes(3), rs.getString(4), rs.getBytes(5)}, id);
            if (row.isEmpty()) {
                return Optional.<byte[]>empty();
            }
            Object[] r = row.get();
            if (r[2] == null) {
                // not sealed yet: a row from before V12 that the start-up pass has not reached
                return Optional.of((byte[]) r[4]);
            }
            return Optional.of(key.open((byte[]) r[2], (String) r[3], id, (String) r[0], (String) r[1]));
        });
    }

    /**
     * Seals every template not sealed under the current key: plaintext rows from before V12 (their plaintext
     * column is emptied) and rows sealed under the previous key. Completes with how many rows were sealed.
     */
    public Future<Integer> sealAtRest() {
        return db.tx(c -> {
            List<Object[]> rows = Rows.list(c, "SELECT id, member_id, station_id, template, sealed, key_id "
                    + "FROM face_templates WHERE sealed IS NULL OR key_id IS NULL OR key_id <> ? FOR UPDATE",
                    rs -> new Object[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4),
                            rs.getBytes(5), rs.getString(6)}, key.id());
            int n = 0;
            for (Object[] r : rows) {
                String id = (String) r[0];
                byte[] plain = r[4] == null ? (byte[]) r[3]
                        : key.open((byte[]) r[4], (String) r[5], id, (String) r[1], (String) r[2]);
                n += Rows.update(c, "UPDATE face_templates SET sealed = ?, key_id = ?, template = NULL WHERE id = ?",
                        key.seal(plain, id, (String) r[1], (String) r[2]), key.id(), id);
            }
            return n;
        });
    }

    private static int deleteTemplates(Connection c, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM face_templates WHERE member_id = ?")) {
            ps.setString(1, memberId);
            return ps.executeUpdate();
        }
    }

    /**
     * The {@code face.sync} commands that carried the member's templates keep no copy in the command log: their
     * args are replaced by {@code {"member","deleted":true}}, and those not yet delivered are expired so they
     * never are.
     */
    private static int scrubSyncCommands(Connection c, String pseudonym) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE commands SET args = ?, status = CASE WHEN status = ? "
                + "THEN ? ELSE status END WHERE name = ? AND args LIKE ?")) {
            ps.setString(1, new JsonObject().put("member", pseudonym).put("deleted", true).encode());
            ps.setString(2, CommandStore.PENDING);
            ps.setString(3, CommandStore.EXPIRED);
            ps.setString(4, Command.FACE_SYNC);
            ps.setString(5, "%\"member\":\"" + pseudonym + "\"%");
            return ps.executeUpdate();
        }
    }

    /** A consent a station has not been sent: the member pseudonym, sync and the state's version. */
    public record Missing(String pseudonym, boolean sync, long version) {
    }

    /**
     * Consents given (not withdrawn) whose current state was never stored as a {@code face.consent} command for
     * the station (one that expired unsent does not count), oldest first, at most {@code limit}: what a station
     * registered (or long offline) after the members consented lacks.
     */
    public Future<List<Missing>> missingAt(String stationId, int limit) {
        return db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT m.pseudonym, c.sync_allowed, c.changed_at "
                    + "FROM face_consents c JOIN members m ON m.id = c.member_id WHERE c.withdrawn_at IS NULL "
                    + "AND NOT EXISTS (SELECT 1 FROM commands k WHERE k.station_id = ? AND k.name = ? "
                    + "AND k.status <> ? AND k.args LIKE CONCAT('%\"member\":\"', m.pseudonym, '\"%') "
                    + "AND k.args LIKE CONCAT('%\"version\":', CAST(c.changed_at AS VARCHAR), '}%')) "
                    + "ORDER BY c.changed_at LIMIT ?")) {
                ps.setString(1, stationId);
                ps.setString(2, Command.FACE_CONSENT);
                ps.setString(3, CommandStore.EXPIRED);
                ps.setInt(4, limit);
                List<Missing> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Missing(rs.getString(1), rs.getBoolean(2), rs.getLong(3)));
                    }
                }
                return out;
            }
        });
    }

    private static long next(Optional<Consent> before, long now) {
        return Math.max(now, before.map(b -> b.changedAt() + 1).orElse(now));
    }

    /** Locks the member's consent row until the transaction ends, so consent changes and uploads take turns. */
    private static void lock(Connection c, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT member_id FROM face_consents WHERE member_id = ? FOR UPDATE")) {
            ps.setString(1, memberId);
            ps.executeQuery().close();
        }
    }

    private static Optional<Consent> one(Connection c, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE c.member_id = ?")) {
            ps.setString(1, memberId);
            return read(ps);
        }
    }

    private static Optional<Consent> read(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            long withdrawn = rs.getLong(4);
            Optional<Long> w = rs.wasNull() ? Optional.empty() : Optional.of(withdrawn);
            return Optional.of(new Consent(rs.getString(1), rs.getString(2), rs.getLong(3), w, rs.getBoolean(5),
                    rs.getString(6), rs.getLong(7)));
        }
    }
}
