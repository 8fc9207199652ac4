package org.yizhan.hub.deadletter;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.TestRegistry;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class DeadLetterStoreTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    /** The engine the tests run on; the PostgreSQL subclass overrides it. */
    TestRegistry registry() {
        return H2;
    }

    private Database db;
    private DeadLetterStore store;

    @BeforeEach
    void setUp(Vertx vertx) {
        db = await(registry().open(vertx));
        store = new DeadLetterStore(db);
    }

    @AfterEach
    void tearDown() {
        await(registry().close(db));
    }

    @Test
    void keepsBadMessagesNewestFirstWithInvalidBytesReplaced() {
        await(store.add(Optional.of("st-1"), "yizhan/v1/stations/st-1/events", "$: payload is not valid UTF-8",
                new byte[]{'{', (byte) 0xC3, (byte) 0x28, '}'}, 1000));
        await(store.add(Optional.empty(), "t".repeat(600), "e".repeat(2000),
                "x".repeat(400_000).getBytes(StandardCharsets.UTF_8), 2000));

        JsonArray list = await(store.list(10));
        assertThat(list).hasSize(2);
        assertThat(list.getJsonObject(0).getLong("receivedAt")).isEqualTo(2000);
        assertThat(list.getJsonObject(0).getValue("stationId")).isNull();
        assertThat(list.getJsonObject(0).getString("topic")).hasSize(500);
        assertThat(list.getJsonObject(0).getString("payload")).hasSize(DeadLetterStore.MAX_PAYLOAD_CHARS);
        assertThat(list.getJsonObject(1).getString("payload")).isEqualTo("{\uFFFD(}");
        assertThat(list.getJsonObject(1).getString("stationId")).isEqualTo("st-1");
        assertThat(await(store.list(1))).hasSize(1);
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
