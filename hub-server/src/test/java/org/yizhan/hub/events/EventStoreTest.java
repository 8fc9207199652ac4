package org.yizhan.hub.events;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.Limits;
import org.yizhan.protocol.Ulid;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class EventStoreTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** The engine the tests run on; the PostgreSQL subclass overrides it. */
    TestRegistry registry() {
        return H2;
    }

    private Database db;
    private EventStore store;

    @BeforeEach
    void setUp(Vertx vertx) {
        db = await(registry().open(vertx));
        store = new EventStore(db);
    }

    @AfterEach
    void tearDown() {
        await(registry().close(db));
    }

    @Test
    void storesEachIdOnceEvenWithinOneBatch() {
        Event a = new Event(Ulid.next(1000), 1000, "door.opened", new JsonObject().put("n", 1));
        Event b = new Event(Ulid.next(2000), 2000, "door.closed", new JsonObject());
        assertThat(await(store.insert("st-1", List.of(a, a), 5))).isEqualTo(1);
        assertThat(await(store.insertNew("st-1", List.of(a, b), 6))).containsExactly(b);
        assertThat(await(store.insert("st-1", List.of(a, b), 7))).isZero();
    }

    @Test
    void setsAsideAnEventTheDatabaseRefusesForItsContentAndStoresTheRest() {
        Event a = new Event(Ulid.next(1000), 1000, "door.opened", new JsonObject());
        // the codec never lets such a type through; the store must still not fail the batch for it
        Event tooLong = new Event(Ulid.next(2000), 2000, "x." + "y".repeat(200), new JsonObject());
        Event b = new Event(Ulid.next(3000), 3000, "door.closed", new JsonObject());
        List<String> derivedFrom = new ArrayList<>();
        EventStore.Inserted<Integer> r = await(store.insertNew("st-1", List.of(a, tooLong, b), 5, (c, fresh) -> {
            fresh.forEach(e -> derivedFrom.add(e.id()));
            return fresh.size();
        }));
        assertThat(r.fresh()).containsExactly(a, b);
        assertThat(r.derived()).isEqualTo(2);
        assertThat(r.unstorable()).singleElement().satisfies(u -> {
            assertThat(u.event()).isEqualTo(tooLong);
            assertThat(u.error()).isNotBlank();
        });
        assertThat(derivedFrom).as("derived from what was stored, once").containsExactly(a.id(), b.id());
        JsonObject all = await(store.list(Optional.of("st-1"), Optional.empty(), Optional.empty(), 10));
        assertThat(all.getJsonArray("events")).extracting(o -> ((JsonObject) o).getString("id"))
                .containsExactly(a.id(), b.id());
    }

    @Test
    void storesTheLargestDataAnEventMayCarry() {
        Event largest = new Event(Ulid.next(1000), 1000, "selftest.result", new JsonObject().put("log", ""));
        largest = new Event(largest.id(), 1000, largest.type(),
                new JsonObject().put("log", "驿".repeat((Limits.EVENT_BYTES - largest.encodedBytes()) / 3)));
        assertThat(largest.encodedBytes()).isGreaterThan(Limits.EVENT_BYTES - 3).isLessThanOrEqualTo(Limits.EVENT_BYTES);
        Event ascii = new Event(Ulid.next(2000), 2000, "selftest.result", new JsonObject().put("log", ""));
        ascii = new Event(ascii.id(), 2000, ascii.type(),
                new JsonObject().put("log", "x".repeat(Limits.EVENT_BYTES - ascii.encodedBytes())));
        assertThat(ascii.encodedBytes()).isEqualTo(Limits.EVENT_BYTES);
        EventStore.Inserted<Void> r = await(store.insertNew("st-1", List.of(largest, ascii), 5, (c, fresh) -> null));
        assertThat(r.unstorable()).isEmpty();
        assertThat(r.fresh()).containsExactly(largest, ascii);
        JsonObject all = await(store.list(Optional.of("st-1"), Optional.empty(), Optional.empty(), 10));
        assertThat(all.getJsonArray("events").getJsonObject(1).getJsonObject("data")).isEqualTo(ascii.data());
    }

    @Test
    void failsTheWholeInsertWhenTheStatementFailsForAnotherReasonThanTheEvent() {
        Event a = new Event(Ulid.next(1000), 1000, "door.opened", new JsonObject());
        await(db.call(c -> c.createStatement().execute("ALTER TABLE events RENAME TO events_elsewhere")));
        assertThat(store.insertNew("st-1", List.of(a), 5, (c, fresh) -> null).toCompletionStage()
                .toCompletableFuture()).as("not set aside as unstorable").failsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void failsTheWholeInsertWhenTheDatabaseCannotBeReached() throws Exception {
        Event a = new Event(Ulid.next(1000), 1000, "door.opened", new JsonObject());
        // the registry goes away: no connection can be had any more
        ((AutoCloseable) db.dataSource()).close();
        assertThat(store.insertNew("st-1", List.of(a), 5, (c, fresh) -> null).toCompletionStage()
                .toCompletableFuture()).as("a failure that is not the event's fault is not set aside")
                .failsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void pagesAscendingByIdWithAnExclusiveCursorAndFilters() {
        Event e1 = new Event(Ulid.next(1000), 1000, "door.opened", new JsonObject());
        Event e2 = new Event(Ulid.next(2000), 2000, "access.granted", new JsonObject().put("method", "qr"));
        Event e3 = new Event(Ulid.next(3000), 3000, "door.opened", new JsonObject());
        await(store.insert("st-1", List.of(e3, e1), 1));
        await(store.insert("st-2", List.of(e2), 1));

        JsonObject first = await(store.list(Optional.empty(), Optional.empty(), Optional.empty(), 2));
        assertThat(first.getJsonArray("events")).extracting(o -> ((JsonObject) o).getString("id"))
                .containsExactly(e1.id(), e2.id());
        assertThat(first.getString("next")).isEqualTo(e2.id());
        JsonObject second = await(store.list(Optional.empty(), Optional.empty(), Optional.of(first.getString("next")), 2));
        assertThat(second.getJsonArray("events")).extracting(o -> ((JsonObject) o).getString("id")).containsExactly(e3.id());
        assertThat(second.getValue("next")).isNull();

        JsonObject st2 = await(store.list(Optional.of("st-2"), Optional.empty(), Optional.empty(), 10));
        assertThat(st2.getJsonArray("events").getJsonObject(0).getJsonObject("data").getString("method")).isEqualTo("qr");
        assertThat(st2.getJsonArray("events").getJsonObject(0).getString("stationId")).isEqualTo("st-2");
        JsonObject opened = await(store.list(Optional.empty(), Optional.of("door.opened"), Optional.empty(), 10));
        assertThat(opened.getJsonArray("events")).hasSize(2);
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
