package org.yizhan.hub.mqtt;

import io.vertx.core.internal.concurrent.OutboundMessageQueue;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.streams.impl.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Gives each accepted MQTT connection a write queue that costs nothing until a write has to wait.
 *
 * <p>Vert.x 5.0.7 gives every TCP connection an outbound queue backed by Netty's {@code MpscUnboundedArrayQueue},
 * whose first chunk of 1,024 slots (4.1 KB) is allocated with the connection. A write only enters that queue when
 * another write to the same connection is under way on another thread or the socket is full (Vert.x hands the
 * first pending write over in a field of its own), so a station's connection almost never holds a queued write;
 * at 15,000 stations the chunks alone are about 62 MB of live heap, a quarter of the hub's. Neither Vert.x nor
 * Netty lets the chunk be sized. This swaps the queue of each accepted connection, on its event loop and while it
 * is still empty, for a {@link ConcurrentLinkedQueue} (many producers, one consumer is a subset of what it allows),
 * which allocates one node per queued write and nothing otherwise. Vert.x's queue calls {@code add} and
 * {@code poll} on it only.
 *
 * <p>The swap reaches three private fields of Vert.x ({@code VertxConnection.outboundMessageQueue},
 * {@code OutboundMessageQueue.mqp}, {@code MessagePassingQueue.queue}), looked up once: when any is missing or of
 * another type (another Vert.x), nothing is swapped, the hub logs so once and runs with Vert.x's own queues, which
 * only cost memory. {@code -Dyizhan.mqtt.compactWriteQueues=false} turns the swap off.
 */
final class CompactWriteQueues {

    private static final Logger LOG = LoggerFactory.getLogger(CompactWriteQueues.class);
    static final String SWITCH = "yizhan.mqtt.compactWriteQueues";

    private static final Optional<Fields> FIELDS = Boolean.parseBoolean(System.getProperty(SWITCH, "true"))
            ? lookUp() : Optional.empty();

    private CompactWriteQueues() {
    }

    /** Whether connections get the compact queue (the switch is on and this Vert.x has the fields it needs). */
    static boolean active() {
        return FIELDS.isPresent();
    }

    /**
     * Swaps the connection's write queue for a compact one when it is a Vert.x connection with an empty queue;
     * call on the connection's event loop before anything is written. Returns whether it swapped.
     */
    static boolean compact(NetSocket socket) {
        if (FIELDS.isEmpty() || !(socket instanceof VertxConnection connection)) {
            return false;
        }
        try {
            return FIELDS.get().swap(connection);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Write queue of an MQTT connection left as Vert.x made it: {}", e.toString());
            return false;
        }
    }

    /** The queue behind the connection's outbound writes, when this Vert.x has one where the swap looks. */
    static Optional<Queue<?>> queueOf(NetSocket socket) {
        if (FIELDS.isEmpty() || !(socket instanceof VertxConnection connection)) {
            return Optional.empty();
        }
        try {
            return FIELDS.get().queue(connection);
        } catch (ReflectiveOperationException e) {
            return Optional.empty();
        }
    }

    private static Optional<Fields> lookUp() {
        try {
            Field outbound = VertxConnection.class.getDeclaredField("outboundMessageQueue");
            Field mqp = OutboundMessageQueue.class.getDeclaredField("mqp");
            Field queue = MessagePassingQueue.class.getDeclaredField("queue");
            if (!MessagePassingQueue.class.isAssignableFrom(mqp.getType()) || queue.getType() != Queue.class) {
                throw new NoSuchFieldException("field types changed: mqp " + mqp.getType() + ", queue "
                        + queue.getType());
            }
            outbound.setAccessible(true);
            mqp.setAccessible(true);
            queue.setAccessible(true);
            return Optional.of(new Fields(outbound, mqp, queue));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("This Vert.x does not have the write queue the hub compacts ({}); each MQTT connection keeps "
                    + "Vert.x's own, about 4 KB more heap a connection", e.toString());
            return Optional.empty();
        }
    }

    private record Fields(Field outbound, Field mqp, Field queue) {

        /** The connection's {@code MessagePassingQueue}; empty for a strict-thread-mode one, which has no queue. */
        Optional<Object> passing(VertxConnection connection) throws ReflectiveOperationException {
            Object messages = outbound.get(connection);
            return messages instanceof OutboundMessageQueue<?> ? Optional.of(mqp.get(messages)) : Optional.empty();
        }

        Optional<Queue<?>> queue(VertxConnection connection) throws ReflectiveOperationException {
            Optional<Object> passing = passing(connection);
            return passing.isEmpty() ? Optional.empty() : Optional.of((Queue<?>) queue.get(passing.get()));
        }

        boolean swap(VertxConnection connection) throws ReflectiveOperationException {
            Optional<Object> passing = passing(connection);
            if (passing.isEmpty()) {
                return false;
            }
            Queue<?> current = (Queue<?>) queue.get(passing.get());
            if (current instanceof ConcurrentLinkedQueue<?> || !current.isEmpty()) {
                return false;
            }
            queue.set(passing.get(), new ConcurrentLinkedQueue<>());
            return true;
        }
    }
}
