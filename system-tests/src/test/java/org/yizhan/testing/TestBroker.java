package org.yizhan.testing;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.MqttTopicSubscription;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A small real MQTT endpoint for tests: records what stations publish, acks or withholds PUBACKs, sends commands. */
public final class TestBroker {

    public record Received(int connection, String topic, JsonObject payload, int qos, boolean retain) {
    }

    public record Connect(String clientId, String username, String password, MqttWill will, int keepAlive) {
    }

    public final List<Received> received = new CopyOnWriteArrayList<>();
    public final List<Connect> connects = new CopyOnWriteArrayList<>();
    public final List<String> subscriptions = new CopyOnWriteArrayList<>();
    public volatile boolean ackPublishes = true;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile MqttEndpoint endpoint;
    private MqttServer server;

    public Future<Integer> start(Vertx vertx) {
        return start(vertx, 0);
    }

    /** Listens on this loopback port (0: a free one, as {@link #start(Vertx)}); the bound port. */
    public Future<Integer> start(Vertx vertx, int port) {
        server = MqttServer.create(vertx, new MqttServerOptions().setMaxMessageSize(300 * 1024));
        server.endpointHandler(ep -> {
            int n = connections.incrementAndGet();
            connects.add(new Connect(ep.clientIdentifier(), ep.auth() == null ? "" : ep.auth().getUsername(),
                    ep.auth() == null ? "" : ep.auth().getPassword(), ep.will(), ep.keepAliveTimeSeconds()));
            ep.publishAutoAck(false);
            ep.subscribeHandler(sub -> {
                List<MqttQoS> granted = new ArrayList<>();
                for (MqttTopicSubscription s : sub.topicSubscriptions()) {
                    subscriptions.add(s.topicName());
                    granted.add(s.qualityOfService());
                }
                ep.subscribeAcknowledge(sub.messageId(), granted);
            });
            ep.publishHandler(msg -> {
                received.add(new Received(n, msg.topicName(), new JsonObject(msg.payload()), msg.qosLevel().value(),
                        msg.isRetain()));
                if (msg.qosLevel() == MqttQoS.AT_LEAST_ONCE && ackPublishes) {
                    ep.publishAcknowledge(msg.messageId());
                }
            });
            ep.accept(false);
            endpoint = ep;
        });
        return server.listen(port, "127.0.0.1").map(MqttServer::actualPort);
    }

    public int connectionCount() {
        return connections.get();
    }

    public boolean hasClient() {
        MqttEndpoint ep = endpoint;
        return ep != null && ep.isConnected();
    }

    public void send(String topic, JsonObject payload) {
        endpoint.publish(topic, payload.toBuffer(), MqttQoS.AT_LEAST_ONCE, false, false);
    }

    public List<Received> on(String suffix) {
        return received.stream().filter(r -> r.topic().endsWith("/" + suffix)).toList();
    }

    /** Every event id received on a connection, singles and batches flattened, in arrival order. */
    public List<JsonObject> events(int connection) {
        List<JsonObject> list = new ArrayList<>();
        for (Received r : on("events")) {
            if (connection > 0 && r.connection() != connection) {
                continue;
            }
            if (r.payload().containsKey("events")) {
                r.payload().getJsonArray("events").forEach(e -> list.add((JsonObject) e));
            } else {
                list.add(r.payload());
            }
        }
        return list;
    }

    public List<JsonObject> events() {
        return events(0);
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
