package org.yizhan.hub.face;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.Ulid;

import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which station enrolled which member's face ({@code face_enrolments}). A station reports an enrolment with the
 * event {@code face.enrolled} {@code {"member","pass"}}: the rider pass the member showed to start it. The hub
 * records it only when that pass is genuine (signed with one of the hub's pass keys), is the member's, has not
 * enrolled anywhere before, was still valid when the member's face consent was last given, and that consent holds.
 * So a station cannot claim a member who never showed it a pass, nor replay an enrolment from before a
 * withdrawal. The same proof may come with the template upload, when the upload outruns the event.
 */
public final class FaceEnrolments implements EventEffects, HubFeature {

    /** What became of a claimed enrolment. */
    public enum Outcome {
        RECORDED, ALREADY_RECORDED, BAD_PROOF, NOT_THE_MEMBER, PASS_USED_ELSEWHERE, NO_CONSENT, BEFORE_CONSENT;

        public boolean recorded() {
            return this == RECORDED || this == ALREADY_RECORDED;
        }

        public String reason() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(FaceEnrolments.class);
    /** Passes are signed for the current 30-second slot of the hub's clock; a little room for hubs whose clocks differ. */
    static final long CLOCK_SLACK_MILLIS = 5_000;

    private final Supplier<List<StationConfig.HubKey>> passKeys;
    private final HubMetrics metrics;

    public FaceEnrolments(Supplier<List<StationConfig.HubKey>> passKeys, HubMetrics metrics) {
        this.passKeys = passKeys;
        this.metrics = metrics;
    }

    @Override
    public EventEffects effects() {
        return this;
    }

    /** Records the enrolments reported in the events; a bad claim is counted and logged, never rolls them back. */
    @Override
    public List<JsonObject> onEvents(Connection c, String stationId, List<Event> fresh) throws SQLException {
        for (Event e : fresh) {
            if (!EventType.FACE_ENROLLED.equals(e.type())) {
                continue;
            }
            String member = String.valueOf(e.data().getValue("member"));
            String pass = String.valueOf(e.data().getValue("pass"));
            Outcome o = record(c, stationId, member, pass, e.ts());
            if (!o.recorded()) {
                LOG.warn("Face enrolment of {} reported by {} (event {}) not recorded: {}", member, stationId, e.id(),
                        o.reason());
            }
        }
        return List.of();
    }

    /**
     * Records that {@code stationId} enrolled the member {@code pseudonym}, proved by the rider pass text the
     * member showed there. Locks the member's consent row, so an event and an upload with the same proof take
     * turns. Never logs the pass.
     */
    public Outcome record(Connection c, String stationId, String pseudonym, String passText, long enrolledAt)
            throws SQLException {
        Optional<RiderPass> pass = RiderPass.parse(passText);
        if (pass.isEmpty() || !genuine(pass.get())) {
            return counted(Outcome.BAD_PROOF);
        }
        if (!pass.get().pseudonym().equals(pseudonym)) {
            return counted(Outcome.NOT_THE_MEMBER);
        }
        Optional<String> member = Rows.one(c, "SELECT id FROM members WHERE pseudonym = ?", rs -> rs.getString(1),
                pseudonym);
        Optional<Long> givenAt = member.isEmpty() ? Optional.empty() : Rows.one(c, "SELECT given_at "
                + "FROM face_consents WHERE member_id = ? AND withdrawn_at IS NULL FOR UPDATE", rs -> rs.getLong(1),
                member.get());
        if (givenAt.isEmpty()) {
            return counted(Outcome.NO_CONSENT);
        }
        // a station enrols only once it holds the consent, so the pass shown is younger than the consent; an
        // older one is a replay from before a withdrawal (whose enrolments were forgotten with it)
        if (pass.get().expiresAtMillis() + CLOCK_SLACK_MILLIS < givenAt.get()) {
            return counted(Outcome.BEFORE_CONSENT);
        }
        Optional<String> memberId = member;
        String ref = pass.get().kid() + ":" + pass.get().slot() + ":" + Integer.toUnsignedString(pass.get().nonce());
        Optional<String> at = Rows.one(c, "SELECT station_id FROM face_enrolments WHERE pass_ref = ?",
                rs -> rs.getString(1), ref);
        if (at.isPresent()) {
            return at.get().equals(stationId) ? Outcome.ALREADY_RECORDED : counted(Outcome.PASS_USED_ELSEWHERE);
        }
        long now = System.currentTimeMillis();
        Rows.update(c, "INSERT INTO face_enrolments (id, member_id, station_id, enrolled_at, recorded_at, pass_ref) "
                + "VALUES (?, ?, ?, ?, ?, ?)", Ulid.next(now), memberId.get(), stationId, enrolledAt, now, ref);
        LOG.info("Face enrolment of {} at {} recorded", pseudonym, stationId);
        metrics.counter("yizhan_face_enrolments", "outcome", "recorded");
        return Outcome.RECORDED;
    }

    /** Whether the station enrolled the member (by id) and the enrolment still stands. */
    static boolean enrolled(Connection c, String memberId, String stationId) throws SQLException {
        return Rows.any(c, "SELECT 1 FROM face_enrolments WHERE member_id = ? AND station_id = ?", memberId,
                stationId);
    }

    /** Consent withdrawn: the record of where the member enrolled goes with the templates. */
    static int forget(Connection c, String memberId) throws SQLException {
        return Rows.update(c, "DELETE FROM face_enrolments WHERE member_id = ?", memberId);
    }

    private boolean genuine(RiderPass pass) {
        for (StationConfig.HubKey k : passKeys.get()) {
            if (k.kid() == pass.kid()) {
                try {
                    return pass.verify(Ed25519.publicKey(k.publicKey()));
                } catch (GeneralSecurityException e) {
                    return false;
                }
            }
        }
        return false;
    }

    private Outcome counted(Outcome o) {
        metrics.counter("yizhan_face_enrolments", "outcome", o.reason());
        return o;
    }
}
