package org.yizhan.agent.uplink;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.Limits;
import org.yizhan.protocol.ProtocolException;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent builds only publishes the hub takes whole: within the contract's limits, measured as sent. */
class UplinkBatchTest {

    private static List<Event> events(int n, String note) {
        List<Event> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(Event.of("access.granted", 1_767_225_600_000L + i, new JsonObject().put("n", i).put("note", note)));
        }
        return list;
    }

    private static byte[] wire(List<Event> chunk) {
        return Codec.encode(chunk.size() == 1 ? EventsMessage.single(chunk.get(0)) : EventsMessage.batch(chunk)).getBytes();
    }

    @Test
    void sendsAThousandSmallEventsInOneBatch() throws ProtocolException {
        List<Event> backlog = events(1000, "驿站");
        List<Event> chunk = Uplink.nextPublish(backlog);
        assertThat(chunk).containsExactlyElementsOf(backlog);
        EventsMessage read = Codec.decode(Channel.EVENTS, wire(chunk), EventsMessage.class);
        assertThat(read.events()).hasSize(1000);
        assertThat(read.rejected()).isEmpty();
    }

    @Test
    void fillsABatchUpToTheByteLimitAndNoFurther() throws ProtocolException {
        List<Event> backlog = events(800, "长".repeat(200));
        List<Event> chunk = Uplink.nextPublish(backlog);
        assertThat(chunk.size()).isBetween(2, backlog.size() - 1);
        assertThat(wire(chunk).length).isLessThanOrEqualTo(Limits.BATCH_BYTES);
        assertThat(wire(backlog.subList(0, chunk.size() + 1)).length).as("one more would not fit")
                .isGreaterThan(Limits.BATCH_BYTES);
        assertThat(Codec.decode(Channel.EVENTS, wire(chunk), EventsMessage.class).events()).hasSize(chunk.size());
    }

    @Test
    void sendsAnEventOverTheEventLimitAloneAndStopsABatchBeforeIt() {
        List<Event> backlog = events(3, "x");
        Event big = Event.of("selftest.result", 1_767_225_600_000L, new JsonObject().put("log", "x".repeat(70 * 1024)));
        backlog.add(1, big);
        assertThat(Uplink.nextPublish(backlog)).containsExactly(backlog.get(0));
        assertThat(Uplink.nextPublish(backlog.subList(1, backlog.size()))).containsExactly(big);
        assertThat(Uplink.nextPublish(backlog.subList(2, backlog.size()))).hasSize(2);
    }
}
