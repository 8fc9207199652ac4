package org.yizhan.agent.pass;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.EventType;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yizhan.testing.Futures.get;

/**
 * The door decision on its own: real passes signed with a hub key, the durable replay and revocation store in a
 * temporary file, a fixed clock, and a door release that only records what it was asked. No agent, no servers.
 */
@ExtendWith(VertxExtension.class)
class AccessControlTest {

    private static final int KID = 3;
    /** 10:00 UTC, 18:00 in Shanghai (the stations' default time zone). */
    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");

    private final SecureRandom random = new SecureRandom();
    private final List<JsonObject> events = new CopyOnWriteArrayList<>();
    private final List<String> releases = new CopyOnWriteArrayList<>();
    private final AtomicBoolean roomFull = new AtomicBoolean();
    private KeyPair hub;
    private AccessStore store;
    private AccessControl access;
    private Vertx vertx;
    private Context station;

    @BeforeEach
    void setUp(Vertx vertx, @TempDir Path dir) throws Exception {
        this.vertx = vertx;
        station = vertx.getOrCreateContext();
        hub = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        store = new AccessStore(vertx, dir.resolve("access.db"));
        get(store.open());
        access = control(StationConfig.Access.DEFAULTS);
        get(access.start());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (access != null) {
            access.stop();
        }
        if (store != null) {
            get(store.close());
        }
    }

