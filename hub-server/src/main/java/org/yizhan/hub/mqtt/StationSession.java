package org.yizhan.hub.mqtt;

import io.vertx.core.Promise;
import io.vertx.mqtt.MqttEndpoint;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.IntConsumer;

/** One authenticated station connection and what the hub keeps for it. Confined to the endpoint's event loop. */
final class StationSession {

    final String stationId;
    final MqttEndpoint endpoint;
    /** The session number in the connection's will, if it carried a valid one. */
    final OptionalLong willSession;
    final Set<String> filters = new LinkedHashSet<>();
    /** Commands sent on this connection and waiting for PUBACK, by packet id. */
    final Map<Integer, Promise<Boolean>> awaitingPuback = new HashMap<>();
    final Set<String> commandsSent = new HashSet<>();
    boolean cleanDisconnect;
    /** CONNACK was sent and the connection counted. */
    boolean accepted;
    private int nextPacketId;
    private final ArrayDeque<int[]> acks = new ArrayDeque<>();

    StationSession(String stationId, MqttEndpoint endpoint, OptionalLong willSession) {
        this.stationId = stationId;
        this.endpoint = endpoint;
        this.willSession = willSession;
    }

    boolean subscribedTo(String topic) {
        for (String f : filters) {
            if (TopicFilters.matches(f, topic)) {
                return true;
            }
        }
        return false;
    }

    /** A packet id (1..65535) not in use by a command awaiting PUBACK. */
    int nextPacketId() {
        do {
            nextPacketId = nextPacketId % 65535 + 1;
        } while (awaitingPuback.containsKey(nextPacketId));
        return nextPacketId;
    }

    /**
     * Registers a received QoS 1/2 PUBLISH; acknowledgements go out in the order the PUBLISH packets arrived,
     * as MQTT requires, even when a later one is handled first.
     *
     * @return the slot to pass to {@link #handled}
     */
    int[] expectAck(int messageId) {
        int[] slot = {messageId, 0};
        acks.addLast(slot);
        return slot;
    }

    void handled(int[] slot, IntConsumer send) {
        slot[1] = 1;
        while (!acks.isEmpty() && acks.peekFirst()[1] == 1) {
            send.accept(acks.pollFirst()[0]);
        }
    }

    /** Ends every wait of this connection: commands not acknowledged stay pending in the store. */
    void closed() {
        for (Promise<Boolean> p : awaitingPuback.values()) {
            p.tryComplete(false);
        }
        awaitingPuback.clear();
        commandsSent.clear();
        acks.clear();
    }
}
