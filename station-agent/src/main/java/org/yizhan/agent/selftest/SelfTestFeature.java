package org.yizhan.agent.selftest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.camera.FrameWatch;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.EventType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The self-test as a station feature: {@code selftest.run} checks the hardware and reports a {@code selftest.result}.
 * When the state directory holds {@value #REQUEST} (the first-boot script leaves it after provisioning), the agent
 * runs the self-test once by itself, as soon as the uplink is connected or after {@value #FIRST_RUN_WAIT_MILLIS} ms
 * without it, and removes the file. A result is shown on the kiosk screen ({@code selfTest} in {@code /status}) for
 * {@value #SHOW_MILLIS} ms, for the technician who installed or checks the station; the hub gets every result.
 */
public final class SelfTestFeature implements AgentFeature {

    private static final Logger LOG = LoggerFactory.getLogger(SelfTestFeature.class);
    static final String REQUEST = "selftest.request";
    /** The technician's token for {@code POST /selftest}, rewritten at every start. */
    public static final String TOKEN = "selftest.token";
    static final long SHOW_MILLIS = 15 * 60_000L;
    static final long FIRST_RUN_WAIT_MILLIS = 60_000L;

    private final Vertx vertx;
    private final Gpio gpio;
    private final StationHardware hardware;
    private final Uplink uplink;
    private final Supplier<Optional<FrameWatch>> camera;
    private final boolean simulate;
    private final Path stateDir;
    private volatile JsonObject last;
    private volatile long waitTimer = -1;
    private volatile String token;

    public SelfTestFeature(Vertx vertx, Gpio gpio, StationHardware hardware, Uplink uplink,
                           Supplier<Optional<FrameWatch>> camera, boolean simulate, Path stateDir) {
        this.vertx = vertx;
        this.gpio = gpio;
        this.hardware = hardware;
        this.uplink = uplink;
        this.camera = camera;
        this.simulate = simulate;
        this.stateDir = stateDir;
    }

    @Override
    public void commands(CommandDispatcher commands) {
        commands.on(Command.SELFTEST_RUN, c -> run("hub"));
    }

    /**
     * {@code POST /selftest} on the local HTTP server, for {@code yizhan-agent selftest}: runs the self-test and answers
     * its result. It pulses the relays, so it needs the token the agent writes at start to {@value #TOKEN} in its state
     * directory (mode 0600, readable by the agent's user and root only) as {@code X-Yizhan-Token}; the kiosk page
     * and anything else on the Pi without it get 403.
     */
    @Override
    public void routes(io.vertx.ext.web.Router router) {
        router.post("/selftest").handler(ctx -> {
            String given = ctx.request().getHeader("X-Yizhan-Token");
            String want = token;
            if (want == null || given == null || !java.security.MessageDigest.isEqual(
                    want.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    given.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                ctx.response().setStatusCode(403).putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"the technician's token from " + TOKEN + " is needed\"}");
                return;
            }
            run("technician").onSuccess(r -> ctx.response().putHeader("Content-Type", "application/json")
                    .end(r.encode())).onFailure(e -> ctx.response().setStatusCode(500)
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", String.valueOf(e.getMessage())).encode()));
        });
    }

    @Override
    public Future<Void> start() {
        String fresh = java.util.HexFormat.of().formatHex(randomBytes());
        Future<Void> written = vertx.executeBlocking(() -> {
            Path f = stateDir.resolve(TOKEN);
            Path tmp = stateDir.resolve(TOKEN + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, fresh);
            Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            token = fresh;
            return null;
        });
        return written.compose(v -> firstStart());
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[24];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    private Future<Void> firstStart() {
        Path request = stateDir.resolve(REQUEST);
        if (!Files.exists(request)) {
            return Future.succeededFuture();
        }
        long deadline = System.currentTimeMillis() + FIRST_RUN_WAIT_MILLIS;
        waitTimer = vertx.setPeriodic(500, id -> {
            if (uplink.connected() || System.currentTimeMillis() >= deadline) {
                vertx.cancelTimer(id);
                waitTimer = -1;
                run("first-start")
                        .compose(r -> vertx.executeBlocking(() -> Files.deleteIfExists(request), false))
                        .onFailure(e -> LOG.warn("The first self-test: {}", e.getMessage()));
            }
        });
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        vertx.cancelTimer(waitTimer);
        return Future.succeededFuture();
    }

    @Override
    public void status(JsonObject status) {
        JsonObject l = last;
        if (l != null && System.currentTimeMillis() - l.getLong("at") < SHOW_MILLIS) {
            status.put("selfTest", l.copy());
        }
    }

    /** Runs the self-test, reports it to the hub and shows it on the kiosk. */
    public Future<JsonObject> run(String trigger) {
        SelfTest.Station st = new SelfTest.Station(uplink::connected, uplink::session, uplink::outboxSize,
                camera.get(), simulate);
        return new SelfTest(gpio, hardware, st).run().map(data -> {
            uplink.emit(EventType.SELFTEST_RESULT, data.copy());
            last = data.copy().put("at", System.currentTimeMillis()).put("trigger", trigger);
            LOG.info("Self-test ({}): {}", trigger, data.getBoolean("ok") ? "passed" : "FAILED " + data
                    .getJsonArray("checks").stream().map(c -> (JsonObject) c).filter(c -> !c.getBoolean("ok"))
                    .map(c -> c.getString("name")).toList());
            return data;
        });
    }
}
