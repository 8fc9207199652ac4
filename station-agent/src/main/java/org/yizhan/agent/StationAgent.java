package org.yizhan.agent;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.agent.uplink.OutboxStore;
import org.yizhan.agent.uplink.SqliteOutboxStore;
import org.slf4j.LoggerFactory;
import org.yizhan.config.StationConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * One station agent, usable in-process (the hub's demo mode and tests run several in one JVM, each with its
 * own Pi4J context and state directory). {@link #start()} deploys the agent; it is ready once its local HTTP
 * server is bound; the MQTT uplink connects (and reconnects) in the background. {@link #stop()} shuts down
 * cleanly: the shutdown state is published, relays open, the outbox closes. When the hub sends
 * {@code agent.restart} the agent answers, stops in that order and calls its restart handler: by default it starts
 * again in this process with the configuration in force; the service ({@code AgentMain}) exits instead, for
 * systemd to start a fresh process.
 */
public final class StationAgent {

    public static final String VERSION = Optional.ofNullable(StationAgent.class.getPackage().getImplementationVersion())
            .orElse("0.1.0");

    private final Vertx vertx;
    private final StationConfig config;
    private final Path stateDir;
    private final boolean simulate;
    private StationConfig current;
    /**
     * By default a restart in this process, from a thread of its own: deployed from the stopping verticle's
     * context, the new agent would be a child of the old deployment.
     */
    private Runnable onRestart = () -> new Thread(() -> restartHere().onFailure(err -> LoggerFactory
            .getLogger(StationAgent.class).error("Station {} did not start again after a restart: {}",
                    config().stationId(), err.toString())), "yizhan-agent-restart").start();
    private Function<Path, OutboxStore> outboxStores = SqliteOutboxStore::new;
    private AgentVerticle verticle;
    private String deploymentId;

    public StationAgent(Vertx vertx, StationConfig config, Path stateDir, boolean simulate) {
        this.vertx = vertx;
        this.config = config;
        this.stateDir = stateDir;
        this.simulate = simulate;
        this.current = config;
    }

    /** What to do after an {@code agent.restart} was answered; by default {@link #restartHere}. */
    public StationAgent onRestart(Runnable action) {
        this.onRestart = action;
        return this;
    }

    /**
     * How the outbox's store is opened on its file; by default SQLite. Another store (one that fails like a full disk,
     * say) is given here, at the storage edge, as hardware is given behind its interfaces.
     */
    public StationAgent outboxStore(Function<Path, OutboxStore> stores) {
        this.outboxStores = stores;
        return this;
    }

    public Future<Void> start() {
        if (deploymentId != null) {
            return Future.failedFuture(new IllegalStateException("agent " + config.stationId() + " already runs"));
        }
        AgentVerticle v = new AgentVerticle(current, stateDir, simulate, VERSION, () -> onRestart.run(),
                outboxStores);
        return vertx.executeBlocking(() -> {
            Files.createDirectories(stateDir);
            return null;
        }).compose(x -> vertx.deployVerticle(v)).map(id -> {
            verticle = v;
            deploymentId = id;
            return null;
        });
    }

    public Future<Void> stop() {
        String id = deploymentId;
        if (id == null) {
            return Future.succeededFuture();
        }
        deploymentId = null;
        return vertx.undeploy(id);
    }

    public StationConfig config() {
        return config;
    }

    /** Stops in order and starts again in this process, with the configuration in force when it stopped. */
    public Future<Void> restartHere() {
        AgentVerticle v = verticle;
        if (v != null) {
            current = v.currentConfig().withHttp(config.http());
        }
        return stop().compose(x -> start());
    }

    /** The bound local HTTP port, 0 before start. */
    public int httpPort() {
        return verticle == null ? 0 : verticle.httpPort();
    }

    /** The station's hardware (Pi4J; on the mock platform when simulating). Empty before start. */
    public Optional<StationHardware> hardware() {
        return verticle == null ? Optional.empty() : Optional.ofNullable(verticle.hardware());
    }
}