    private AccessControl control(StationConfig.Access config) {
        return new AccessControl(vertx, store,
                config.withHubKeys(List.of(new StationConfig.HubKey(KID, Ed25519.rawBase64(hub.getPublic())))),
                (type, data) -> events.add(new JsonObject().put("type", type).put("data", data)),
                roomFull::get, method -> {
                    releases.add(method);
                    return Future.succeededFuture();
                }, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private String pass(byte[] member, long slot, int kid, PrivateKey key) throws Exception {
        return RiderPass.sign(kid, member, slot, random.nextInt(), key).text();
    }

    private String pass(byte[] member) throws Exception {
        return pass(member, RiderPass.slotOf(NOW.toEpochMilli()), KID, hub.getPrivate());
    }

    private AccessDecision present(String text) throws Exception {
        return get(onStation(() -> access.present(text, "qr")));
    }

    /** Runs {@code call} on the station's context, where AccessControl is called in the agent. */
    private <T> Future<T> onStation(Supplier<Future<T>> call) {
        Promise<T> p = Promise.promise();
        station.runOnContext(v -> call.get().onComplete(p));
        return p.future();
    }

    @Test
    void grantsAGenuineCurrentPassReleasesTheDoorAndReportsTheMember() throws Exception {
        byte[] member = RiderPass.newMemberId(random);

        AccessDecision d = present(pass(member));

        assertThat(d.granted()).as("decision %s", d.toJson()).isTrue();
        assertThat(d.member()).contains(RiderPass.pseudonym(member));
        assertThat(releases).as("door released once, for a QR entry").containsExactly("qr");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getString("type")).isEqualTo(EventType.ACCESS_GRANTED);
        assertThat(events.get(0).getJsonObject("data").encode()).contains(RiderPass.pseudonym(member));
    }

    @Test
    void refusesThePassShownAgainInItsSlotAndKeepsTheDoorShut() throws Exception {
        String text = pass(RiderPass.newMemberId(random));

        assertThat(present(text).granted()).isTrue();
        AccessDecision again = present(text);

        assertThat(again.granted()).isFalse();
        assertThat(again.reason()).isEqualTo(AccessDecision.REPLAYED);
        assertThat(releases).as("released only for the first showing").hasSize(1);
        assertThat(events.get(1).getString("type")).isEqualTo(EventType.ACCESS_DENIED);
    }

    @Test
    void grantsOnlyOneOfTwoShowingsDecidedAtOnce() throws Exception {
        String text = pass(RiderPass.newMemberId(random));

        List<AccessDecision> both = get(onStation(() -> Future.all(access.present(text, "qr"),
                access.present(text, "qr")).map(f -> List.<AccessDecision>of(f.resultAt(0), f.resultAt(1)))));

        assertThat(both.stream().filter(AccessDecision::granted).count()).as("granted of %s", both).isEqualTo(1);
        assertThat(releases).hasSize(1);
    }

    @Test
    void refusesAPassSignedWithAnotherKeyUnderTheHubsKeyId() throws Exception {
        PrivateKey forger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();

        AccessDecision d = present(pass(RiderPass.newMemberId(random), RiderPass.slotOf(NOW.toEpochMilli()), KID,
                forger));

        assertThat(d.reason()).isEqualTo(AccessDecision.BAD_SIGNATURE);
        assertThat(d.member()).as("no member named before the signature holds").isEmpty();
        assertThat(releases).isEmpty();
    }

    @Test
    void refusesAPassOfAKeyTheStationDoesNotKnow() throws Exception {
        AccessDecision d = present(pass(RiderPass.newMemberId(random), RiderPass.slotOf(NOW.toEpochMilli()), KID + 1,
                hub.getPrivate()));

        assertThat(d.reason()).isEqualTo(AccessDecision.UNKNOWN_KEY);
        assertThat(releases).isEmpty();
    }

    @Test
    void refusesTextThatIsNoPass() throws Exception {
        AccessDecision d = present("https://example.com/not-a-pass");

        assertThat(d.reason()).isEqualTo(AccessDecision.UNREADABLE);
        assertThat(releases).isEmpty();
    }

    @Test
    void refusesAPassOfASlotLongPast() throws Exception {
        long hourAgo = RiderPass.slotOf(NOW.minusSeconds(3600).toEpochMilli());

        AccessDecision d = present(pass(RiderPass.newMemberId(random), hourAgo, KID, hub.getPrivate()));

        assertThat(d.reason()).isEqualTo(AccessDecision.EXPIRED);
        assertThat(releases).isEmpty();
    }

    @Test
    void refusesAMemberOnTheRevocationListAndIgnoresAnOlderList() throws Exception {
        byte[] member = RiderPass.newMemberId(random);
        String pseudonym = RiderPass.pseudonym(member);

        assertThat(get(access.syncRevoked(List.of(pseudonym), 5))).isTrue();
        assertThat(get(access.syncRevoked(List.of(), 4))).as("an older list is ignored").isFalse();
        AccessDecision d = present(pass(member));

        assertThat(d.reason()).isEqualTo(AccessDecision.REVOKED);
        assertThat(access.revocationVersion()).isEqualTo(5);
        assertThat(releases).isEmpty();
    }

    @Test
    void refusesWhenTheRoomIsFull() throws Exception {
        roomFull.set(true);

        AccessDecision d = present(pass(RiderPass.newMemberId(random)));

        assertThat(d.reason()).isEqualTo(AccessDecision.ROOM_FULL);
        assertThat(releases).isEmpty();
    }

    @Test
    void refusesOutsideOpeningHoursAndGrantsOnceTheHoursAreWidened() throws Exception {
        access.configure(StationConfig.Access.DEFAULTS.withOpeningHours("06:00-09:00")
                .withHubKeys(List.of(new StationConfig.HubKey(KID, Ed25519.rawBase64(hub.getPublic())))));

        AccessDecision closed = present(pass(RiderPass.newMemberId(random)));

        assertThat(closed.reason()).isEqualTo(AccessDecision.CLOSED);
        access.configure(StationConfig.Access.DEFAULTS.withOpeningHours("06:00-22:00")
                .withHubKeys(List.of(new StationConfig.HubKey(KID, Ed25519.rawBase64(hub.getPublic())))));
        assertThat(present(pass(RiderPass.newMemberId(random))).granted()).isTrue();
    }

    @Test
    void countsDecisionsByReasonAndKeepsTheLatest() throws Exception {
        present(pass(RiderPass.newMemberId(random)));
        present("garbage");
        present("garbage");

        assertThat(access.counts().getLong("ok")).isEqualTo(1);
        assertThat(access.counts().getLong(AccessDecision.UNREADABLE)).isEqualTo(2);
        assertThat(access.last().orElseThrow().reason()).isEqualTo(AccessDecision.UNREADABLE);
    }
}
