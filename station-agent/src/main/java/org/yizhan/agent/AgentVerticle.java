package org.yizhan.agent;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.camera.CameraFeature;
import org.yizhan.agent.charger.ChargeByPass;
import org.yizhan.agent.charger.ChargerFeature;
import org.yizhan.agent.charger.Chargers;
import org.yizhan.agent.charger.DailyQuota;
import org.yizhan.agent.config.ConfigReceiver;
import org.yizhan.agent.door.DoorController;
import org.yizhan.agent.door.DoorFeature;
import org.yizhan.agent.door.RemoteEntry;
import org.yizhan.agent.face.CameraEnrolment;
import org.yizhan.agent.face.FaceAccess;
import org.yizhan.agent.face.FaceFeature;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.agent.hardware.board.BoardHardware;
import org.yizhan.agent.hardware.simulated.SimulatedHardware;
import org.yizhan.agent.sim.Simulator;
import org.yizhan.agent.sim.SimulatorFeature;
import org.yizhan.agent.http.LocalHttp;
import org.yizhan.agent.kiosk.KioskFeature;
import org.yizhan.agent.gnss.GnssFeature;
import org.yizhan.agent.loads.RoomLoads;
import org.yizhan.agent.loads.RoomLoadsFeature;
import org.yizhan.agent.occupancy.OccupancyCounter;
import org.yizhan.agent.occupancy.OccupancyFeature;
import org.yizhan.agent.pass.AccessControl;
import org.yizhan.agent.pass.AccessStore;
import org.yizhan.agent.pass.PassFeature;
import org.yizhan.agent.selftest.SelfTestFeature;
import org.yizhan.agent.update.ReleaseKeys;
import org.yizhan.agent.update.UpdateFeature;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.agent.uplink.Outbox;
import org.yizhan.agent.uplink.OutboxStore;
import org.yizhan.agent.uplink.SessionStore;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Wires one station and does nothing else: the Pi4J context (the board's, or the mock platform's when
 * simulating) and the hardware on it, the stores, the MQTT uplink, and the features (door, occupancy, chargers,
 * passes, faces, camera, kiosk, self-test, simulator), each of which registers its own commands, status block
 * and local HTTP routes. Everything runs on this verticle's context; blocking work goes to workers.
 */
