package org.yizhan.hub.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Face templates in the registry: kept only from the station that enrolled the member (recorded from its
 * {@code face.enrolled} event or the upload's proof, a genuine pass of that member used once), sealed at rest
 * under the hub's key, opened back, and rows from before sealed at start.
 */
@ExtendWith(VertxExtension.class)
class FaceTemplateStoreTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    TestRegistry registry() {
        return H2;
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] TEMPLATE = new byte[8 * 4];

    static {
        for (int i = 0; i < TEMPLATE.length; i++) {
            TEMPLATE[i] = (byte) (i * 7 + 1);
        }
    }

    @TempDir
    Path keys;
    private Database db;
    private KeyPair passKey;
    private final List<StationConfig.HubKey> published = new ArrayList<>();
    private TemplateKey key;
    private FaceEnrolments enrolments;
    private FaceConsentStore store;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        db = await(registry().open(vertx));
        passKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        published.add(new StationConfig.HubKey(1, Ed25519.rawBase64(passKey.getPublic())));
        key = TemplateKey.loadOrCreate(keys.resolve(TemplateKey.FILE));
        enrolments = new FaceEnrolments(() -> published, new HubMetrics());
        store = new FaceConsentStore(db, key, enrolments);
    }

    @AfterEach
    void tearDown() {
        await(registry().close(db));
    }

    @Test
    void keepsATemplateOnlyFromTheStationThatEnrolledTheMember() throws Exception {
        Member m = member("13900000001");
        await(store.give(m.id, "2026-01", true));

        assertThat(await(store.addTemplate(m.pseudonym, "st-a", 8, TEMPLATE, Optional.empty())))
                .as("no station enrolled the member yet").isInstanceOf(FaceConsentStore.Upload.NotEnrolled.class);

        // station B reports its enrolment over the event path
        String passAtB = pass(m, 1).text();
        recordFromEvent("st-b", m, passAtB);
        assertThat(await(store.addTemplate(m.pseudonym, "st-b", 8, TEMPLATE, Optional.empty())))
                .isInstanceOf(FaceConsentStore.Upload.Stored.class);

        // station A claims the member: without proof, with B's pass replayed, with a forged or another member's pass
        Member other = member("13900000002");
        await(store.give(other.id, "2026-01", true));
        KeyPair forger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        List<Optional<String>> claims = List.of(Optional.empty(), Optional.of(passAtB),
                Optional.of(RiderPass.sign(1, m.raw, RiderPass.slotOf(System.currentTimeMillis()), 5,
                        forger.getPrivate()).text()),
                Optional.of(pass(other, 6).text()), Optional.of("YZ:not-a-pass"));
        List<FaceEnrolments.Outcome> why = List.of(FaceEnrolments.Outcome.PASS_USED_ELSEWHERE,
                FaceEnrolments.Outcome.BAD_PROOF, FaceEnrolments.Outcome.NOT_THE_MEMBER,
                FaceEnrolments.Outcome.BAD_PROOF);
        for (int i = 0; i < claims.size(); i++) {
            FaceConsentStore.Upload u = await(store.addTemplate(m.pseudonym, "st-a", 8, TEMPLATE, claims.get(i)));
            assertThat(u).as("claim %d", i).isInstanceOf(FaceConsentStore.Upload.NotEnrolled.class);
            if (i > 0) {
                assertThat(((FaceConsentStore.Upload.NotEnrolled) u).proof()).as("claim %d", i)
                        .contains(why.get(i - 1));
            }
        }
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE station_id = 'st-a'")).isZero();

        // the member shows station A a pass of their own: then A enrolled them too (upload carries the proof)
        assertThat(await(store.addTemplate(m.pseudonym, "st-a", 8, TEMPLATE, Optional.of(pass(m, 9).text()))))
                .isInstanceOf(FaceConsentStore.Upload.Stored.class);
        assertThat(count("SELECT COUNT(*) FROM face_enrolments")).isEqualTo(2);
    }

    @Test
    void aReplayedUploadAfterAWithdrawalIsRefusedEvenOnceConsentIsGivenAgain() throws Exception {
        Member m = member("13900000003");
        await(store.give(m.id, "2026-01", true));
        // consent given an hour ago, enrolled with a pass shown ten minutes ago
        await(db.call(c -> Rows.update(c, "UPDATE face_consents SET given_at = given_at - 3600000 WHERE member_id = ?",
                m.id)));
        String proof = RiderPass.sign(1, m.raw, RiderPass.slotOf(System.currentTimeMillis() - 600_000), 1,
                passKey.getPrivate()).text();
        assertThat(await(store.addTemplate(m.pseudonym, "st-b", 8, TEMPLATE, Optional.of(proof))))
                .isInstanceOf(FaceConsentStore.Upload.Stored.class);

        await(store.withdraw(m.id));
        assertThat(count("SELECT COUNT(*) FROM face_enrolments")).as("forgotten with the templates").isZero();
        assertThat(await(store.addTemplate(m.pseudonym, "st-b", 8, TEMPLATE, Optional.of(proof))))
                .isInstanceOf(FaceConsentStore.Upload.NoSyncConsent.class);

        await(store.give(m.id, "2026-02", true));
        FaceConsentStore.Upload replay = await(store.addTemplate(m.pseudonym, "st-b", 8, TEMPLATE,
                Optional.of(proof)));
        assertThat(replay).as("the old upload, replayed").isInstanceOf(FaceConsentStore.Upload.NotEnrolled.class);
        assertThat(((FaceConsentStore.Upload.NotEnrolled) replay).proof()).contains(
                FaceEnrolments.Outcome.BEFORE_CONSENT);
        assertThat(count("SELECT COUNT(*) FROM face_templates")).isZero();
    }

    @Test
    void sealsTemplatesAtRestAndOpensThemOnlyWithTheKey() throws Exception {
        Member m = member("13900000004");
        await(store.give(m.id, "2026-01", true));
        String id = ((FaceConsentStore.Upload.Stored) await(store.addTemplate(m.pseudonym, "st-b", 8, TEMPLATE,
                Optional.of(pass(m, 1).text())))).id();

        Object[] row = await(db.call(c -> Rows.one(c, "SELECT template, sealed, key_id FROM face_templates "
                + "WHERE id = ?", rs -> new Object[]{rs.getBytes(1), rs.getBytes(2), rs.getString(3)}, id))).orElseThrow();
        assertThat((byte[]) row[0]).as("no plaintext column").isNull();
        byte[] sealed = (byte[]) row[1];
        assertThat(sealed).hasSize(12 + TEMPLATE.length + 16).isNotEqualTo(TEMPLATE);
        assertThat(indexOf(sealed, java.util.Arrays.copyOfRange(TEMPLATE, 0, 8))).as("no run of the plaintext")
                .isEqualTo(-1);
        assertThat(row[2]).isEqualTo(key.id());
        assertThat(await(store.openTemplate(id))).hasValueSatisfying(b -> assertThat(b).isEqualTo(TEMPLATE));
        assertThat(key.open(sealed, key.id(), id, m.id, "st-b")).isEqualTo(TEMPLATE);

        // moved to another station or member, the row does not open
        assertThat(attempt(() -> key.open(sealed, key.id(), id, m.id, "st-a"))).isInstanceOf(TemplateKey.SealException.class);
        assertThat(attempt(() -> key.open(sealed, key.id(), id, "01OTHERMEMBER0000000000000", "st-b")))
                .isInstanceOf(TemplateKey.SealException.class);
    }

    @Test
    void sealsRowsFromBeforeAtStartAndResealsUnderANewKeyAfterARotation() throws Exception {
        Member m = member("13900000005");
        await(store.give(m.id, "2026-01", true));
        // a row as V5 wrote it: the template in the clear
        await(db.call(c -> Rows.update(c, "INSERT INTO face_templates (id, member_id, station_id, dims, template, "
                + "created_at) VALUES ('01LEGACY00000000000000000', ?, 'st-b', 8, ?, 1)", m.id, TEMPLATE)));

        assertThat(await(store.sealAtRest())).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE template IS NULL AND sealed IS NOT NULL")).isEqualTo(1);
        assertThat(await(store.openTemplate("01LEGACY00000000000000000"))).hasValueSatisfying(
                b -> assertThat(b).isEqualTo(TEMPLATE));
        assertThat(await(store.sealAtRest())).as("nothing left to seal").isZero();

        // rotation: the old key kept as .previous, a new one made; start seals again under the new key
        Path file = keys.resolve(TemplateKey.FILE);
        Files.move(file, keys.resolve(TemplateKey.FILE + TemplateKey.PREVIOUS_SUFFIX));
        TemplateKey rotated = TemplateKey.loadOrCreate(file);
        assertThat(rotated.id()).isNotEqualTo(key.id());
        FaceConsentStore after = new FaceConsentStore(db, rotated, enrolments);
        assertThat(await(after.sealAtRest())).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM face_templates WHERE key_id = '" + rotated.id() + "'")).isEqualTo(1);
        Files.delete(keys.resolve(TemplateKey.FILE + TemplateKey.PREVIOUS_SUFFIX));
        FaceConsentStore withoutOld = new FaceConsentStore(db, TemplateKey.loadOrCreate(file), enrolments);
        assertThat(await(withoutOld.openTemplate("01LEGACY00000000000000000"))).hasValueSatisfying(
                b -> assertThat(b).isEqualTo(TEMPLATE));
    }

    // ---- helpers

    private record Member(String id, String pseudonym, byte[] raw) {
    }

    private Member member(String phone) {
        byte[] raw = RiderPass.newMemberId(RANDOM);
        String id = "01M" + phone + "0000000000000".substring(0, 26 - 3 - phone.length());
        String pseudonym = RiderPass.pseudonym(raw);
        await(db.call(c -> Rows.update(c, "INSERT INTO members (id, pseudonym, name, phone, occupation, "
                + "status_changed_at, created_at) VALUES (?, ?, '刘师傅', ?, 'courier', 0, 0)", id, pseudonym, phone)));
        return new Member(id, pseudonym, raw);
    }

    private RiderPass pass(Member m, int nonce) throws Exception {
        return RiderPass.sign(1, m.raw, RiderPass.slotOf(System.currentTimeMillis()), nonce, passKey.getPrivate());
    }

    private void recordFromEvent(String stationId, Member m, String pass) {
        Event e = Event.of(EventType.FACE_ENROLLED, System.currentTimeMillis(),
                new JsonObject().put("member", m.pseudonym).put("pass", pass));
        await(db.tx(c -> enrolments.onEvents(c, stationId, List.of(e))));
    }

    private int count(String sql) {
        return await(db.call(c -> Rows.one(c, sql, rs -> rs.getInt(1)).orElseThrow()));
    }

    private interface Attempt {
        Object run() throws Exception;
    }

    private static Throwable attempt(Attempt a) {
        try {
            a.run();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
