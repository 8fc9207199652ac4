package org.yizhan.hub.feedback;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.hub.notify.MovableClock;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feedback past its deadline without an answer becomes one {@code feedback-overdue} alert, raised by the one hub
 * holding the sweep's lease, closed by the answer; a triage that gives more time closes it until the new deadline.
 */
@ExtendWith(VertxExtension.class)
class OverdueFeedbackTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** Monday 10:00 in Shanghai: a normal item is due Friday 00:00, an urgent one Tuesday 00:00. */
    private static final Instant MONDAY = Instant.parse("2025-03-03T02:00:00Z");

    private Database db;
    private FeedbackStore store;
    private AlertStore alerts;
    private MovableClock clock;
    private OverdueFeedback hub;
    private OverdueFeedback otherHub;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        db = await(H2.open(vertx));
        store = new FeedbackStore(db);
        alerts = new AlertStore(db);
        clock = new MovableClock(MONDAY);
        hub = new OverdueFeedback(vertx, store, db, clock);
        otherHub = new OverdueFeedback(vertx, store, db, clock);
        await(db.call(c -> Rows.update(c, "INSERT INTO stations (id, name, profile, created_at) VALUES (?, ?, ?, ?)",
                "st-1", "西湖区文三路站", "simulated", 0L)));
    }

    @AfterEach
    void tearDown() throws Exception {
        await(hub.stop());
        await(otherHub.stop());
        await(H2.close(db));
    }

    @Test
    void raisesOneAlertWhenFeedbackMissesItsDeadlineAndTheAnswerClosesIt() throws Exception {
        Feedback f = create();
        assertThat(await(hub.sweep())).as("not due before Friday").isZero();
        clock.set(Instant.ofEpochMilli(f.deadline() - 1));
        assertThat(await(hub.sweep())).isZero();
        clock.set(Instant.ofEpochMilli(f.deadline()));
        assertThat(await(hub.sweep())).isEqualTo(1);

        JsonObject alert = single(overdueAlerts());
        assertThat(alert.getString("stationId")).isEqualTo("st-1");
        assertThat(alert.getString("subject")).isEqualTo("feedback:" + f.id());
        assertThat(alert.getLong("openedAt")).as("overdue since the deadline").isEqualTo(f.deadline());
        assertThat(alert.getJsonObject("data").getString("feedbackId")).isEqualTo(f.id());
        assertThat(alert.getJsonObject("data").encode()).as("the rider's words stay out of alerts")
                .doesNotContain("充电口");

        clock.advance(Duration.ofHours(5));
        assertThat(await(hub.sweep())).as("raised once").isZero();
        assertThat(await(otherHub.sweep())).as("another hub neither").isZero();
        assertThat(overdueAlerts()).hasSize(1);

        clock.advance(Duration.ofHours(1));
        FeedbackStore.Outcome answered = await(store.answer(f.id(), "已修好", "duty-operator", clock.millis()));
        assertThat(answered.closedAlert()).as("the answer closes the alert").isPresent();
        assertThat(single(overdueAlerts()).getLong("closedAt")).isEqualTo(clock.millis());
        assertThat(single(overdueAlerts()).getJsonObject("data").getString("answeredBy")).isEqualTo("duty-operator");
        clock.advance(Duration.ofHours(1));
        assertThat(await(hub.sweep())).isZero();
        assertThat(overdueAlerts()).hasSize(1);
    }

    @Test
    void onlyTheHubHoldingTheLeaseRaisesAndAnotherTakesOverWhenItStops() throws Exception {
        Feedback first = create();
        Feedback second = create();
        clock.set(Instant.ofEpochMilli(first.deadline() - 1));
        assertThat(await(hub.sweep())).as("takes the lease; nothing due yet").isZero();
        clock.set(Instant.ofEpochMilli(first.deadline()));
        assertThat(await(otherHub.sweep())).as("the first hub holds the lease").isZero();
        assertThat(overdueAlerts()).isEmpty();
        await(hub.stop());
        assertThat(await(otherHub.sweep())).as("taken over once the first hub stopped").isEqualTo(2);
        assertThat(overdueAlerts()).extracting(a -> ((JsonObject) a).getString("subject"))
                .containsExactlyInAnyOrder("feedback:" + first.id(), "feedback:" + second.id());
        assertThat(await(hub.sweep())).as("nor does the first hub raise them again").isZero();
    }

    @Test
    void aTriageGivingMoreTimeClosesTheAlertUntilTheNewDeadlinePasses() throws Exception {
        Feedback f = create();
        await(store.triage(f.id(), Deadlines.URGENT, "duty-operator", clock.millis()));
        long urgentDeadline = Deadlines.of(Deadlines.URGENT, f.createdAt());
        clock.set(Instant.ofEpochMilli(urgentDeadline).plusSeconds(60));
        assertThat(await(hub.sweep())).isEqualTo(1);

        FeedbackStore.Outcome normal = await(store.triage(f.id(), Deadlines.NORMAL, "duty-operator", clock.millis()));
        assertThat(normal.closedAlert()).as("not overdue any more").isPresent();
        assertThat(await(hub.sweep())).isZero();

        clock.set(Instant.ofEpochMilli(f.deadline()));
        assertThat(await(hub.sweep())).as("missed the new deadline too").isEqualTo(1);
        JsonArray all = overdueAlerts();
        assertThat(all).hasSize(2);
        assertThat(((JsonObject) all.getValue(0)).getLong("openedAt")).isEqualTo(f.deadline());
        assertThat(((JsonObject) all.getValue(0)).getValue("closedAt")).isNull();
    }

    @Test
    void itemsOverdueForMoreThanAWeekRaiseNothing() throws Exception {
        Feedback f = create();
        clock.set(Instant.ofEpochMilli(f.deadline() + FeedbackStore.OVERDUE_MAX_AGE_MS));
        assertThat(await(hub.sweep())).isZero();
        assertThat(overdueAlerts()).isEmpty();
    }

    private Feedback create() throws Exception {
        return await(store.create("st-1", "charger", "3号充电口坏了，请联系 13812345678", Optional.empty(),
                Optional.empty(), clock.millis())).orElseThrow().feedback();
    }

    private JsonArray overdueAlerts() throws Exception {
        JsonArray out = new JsonArray();
        for (Object o : await(alerts.list(Optional.of("st-1"), false, 100))) {
            if (AlertStore.FEEDBACK_OVERDUE.equals(((JsonObject) o).getString("type"))) {
                out.add(o);
            }
        }
        return out;
    }

    private static JsonObject single(JsonArray a) {
        assertThat(a).hasSize(1);
        return a.getJsonObject(0);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
