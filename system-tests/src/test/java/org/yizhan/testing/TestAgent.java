package org.yizhan.testing;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.yizhan.agent.StationAgent;
import org.yizhan.agent.hardware.Pi4jRelay;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.agent.uplink.OutboxStore;
import org.yizhan.agent.uplink.SqliteOutboxStore;
import org.yizhan.config.StationConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A whole station agent in simulate mode (Pi4J's mock platform), in this JVM, its local HTTP on a free loopback
 * port: provisioned against a {@link TestHub}, or given a configuration that points at a {@link TestBroker} (or at
 * nothing, port 9, to run offline). The calls block the test thread (never an event loop).
 */
public final class TestAgent implements AutoCloseable {

    private final Vertx vertx;
    private final Path stateDir;
    private final WebClient web;
    private StationConfig config;
    private StationAgent agent;
    private Function<Path, OutboxStore> outboxStores = SqliteOutboxStore::new;

    private TestAgent(Vertx vertx, StationConfig config, Path stateDir) {
        this.vertx = vertx;
        this.config = config.withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
        this.stateDir = stateDir;
        this.web = WebClient.create(vertx);
    }

    /** A station's configuration for tests: MQTT to {@code 127.0.0.1:mqttPort} (9 refuses: offline). */
    public static StationConfig config(String stationId, int mqttPort, int ports, int capacity) throws Exception {
        StationConfig c = StationConfig.defaults(stationId, "Test " + stationId, "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", mqttPort, false, stationId, "s3cret-" + stationId, 30),
                "simulated", ports, capacity, 1, 30);
        return c.withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
    }

    /** Starts an agent with the configuration (its local HTTP moved to a free loopback port). */
    public static TestAgent start(Vertx vertx, StationConfig config, Path stateDir) throws Exception {
        TestAgent a = new TestAgent(vertx, config, stateDir);
        a.startAgent();
        return a;
    }

    /** Starts an agent whose outbox is kept by the given store (one whose disk can fill up, say). */
    public static TestAgent start(Vertx vertx, StationConfig config, Path stateDir,
                                  Function<Path, OutboxStore> outboxStores) throws Exception {
        TestAgent a = new TestAgent(vertx, config, stateDir);
        a.outboxStores = outboxStores;
        a.startAgent();
        return a;
    }

    /** Provisions with a claim code the way {@code yizhan-agent provision} does, then starts the agent. */
    public static TestAgent provision(Vertx vertx, String hubUrl, String claimCode, Path stateDir) throws Exception {
        return start(vertx, new Provisioner().provision(hubUrl, claimCode, stateDir), stateDir);
    }

    private void startAgent() throws Exception {
        agent = new StationAgent(vertx, config, stateDir, true).outboxStore(outboxStores);
        Futures.get(agent.start());
    }

    /** Waits (10 s at most) until the agent's uplink is connected; this agent. */
    public TestAgent awaitUplink() {
        await(stationId() + " uplink connected").atMost(Duration.ofSeconds(10)).until(this::uplinkConnected);
        return this;
    }

    public StationAgent agent() {
        return agent;
    }

    public String stationId() {
        return config.stationId();
    }

    public Path stateDir() {
        return stateDir;
    }

    public StationConfig config() {
        return agent.config();
    }

    public int httpPort() {
        return agent.httpPort();
    }

    /** Whether the uplink is connected, as {@code /status} says. */
    public boolean uplinkConnected() throws Exception {
        return status().getJsonObject("uplink").getBoolean("connected");
    }

    /** Events in the outbox not yet acknowledged by the hub, as {@code /status} says. */
    public int outboxSize() throws Exception {
        return status().getInteger("outbox");
    }

    public Optional<StationHardware> hardware() {
        return agent.hardware();
    }

    // ---- the simulated hardware ------------------------------------------------------------------------------

    /** The Pi4J mock output behind a relay. */
    public static MockDigitalOutput output(Relay relay) {
        return (MockDigitalOutput) ((Pi4jRelay) relay).output();
    }

    public static DigitalState state(Relay relay) {
        return output(relay).state();
    }

    public DigitalState doorRelay() {
        return state(agent.hardware().orElseThrow().doorRelay());
    }

    public DigitalState chargerRelay(int port) {
        return state(agent.hardware().orElseThrow().chargerRelays().get(port));
    }

    // ---- the local HTTP API ----------------------------------------------------------------------------------

    /** {@code GET /status}. */
    public JsonObject status() throws Exception {
        return get("/status").bodyAsJsonObject();
    }

    /** A call to the simulator API ({@code /sim/...}) that must succeed; its JSON answer. */
    public JsonObject simulate(String path, JsonObject body) throws Exception {
        HttpResponse<Buffer> r = post(path, body.encode());
        assertThat(r.statusCode()).as("%s answered %s", path, r.bodyAsString()).isLessThan(300);
        String text = r.bodyAsString();
        return text == null || text.isBlank() ? new JsonObject() : new JsonObject(text);
    }

    public HttpResponse<Buffer> get(String path) throws Exception {
        return Futures.get(request("GET", path).send());
    }

    /** A POST without a body, as it is answered. */
    public HttpResponse<Buffer> post(String path) throws Exception {
        return Futures.get(request("POST", path).send());
    }

    /** A POST with a JSON body, as it is answered. */
    public HttpResponse<Buffer> post(String path, String json) throws Exception {
        return post(path, "application/json", Buffer.buffer(json));
    }

    /** A POST of an image ({@code /sim/camera}, {@code /sim/face}, the kiosk), as it is answered. */
    public HttpResponse<Buffer> postImage(String path, byte[] png) throws Exception {
        return post(path, "image/png", Buffer.buffer(png));
    }

    public HttpResponse<Buffer> post(String path, String contentType, Buffer body) throws Exception {
        return Futures.get(request("POST", path).putHeader("Content-Type", contentType).sendBuffer(body));
    }

    private HttpRequest<Buffer> request(String method, String path) {
        return web.request(io.vertx.core.http.HttpMethod.valueOf(method), agent.httpPort(), "127.0.0.1", path);
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    public void stop() throws Exception {
        if (agent != null) {
            StationAgent running = agent;
            agent = null;
            Futures.get(running.stop());
        }
    }

    /** Stops and starts again on the same state directory, with the configuration it stored if it has one. */
    public TestAgent restart() throws Exception {
        StationConfig stored = agent == null ? config : agent.config();
        stop();
        if (Files.exists(ConfigFile.path(stateDir))) {
            stored = ConfigFile.read(stateDir);
        }
        config = stored.withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
        startAgent();
        return this;
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            web.close();
        }
    }
}
