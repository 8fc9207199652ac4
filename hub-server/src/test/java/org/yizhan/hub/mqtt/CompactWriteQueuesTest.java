package org.yizhan.hub.mqtt;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.yizhan.hub.mqtt.MqttEndpointFixture.await;

@ExtendWith(VertxExtension.class)
class CompactWriteQueuesTest {

    private static final int BLOCK = 1024;
    /** Blocks the writer sends in the slow-peer test: 8 MB. */
    private static final int BLOCKS = 8 * 1024;
    private static final int SOCKET_BUFFER = 16 * 1024;

    /** A TCP server whose connect handler compacts every other accepted socket's queue (the first, the third...). */
    private static final class Server {
        final List<NetSocket> accepted = new CopyOnWriteArrayList<>();
        final List<Boolean> swapped = new CopyOnWriteArrayList<>();
        final int port;

        Server(Vertx vertx) {
            this(vertx, new NetServerOptions());
        }

        Server(Vertx vertx, NetServerOptions options) {
            NetServer server = vertx.createNetServer(options).connectHandler(so -> {
                swapped.add(accepted.size() % 2 == 0 && CompactWriteQueues.compact(so));
                accepted.add(so);
            });
            port = await(server.listen(0, "127.0.0.1")).actualPort();
        }
    }

    @Test
    void anAcceptedConnectionGetsAQueueThatHoldsNothingUntilUsed(Vertx vertx) {
        assertThat(CompactWriteQueues.active())
                .as("this Vert.x has the fields the swap needs (a Vert.x upgrade that moves them fails here)")
                .isTrue();
        Server server = new Server(vertx);
        NetClient client = vertx.createNetClient();
        await(client.connect(server.port, "127.0.0.1"));
        await(client.connect(server.port, "127.0.0.1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.accepted.size() == 2);

        assertThat(server.swapped).containsExactly(true, false);
        Queue<?> compacted = CompactWriteQueues.queueOf(server.accepted.get(0)).orElseThrow();
        Queue<?> left = CompactWriteQueues.queueOf(server.accepted.get(1)).orElseThrow();
        assertThat(compacted).isInstanceOf(ConcurrentLinkedQueue.class).isEmpty();
        assertThat(left).as("the socket left alone keeps Vert.x's own queue")
                .isNotInstanceOf(ConcurrentLinkedQueue.class);
        assertThat(CompactWriteQueues.compact(server.accepted.get(0))).as("a second swap does nothing").isFalse();
    }

    @Test
    void writesFromAnotherThreadWaitInTheQueueWhileThePeerIsSlowAndArriveInOrder(Vertx vertx) throws Exception {
        // small socket buffers on both ends, so that what the kernel and Netty take (tens of KB, and what the paused
        // peer read before it stopped reading, well under 2 MB) is far below what the writer sends
        Server server = new Server(vertx, new NetServerOptions().setSendBufferSize(SOCKET_BUFFER));
        NetClient client = vertx.createNetClient(new NetClientOptions().setReceiveBufferSize(SOCKET_BUFFER));
        NetSocket peer = await(client.connect(server.port, "127.0.0.1"));
        AtomicLong received = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        Buffer[] tail = {Buffer.buffer()};
        peer.handler(buf -> {
            // every block starts with its index; check each whole block as it completes (on the peer's event loop)
            Buffer data = tail[0].appendBuffer(buf);
            int whole = data.length() / BLOCK;
            long first = received.get() / BLOCK;
            for (int i = 0; i < whole; i++) {
                if (data.getInt(i * BLOCK) != (int) (first + i)) {
                    outOfOrder.incrementAndGet();
                }
            }
            tail[0] = data.getBuffer(whole * BLOCK, data.length());
            received.addAndGet((long) whole * BLOCK);
        });
        peer.pause();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.accepted.size() == 1);
        NetSocket so = server.accepted.get(0);
        assertThat(server.swapped).containsExactly(true);
        Queue<?> queue = CompactWriteQueues.queueOf(so).orElseThrow();

        AtomicBoolean drained = new AtomicBoolean();
        so.drainHandler(v -> drained.set(true));
        Thread writer = new Thread(() -> {
            for (int i = 0; i < BLOCKS; i++) {
                so.write(Buffer.buffer(new byte[BLOCK]).setInt(0, i));
            }
        }, "writer");
        writer.start();
        writer.join(60_000);
        assertThat(writer.isAlive()).as("writer finished").isFalse();
        // the peer reads nothing: once the event loop has moved what the socket takes, the rest waits in the queue
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.size() > BLOCKS / 2);
        assertThat(so.writeQueueFull()).as("Vert.x reports the queue full while the peer reads nothing").isTrue();
        drained.set(false);

        peer.resume();
        long total = (long) BLOCKS * BLOCK;
        await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == total);
        assertThat(outOfOrder.get()).as("blocks out of order").isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.isEmpty() && drained.get());
        assertThat(so.writeQueueFull()).as("writable again once the peer read everything").isFalse();
    }
}
