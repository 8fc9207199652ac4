package org.yizhan.hub.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BusTest {

    @Test
    void everyLiveConsumerGetsThePublishedMessageItselfNotACopy() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            List<Object> got = new CopyOnWriteArrayList<>();
            CountDownLatch four = new CountDownLatch(4);
            for (int i = 0; i < 2; i++) {
                await(vertx.eventBus().consumer(Bus.LIVE, m -> {
                    got.add(m.body());
                    four.countDown();
                }).completion());
            }
            JsonObject first = new JsonObject().put("kind", "telemetry").put("stationId", "st-1")
                    .put("data", new JsonObject().put("occupancy", 3));
            JsonObject second = new JsonObject().put("kind", "presence").put("stationId", "st-2");
            Bus.publishLive(vertx, first);
            Bus.publishLive(vertx, second); // the codec is registered once per event bus
            assertThat(four.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(got).hasSize(4);
            assertThat(got.stream().filter(o -> o == first)).hasSize(2);
            assertThat(got.stream().filter(o -> o == second)).hasSize(2);
        } finally {
            await(vertx.close());
        }
    }

    @Test
    void theCodecCarriesTheMessageWhole() {
        ReadOnlyJsonCodec codec = new ReadOnlyJsonCodec();
        JsonObject m = new JsonObject().put("kind", "alert").put("stationId", "站-7")
                .put("data", new JsonObject().put("type", "smoke").put("level", 2.5));
        Buffer wire = Buffer.buffer("xy");
        codec.encodeToWire(wire, m);
        assertThat(codec.decodeFromWire(2, wire)).isEqualTo(m).isNotSameAs(m);
        assertThat(codec.transform(m)).isSameAs(m);
    }

    private static void await(Future<?> f) throws Exception {
        f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
