package org.yizhan.hub.alerts;

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
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.TestRegistry;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class AlertStoreTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** The engine the tests run on; the PostgreSQL subclass overrides it. */
    TestRegistry registry() {
        return H2;
    }

    private Database db;
    private AlertStore store;

    @BeforeEach
    void setUp(Vertx vertx) {
        db = await(registry().open(vertx));
        store = new AlertStore(db);
    }

    @AfterEach
    void tearDown() {
        await(registry().close(db));
    }

    @Test
    void keepsOneOpenAlertPerTypeAndClosesItWithMergedData() {
        long id = await(store.open("st-1", "offline", 1000, new JsonObject().put("since", 900)));
        assertThat(await(store.open("st-1", "offline", 2000, new JsonObject().put("since", 1900)))).isEqualTo(id);
        long other = await(store.open("st-2", "offline", 1500, new JsonObject()));
        assertThat(other).isNotEqualTo(id);

        JsonObject closed = await(store.close("st-1", "offline", 5000, new JsonObject().put("outageMillis", 4100))).orElseThrow();
        assertThat(closed.getLong("id")).isEqualTo(id);
        assertThat(closed.getLong("closedAt")).isEqualTo(5000);
        assertThat(closed.getJsonObject("data")).isEqualTo(new JsonObject().put("since", 900).put("outageMillis", 4100));
        assertThat(await(store.close("st-1", "offline", 6000, new JsonObject()))).isEmpty();

        JsonArray open = await(store.list(Optional.empty(), true, 10));
        assertThat(open).extracting(o -> ((JsonObject) o).getString("stationId")).containsExactly("st-2");
        JsonArray all = await(store.list(Optional.empty(), false, 10));
        assertThat(all).extracting(o -> ((JsonObject) o).getLong("openedAt")).containsExactly(1500L, 1000L);
        JsonArray st1 = await(store.list(Optional.of("st-1"), false, 10));
        assertThat(st1.getJsonObject(0).getJsonObject("data").getLong("outageMillis")).isEqualTo(4100);
        assertThat(all.getJsonObject(0).getValue("closedAt")).isNull();
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
