package org.yizhan.agent.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.uplink.EventSink;
import org.yizhan.config.ConfigException;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.ConfigMessage;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.ProtocolException;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Handles the desired configuration retained on {@code .../config}: a version not newer than the running one
 * is ignored (it is redelivered on every connect); a newer one is validated with {@link StationConfig#parse},
 * stored in the state directory and reported with {@code config.applied}, or refused with
 * {@code config.rejected} and every problem. The station keeps its own MQTT credentials, hub address and local
 * HTTP binding unless the message
 * carries a full set.
 */
public final class ConfigReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReceiver.class);

    private final Vertx vertx;
    private final Path stateDir;
    private final EventSink events;
    private final Consumer<StationConfig> applied;
    private final AtomicLong rejected = new AtomicLong();
    private StationConfig current;

    public ConfigReceiver(Vertx vertx, Path stateDir, StationConfig current, EventSink events,
                          Consumer<StationConfig> applied) {
        this.vertx = vertx;
        this.stateDir = stateDir;
        this.current = current;
        this.events = events;
        this.applied = applied;
    }

    public StationConfig current() {
        return current;
    }

    public long rejected() {
        return rejected.get();
    }

    private Future<Void> queue = Future.succeededFuture();

    /** Handles one payload; payloads are handled one after another, in arrival order. */
    public Future<Void> accept(Buffer payload) {
        queue = queue.eventually(() -> handle(payload));
        return queue;
    }

    private Future<Void> handle(Buffer payload) {
        ConfigMessage msg;
        try {
            msg = Codec.decode(Channel.CONFIG, payload.getBytes(), ConfigMessage.class);
        } catch (ProtocolException e) {
            return reject(-1, List.of(e.getMessage()));
        }
        if (msg.version() <= current.version()) {
            LOG.debug("Configuration version {} is not newer than {}; ignored", msg.version(), current.version());
            return Future.succeededFuture();
        }
        JsonObject json = msg.config().copy().put("version", msg.version());
        if (!json.containsKey("stationId")) {
            json.put("stationId", current.stationId());
        }
        for (String own : List.of("hub", "http")) {
            if (!json.containsKey(own)) {
                json.put(own, current.toJson().getJsonObject(own));
            }
        }
        JsonObject m = json.getValue("mqtt") instanceof JsonObject o ? o : null;
        if (m == null || !m.containsKey("password")) {
            json.put("mqtt", current.toJson().getJsonObject("mqtt"));
        }
        StationConfig next;
        try {
            next = StationConfig.parse(json);
        } catch (ConfigException e) {
            return reject(msg.version(), e.problems());
        }
        if (!next.stationId().equals(current.stationId())) {
            return reject(msg.version(), List.of("stationId: '" + next.stationId() + "' is not this station ('"
                    + current.stationId() + "')"));
        }
        StationConfig accepted = next;
        return vertx.executeBlocking(() -> {
            ConfigFile.write(stateDir, accepted);
            return null;
        }).onSuccess(v -> {
            current = accepted;
            LOG.info("Configuration version {} applied", accepted.version());
            events.emit(EventType.CONFIG_APPLIED, new JsonObject().put("version", accepted.version()));
            applied.accept(accepted);
        }).onFailure(err -> {
            LOG.error("Could not store configuration version {}: {}", accepted.version(), err.toString());
            reject(accepted.version(), List.of("the station could not store it: " + err.getMessage()));
        }).mapEmpty();
    }

    private Future<Void> reject(int version, List<String> problems) {
        rejected.incrementAndGet();
        LOG.warn("Configuration{} rejected: {}", version < 0 ? "" : " version " + version, problems);
        JsonObject data = new JsonObject().put("problems", new JsonArray(problems));
        if (version >= 0) {
            data.put("version", version);
        }
        events.emit(EventType.CONFIG_REJECTED, data);
        return Future.succeededFuture();
    }
}