final class AgentVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);
    /** Face frames taken for one enrolment at least this far apart: a few seconds of the rider's face. */
    private static final long ENROL_FRAME_GAP_MS = 400;
    /** In the state directory: the id of the last {@code agent.restart} carried out. */
    static final String RESTART_MARKER = "last-restart";
    /** Set to 1 by the launcher ({@code /usr/bin/yizhan-agent}), which is what can switch agent versions. */
    static final String LAUNCHER_ENV = "YIZHAN_AGENT_LAUNCHER";

    private final StationConfig config;
    private final Path stateDir;
    private final boolean simulate;
    private final String agentVersion;
    /** Called once an accepted {@code agent.restart} has been answered: the owner restarts the agent. */
    private final Runnable restartRequested;
    /** Opens the outbox's store on a file (SQLite on the station). */
    private final Function<Path, OutboxStore> outboxStores;

    private Gpio gpio;
    private Context pi4j;
    private StationHardware hardware;
    private Outbox outbox;
    private AccessStore accessStore;
    private Uplink uplink;
    private StationTelemetry telemetry;
    private CommandDispatcher commands;
    private ConfigReceiver configReceiver;
    private LocalHttp http;
    private List<AgentFeature> features = List.of();
    private volatile int httpPort;
    /** The id of the {@code agent.restart} command being answered; the restart follows its answer. */
    private String restartCommand;

    AgentVerticle(StationConfig config, Path stateDir, boolean simulate, String agentVersion,
                  Runnable restartRequested, Function<Path, OutboxStore> outboxStores) {
        this.config = config;
        this.outboxStores = outboxStores;
        this.stateDir = stateDir;
        this.simulate = simulate;
        this.agentVersion = agentVersion;
        this.restartRequested = restartRequested;
    }

    /** The configuration in force (the one applied last), for a restart in the same process. */
    StationConfig currentConfig() {
        return configReceiver == null ? config : configReceiver.current();
    }

    int httpPort() {
        return httpPort;
    }

    StationHardware hardware() {
        return hardware;
    }

    @Override
    public Future<?> start() throws Exception {
        HardwareProfile profile = HardwareProfile.load(config.profile());
        gpio = new Gpio(vertx, config.stationId() + "-" + stateDir.toAbsolutePath());
        return gpio.call(() -> {
            pi4j = simulate ? mockContext() : Pi4J.newAutoContext();
            return simulate ? new SimulatedHardware(pi4j, profile, config) : new BoardHardware(pi4j, profile, config);
        }).compose(h -> {
            hardware = h;
            Path outboxFile = stateDir.resolve("outbox.db");
            outbox = new Outbox(vertx, outboxStores.apply(outboxFile), outboxFile.toAbsolutePath().toString(),
                    config.outbox(), System::currentTimeMillis);
            accessStore = new AccessStore(vertx, stateDir.resolve("access.db"));
            return outbox.open().compose(x -> accessStore.open());
        }).compose(v -> {
            wire();
            return startFeatures(0);
        }).compose(v -> http.start()).compose(port -> {
            httpPort = port;
            return vertx.executeBlocking(() -> {
                Path tmp = stateDir.resolve("ports.json.tmp");
                Files.writeString(tmp, new JsonObject().put("http", port).encode(), StandardCharsets.UTF_8);
                Files.move(tmp, stateDir.resolve("ports.json"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                return null;
            });
        }).compose(v -> {
            telemetry.start(config.telemetrySeconds());
            LOG.info("Station {} started ({}), local HTTP on {}:{}", config.stationId(),
                    simulate ? "simulated hardware" : "board GPIO", config.http().host(), httpPort);
            return uplink.start();
        });
    }

    /** Pi4J's mock platform with the mock GPIO and I2C providers, for a station on simulated hardware. */
    private static Context mockContext() {
        return Pi4J.newContextBuilder()
                .add(new MockPlatform())
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance(),
                        MockI2CProvider.newInstance())
                .build();
    }

    /** On the board, the door camera is YIZHAN_CAMERA: a V4L2 device, default /dev/video0, or csi (CameraFeature). */
    private static String cameraDevice() {
        return Optional.ofNullable(System.getenv("YIZHAN_CAMERA")).filter(s -> !s.isBlank()).orElse("/dev/video0");
    }

    private void wire() {
        Clock clock = Clock.systemUTC();
        uplink = new Uplink(vertx, config, outbox, new SessionStore(stateDir), agentVersion);
        Runnable changed = () -> telemetry.changed();
        DoorController door = new DoorController(vertx, gpio, hardware.doorRelay(), hardware.doorContact(),
                hardware.exitButton(), config.door(), uplink, changed);
        RoomLoads[] roomLoads = new RoomLoads[1];
        // the room loads follow every change of the count, not only the periodic check
        OccupancyCounter occupancy = new OccupancyCounter(config.occupancy().capacity(),
                config.occupancy().driftMinutes(), uplink, () -> {
                    changed.run();
                    roomLoads[0].evaluate();
                }, System::currentTimeMillis);
        roomLoads[0] = new RoomLoads(gpio, hardware.loadRelays(), config.roomLoads(),
                ZoneId.of(config.access().timeZone()), occupancy::count, changed, System::currentTimeMillis);
        RoomLoads loads = roomLoads[0];
        DailyQuota quota = new DailyQuota(vertx, stateDir.resolve("quota.json"), ZoneId.systemDefault());
        Chargers chargers = new Chargers(gpio, config.stationId(), hardware.chargerRelays(), hardware.powerMeters(),
                hardware.thermometers(), config.charger().rules(), quota, uplink, changed,
                System::currentTimeMillis);
        Runnable telemetryChanged = () -> telemetry.changed();
        GnssFeature gnss = new GnssFeature(vertx, Optional.ofNullable(System.getenv("YIZHAN_GNSS")), simulate,
                telemetryChanged, System::currentTimeMillis);
        telemetry = new StationTelemetry(vertx, uplink, door, occupancy, chargers, loads::telemetry, gnss::position);
        // a hub that just (re)started, or lost us for a while, sees the room and the ports at once
        uplink.connectedHandler(telemetry::send);

        AccessControl access = new AccessControl(vertx, accessStore, config.access(), uplink,
                () -> occupancy.count() >= occupancy.capacity(),
                method -> {
                    loads.entry();
                    return door.unlock(door.defaultUnlockSeconds(), method);
                }, clock);
        ChargeByPass chargeByPass = new ChargeByPass(access, chargers, uplink, System::currentTimeMillis);
        FaceAccess face = new FaceAccess(vertx, stateDir, config, access, uplink, System::currentTimeMillis);
        CameraEnrolment enrolment = new CameraEnrolment(face, ENROL_FRAME_GAP_MS, System::currentTimeMillis);
        CameraFeature camera = new CameraFeature(vertx, access, chargeByPass, enrolment, face::offer,
                cameraDevice(), simulate);

        SelfTestFeature selfTest = new SelfTestFeature(vertx, gpio, hardware, uplink, camera::frames, simulate, stateDir);
        // in this order they start, and their routes are mounted: the kiosk's headers come before the routes
        // under /kiosk that charging and faces add
        List<AgentFeature> all = new ArrayList<>(List.of(
                new DoorFeature(door, new RemoteEntry(access, uplink, (seconds, method) -> {
                    loads.entry();
                    return door.unlock(seconds, method);
                }, clock)),
                new OccupancyFeature(vertx, gpio, hardware, occupancy),
                new RoomLoadsFeature(vertx, loads),
                gnss,
                new KioskFeature(vertx, config),
                new ChargerFeature(gpio, chargers, quota, chargeByPass, hardware.smoke()),
                new PassFeature(access),
                new FaceFeature(vertx, face, enrolment, simulate),
                camera,
                selfTest,
                new UpdateFeature(vertx, config, stateDir, ReleaseKeys.of(stateDir, System.getenv()), uplink,
                        agentVersion, "1".equals(System.getenv(LAUNCHER_ENV)), selfTest::run,
                        id -> restartCommand = id, restartRequested, System::currentTimeMillis)));
        if (hardware instanceof SimulatedHardware simulated) {
            all.add(new SimulatorFeature(new Simulator(gpio, simulated, chargers)));
        }
        features = List.copyOf(all);

        commands = new CommandDispatcher(this::reply, System::currentTimeMillis);
        features.forEach(f -> f.commands(commands));
        commands.on(Command.AGENT_RESTART, this::restart);
        configReceiver = new ConfigReceiver(vertx, stateDir, config, uplink, this::applyLive);
        uplink.downlinkHandler((channel, payload) -> {
            if (channel == Channel.COMMAND) {
                commands.accept(payload);
            } else if (channel == Channel.CONFIG) {
                configReceiver.accept(payload);
            }
        });
        http = new LocalHttp(vertx, config.http().host(), config.http().port(), this::status);
        features.forEach(f -> http.mount(f::routes));
    }

    /** Starts the features one after another, in the order they were listed. */
    private Future<Void> startFeatures(int i) {
        return i == features.size() ? Future.succeededFuture()
                : features.get(i).start().compose(v -> startFeatures(i + 1));
    }

    /** Stops the features one after another, the last started first; a failure does not keep the rest running. */
    private Future<Void> stopFeatures(int i) {
        return i < 0 ? Future.succeededFuture()
                : features.get(i).stop().transform(ar -> {
                    if (ar.failed()) {
                        LOG.warn("Stopping {} failed: {}", features.get(i).getClass().getSimpleName(),
                                ar.cause().toString());
                    }
                    return stopFeatures(i - 1);
                });
    }

    @Override
    public Future<?> stop() {
        if (telemetry != null) {
            telemetry.stop();
        }
        Future<Void> up = uplink == null ? Future.succeededFuture() : uplink.stop();
        return up.eventually(() -> http == null ? Future.succeededFuture() : http.stop())
                .eventually(() -> stopFeatures(features.size() - 1))
                .eventually(() -> gpio.call(() -> {
                    if (hardware != null) {
                        hardware.close();
                    }
                    if (pi4j != null) {
                        pi4j.shutdown();
                    }
                    return null;
                }))
                .eventually(() -> outbox == null ? Future.succeededFuture() : outbox.close())
                .eventually(() -> accessStore == null ? Future.succeededFuture() : accessStore.close())
                .eventually(() -> gpio.close())
                .onComplete(ar -> LOG.info("Station {} stopped", config.stationId()));
    }

    private void reply(CommandResult r) {
        Future<?> sent = uplink.publish(Channel.COMMAND_RESULT, r)
                .onFailure(err -> LOG.warn("Could not answer command {}: {}", r.id(), err.getMessage()));
        if (r.id().equals(restartCommand)) {
            // restart once the hub has the answer (or could not get it: the command was taken either way)
            restartCommand = null;
            sent.onComplete(ar -> {
                LOG.info("Station {} restarting as the hub asked (command {})", config.stationId(), r.id());
                restartRequested.run();
            });
        }
    }

    /**
     * {@code agent.restart}: answered {@code ok}, then the agent stops in order (the shutdown state goes out, the
     * relays go to their safe state, the outbox closes with every event kept) and its owner starts it again: the
     * service exits with 75 for systemd to restart it, an agent inside another process starts afresh there. The
     * command's id is written to {@value #RESTART_MARKER} first, so the same command delivered again after the
     * restart (its answer lost) is answered without a second restart.
     */
    private Future<JsonObject> restart(Command c) {
        Path marker = stateDir.resolve(RESTART_MARKER);
        return vertx.executeBlocking(() -> {
            if (Files.isRegularFile(marker) && Files.readString(marker).strip().equals(c.id())) {
                return false;
            }
            Path tmp = stateDir.resolve(RESTART_MARKER + ".tmp");
            Files.writeString(tmp, c.id());
            Files.move(tmp, marker, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        }).map(fresh -> {
            if (fresh) {
                restartCommand = c.id();
            }
            return new JsonObject().put("restarting", fresh);
        });
    }

    private void applyLive(StationConfig next) {
        uplink.configVersion(next.version());
        features.forEach(f -> f.configure(next));
    }

    private JsonObject status() {
        JsonObject s = new JsonObject()
                .put("stationId", config.stationId())
                .put("name", config.name())
                .put("configVersion", configReceiver.current().version())
                .put("simulated", simulate);
        features.forEach(f -> f.status(s));
        return s.put("uplink", new JsonObject().put("connected", uplink.connected()).put("session", uplink.session())
                        .put("lastConnectedAt", uplink.lastConnectedAt().orElse(null))
                        .put("lastError", uplink.lastError().orElse(null))
                        .put("lastErrorAt", uplink.lastError().isPresent() ? uplink.lastErrorAt() : null))
                .put("outbox", outbox.size())
                .put("outboxState", outbox.status())
                .put("rejected", new JsonObject().put("commands", commands.rejected())
                        .put("config", configReceiver.rejected()).put("http", http.badRequests()));
    }
}
