package org.yizhan.hub.members;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.TestRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The numbered revocation list in the registry: every status change takes the next version, concurrent changes
 * too, and what changed since any version it keeps is read back as a delta.
 */
@ExtendWith(VertxExtension.class)
class MemberRevocationsTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** The engine the tests run on; the PostgreSQL subclass overrides it. */
    TestRegistry registry() {
        return H2;
    }

    private Database db;
    private MemberStore members;

    @BeforeEach
    void setUp(Vertx vertx) {
        db = await(registry().open(vertx));
        members = new MemberStore(db, Duration.ofDays(1));
    }

    @AfterEach
    void tearDown() {
        await(registry().close(db));
    }

    private List<Member> join(int n) {
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(await(members.create("会员", String.format("138%08d", i), "courier", "test")).orElseThrow().member());
        }
        return out;
    }

    @Test
    void concurrentChangesTakeOneVersionEachAndEveryDeltaHoldsThemAll() {
        List<Member> joined = join(12);
        long start = await(members.revocations()).version();

        List<Future<?>> changes = new ArrayList<>();
        for (Member m : joined) {
            changes.add(members.setStatus(m.id(), Member.ACTIVE, Member.SUSPENDED));
        }
        await(Future.all(changes));

        MemberStore.Revocations after = await(members.revocations());
        assertThat(after.version()).as("one version per change").isEqualTo(start + 12);
        assertThat(after.pseudonyms()).containsExactlyInAnyOrderElementsOf(
                joined.stream().map(Member::pseudonym).toList());
        MemberStore.RevocationDelta all = await(members.revocationsSince(start, 100)).orElseThrow();
        assertThat(all.to()).isEqualTo(start + 12);
        assertThat(all.add()).containsExactlyInAnyOrderElementsOf(after.pseudonyms());
        assertThat(all.remove()).isEmpty();
        for (long from = start; from <= start + 12; from++) {
            assertThat(await(members.revocationsSince(from, 100)).orElseThrow().size())
                    .as("changes after version %d", from).isEqualTo((int) (start + 12 - from));
        }
    }

    @Test
    void aResumedMemberIsRemovedAndAVersionOutsideTheKeptOnesGetsNoDelta() {
        List<Member> joined = join(3);
        long start = await(members.revocations()).version();
        for (Member m : joined) {
            await(members.setStatus(m.id(), Member.ACTIVE, Member.SUSPENDED));
        }
        await(members.setStatus(joined.get(0).id(), Member.SUSPENDED, Member.ACTIVE));
        await(members.setStatus(joined.get(0).id(), Member.SUSPENDED, Member.ACTIVE));

        MemberStore.RevocationDelta d = await(members.revocationsSince(start + 1, 100)).orElseThrow();

        assertThat(d.to()).as("setting the status it has is no change").isEqualTo(start + 4);
        assertThat(d.add()).containsExactlyInAnyOrder(joined.get(1).pseudonym(), joined.get(2).pseudonym());
        assertThat(d.remove()).containsExactly(joined.get(0).pseudonym());
        assertThat(await(members.revocationsSince(start + 5, 100))).as("a version the hub never had").isEmpty();
        assertThat(await(members.revocationsSince(start, 2))).as("more members changed than asked for").isEmpty();
        assertThat(await(members.revocationsSince(start, 3))).as("three members changed, one twice").isPresent();

        // a registry whose versions start later (its lists from before versions were kept)
        await(db.call(c -> c.createStatement().executeUpdate("UPDATE revocation_state SET base = " + (start + 2))));
        assertThat(await(members.revocationsSince(start + 1, 100))).as("before the first kept version").isEmpty();
        assertThat(await(members.revocationsSince(start + 2, 100))).isPresent();
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
