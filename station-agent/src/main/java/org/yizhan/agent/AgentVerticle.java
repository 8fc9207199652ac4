package org.yizhan.agent;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.camera.CameraRoutes;
import org.yizhan.agent.camera.CameraScanner;
import org.yizhan.agent.camera.FrameSource;
import org.yizhan.agent.camera.FrameWatch;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.camera.V4l2FrameSource;
import org.yizhan.agent.charger.ChargerException;
import org.yizhan.agent.charger.ChargerPort;
import org.yizhan.agent.charger.Chargers;
import org.yizhan.agent.charger.DailyQuota;
import org.yizhan.agent.charger.Session;
import org.yizhan.agent.config.ConfigReceiver;
import org.yizhan.agent.door.DoorController;
import org.yizhan.agent.face.FaceAccess;
import org.yizhan.agent.face.FaceCommands;
import org.yizhan.agent.face.FaceRoutes;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.Pi4jStationHardware;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.simulated.SimulatedPowerMeter;
import org.yizhan.agent.hardware.simulated.Simulator;
import org.yizhan.agent.http.LocalHttp;
import org.yizhan.agent.kiosk.InviteQrRoutes;
import org.yizhan.agent.occupancy.OccupancyCounter;
import org.yizhan.agent.pass.AccessControl;
import org.yizhan.agent.pass.AccessStore;
import org.yizhan.agent.pass.CredentialsSync;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.agent.uplink.Outbox;
import org.yizhan.agent.uplink.SessionStore;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.Telemetry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Wires one station: hardware (Pi4J, real or mock), door, occupancy, chargers, the MQTT uplink with its
 * outbox, commands, remote configuration and the local HTTP server. Everything runs on this verticle's
 * context; blocking work goes to workers.
 */
final class AgentVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);
    private static final long TELEMETRY_MIN_GAP_MS = 1_000;
    /** Face frames taken for one enrolment at least this far apart: a few seconds of the rider's face. */
    private static final long ENROL_FRAME_GAP_MS = 400;

    private final StationConfig config;
    private final Path stateDir;
    private final boolean simulate;
    private final String agentVersion;

    private Pi4jStationHardware hardware;
    private Gpio gpio;
    private Outbox outbox;
    private Uplink uplink;
    private DoorController door;
    private OccupancyCounter occupancy;
    private Chargers chargers;
    private DailyQuota quota;
    private CommandDispatcher commands;
    private ConfigReceiver configReceiver;
    private LocalHttp http;
    private AccessStore accessStore;
    private AccessControl access;
    private org.yizhan.agent.door.RemoteEntry remoteEntry;
    private org.yizhan.agent.kiosk.EntryQrRoutes entryQr;
    private InviteQrRoutes inviteQr;
    private org.yizhan.agent.charger.ChargeByPass chargeByPass;
    private FaceAccess face;
    private org.yizhan.agent.face.CameraEnrolment faceEnrolment;
    private Optional<FrameWatch> camera = Optional.empty();
    private volatile int httpPort;
    private long telemetryTimer = -1;
    private long coalesceTimer = -1;
    private long lastTelemetryAt;

    AgentVerticle(StationConfig config, Path stateDir, boolean simulate, String agentVersion) {
        this.config = config;
        this.stateDir = stateDir;
        this.simulate = simulate;
        this.agentVersion = agentVersion;
    }

    int httpPort() {
        return httpPort;
    }

    Uplink uplink() {
        return uplink;
    }

    Pi4jStationHardware hardware() {
        return hardware;
    }

    @Override
    public Future<?> start() throws Exception {
        HardwareProfile profile = HardwareProfile.load(config.profile());
        gpio = new Gpio(vertx, config.stationId() + "-" + stateDir.toAbsolutePath());
        Map<Integer, SimulatedPowerMeter> simMeters = new LinkedHashMap<>();
        Future<Pi4jStationHardware> hw = gpio.call(() -> {
            if (!simulate) {
                return Pi4jStationHardware.onBoard(profile, config);
            }
            Pi4jStationHardware[] self = new Pi4jStationHardware[1];
            Pi4jStationHardware h = Pi4jStationHardware.mock(profile, config, port -> lazyMeter(self, port, simMeters));
            self[0] = h;
            return h;
        });
        return hw.compose(h -> {
            hardware = h;
            outbox = new Outbox(vertx, stateDir.resolve("outbox.db"));
            accessStore = new AccessStore(vertx, stateDir.resolve("access.db"));
            return outbox.open().compose(x -> accessStore.open());
        }).compose(v -> {
            uplink = new Uplink(vertx, config, outbox, new SessionStore(stateDir), agentVersion);
            // a hub that just (re)started, or lost us for a while, sees the room and the ports at once
            uplink.connectedHandler(this::sendTelemetry);
            door = new DoorController(vertx, gpio, hardware.doorRelay(), hardware.doorContact(),
                    hardware.exitButton(), config.door(), uplink, this::changed);
            occupancy = new OccupancyCounter(config.occupancy().capacity(), config.occupancy().driftMinutes(), uplink,
                    this::changed, System::currentTimeMillis);
            occupancy.attach(gpio, hardware.beamOuter(), hardware.beamInner(), hardware.pir());
            occupancy.startDriftCheck(vertx);
            quota = new DailyQuota(vertx, stateDir.resolve("quota.json"), ZoneId.systemDefault());
            chargers = new Chargers(gpio, config.stationId(), hardware.chargerRelays(), hardware.powerMeters(),
                    hardware.thermometers(), config.charger().rules(), quota, uplink, this::changed,
                    System::currentTimeMillis);
            // straight from the input's thread: the relays open before the event loop hears of the smoke
            hardware.smoke().onChange(chargers::smokeInput);
            access = new AccessControl(vertx, accessStore, config.access(), uplink,
                    () -> occupancy.count() >= occupancy.capacity(),
                    method -> door.unlock(door.defaultUnlockSeconds(), method), java.time.Clock.systemUTC());
            chargeByPass = new org.yizhan.agent.charger.ChargeByPass(access, chargers, uplink,
                    System::currentTimeMillis);
            remoteEntry = new org.yizhan.agent.door.RemoteEntry(access, uplink, door::unlock,
                    java.time.Clock.systemUTC());
            entryQr = new org.yizhan.agent.kiosk.EntryQrRoutes(vertx, config, System::currentTimeMillis);
            face = new FaceAccess(vertx, stateDir, config, access,
                    System::currentTimeMillis);
            faceEnrolment = new org.yizhan.agent.face.CameraEnrolment(face, ENROL_FRAME_GAP_MS,
                    System::currentTimeMillis);
            inviteQr = new InviteQrRoutes(vertx, config);
            commands = commandDispatcher();
            configReceiver = new ConfigReceiver(vertx, stateDir, config, uplink, this::applyLive);
            uplink.downlinkHandler((channel, payload) -> {
                if (channel == Channel.COMMAND) {
                    commands.accept(payload);
                } else if (channel == Channel.CONFIG) {
                    configReceiver.accept(payload);
                }
            });
            return Future.all(door.start(), quota.load().compose(x -> chargers.start()));
        }).compose(v -> gpio.call(() -> hardware.smoke().isActive())).compose(smoke -> {
            if (smoke) {
                chargers.smokeInput(true);
            }
            Optional<Simulator> sim = simulate
                    ? Optional.of(new Simulator(gpio, hardware, simMeters, chargers)) : Optional.empty();
            http = new LocalHttp(vertx, config.http().host(), config.http().port(), this::status, sim)
                    .mount(entryQr)
                    .mount(inviteQr)
                    .mount(new org.yizhan.agent.kiosk.KioskRoutes())
                    .mount(new org.yizhan.agent.charger.ChargeRoutes(chargeByPass))
                    .mount(new FaceRoutes(vertx, face, new QrDecoder(), simulate, faceEnrolment));
            if (simulate) {
                http.mount(new CameraRoutes(vertx, new QrDecoder(), access, Optional.of(chargeByPass))
                        .claiming(faceEnrolment));
            }
            return access.start().compose(x -> face.start()).compose(x -> startCamera()).compose(x -> http.start());
        }).compose(port -> {
            httpPort = port;
            return vertx.executeBlocking(() -> {
                Path tmp = stateDir.resolve("ports.json.tmp");
                Files.writeString(tmp, new JsonObject().put("http", port).encode(), StandardCharsets.UTF_8);
                Files.move(tmp, stateDir.resolve("ports.json"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                return null;
            });
        }).compose(v -> {
            telemetryTimer = vertx.setPeriodic(config.telemetrySeconds() * 1000L, t -> sendTelemetry());
            LOG.info("Station {} started ({}), local HTTP on {}:{}", config.stationId(),
                    simulate ? "simulated hardware" : "board GPIO", config.http().host(), httpPort);
            return uplink.start();
        });
    }

    /** On the board, the door camera (YIZHAN_CAMERA, default /dev/video0) when one is plugged in. */
    private Future<Void> startCamera() {
        Path device = Path.of(Optional.ofNullable(System.getenv("YIZHAN_CAMERA")).orElse("/dev/video0"));
        if (simulate || !V4l2FrameSource.present(device)) {
            if (!simulate) {
                LOG.warn("No camera at {}: rider passes cannot be scanned", device);
            }
            return Future.succeededFuture();
        }
        FrameWatch source =
                new FrameWatch(new V4l2FrameSource(device, 1280, 720, 5));
        camera = Optional.of(source);
        return new CameraScanner(vertx, new QrDecoder(), access, Optional.of(chargeByPass),
                CameraScanner.DEFAULT_HELD_MILLIS,
                System::currentTimeMillis).claiming(faceEnrolment).withoutPass(face::offer).attach(source);
    }

    private static PowerMeter lazyMeter(Pi4jStationHardware[] self, int port, Map<Integer, SimulatedPowerMeter> out) {
        // The relay of the port exists once the hardware is built; the meter looks it up when read.
        SimulatedPowerMeter m = new SimulatedPowerMeter(new org.yizhan.agent.hardware.Relay() {
            @Override
            public void set(boolean closed) {
                self[0].chargerRelays().get(port).set(closed);
            }

            @Override
            public boolean isClosed() {
                return self[0] != null && self[0].chargerRelays().get(port).isClosed();
            }
        });
        out.put(port, m);
        return m;
    }

    @Override
    public Future<?> stop() {
        if (telemetryTimer >= 0) {
            vertx.cancelTimer(telemetryTimer);
        }
        if (coalesceTimer >= 0) {
            vertx.cancelTimer(coalesceTimer);
        }
        if (occupancy != null) {
            occupancy.stop(vertx);
        }
        if (access != null) {
            access.stop();
        }
        camera.ifPresent(FrameSource::stop);
        Future<Void> up = uplink == null ? Future.succeededFuture() : uplink.stop();
        return up.eventually(() -> http == null ? Future.succeededFuture() : http.stop())
                .eventually(() -> Future.all(door == null ? Future.succeededFuture() : door.lock(),
                        chargers == null ? Future.succeededFuture() : chargers.stop()))
                .eventually(() -> gpio.call(() -> {
                    if (hardware != null) {
                        hardware.close();
                    }
                    return null;
                }))
                .eventually(() -> outbox == null ? Future.succeededFuture() : outbox.close())
                .eventually(() -> face == null ? Future.succeededFuture() : face.stop())
                .eventually(() -> accessStore == null ? Future.succeededFuture() : accessStore.close())
                .eventually(() -> gpio.close())
                .onComplete(ar -> LOG.info("Station {} stopped", config.stationId()));
    }

    private CommandDispatcher commandDispatcher() {
        CommandDispatcher d = new CommandDispatcher(this::reply, System::currentTimeMillis);
        d.on(Command.DOOR_UNLOCK, c -> {
            int seconds = CommandDispatcher.intArg(c, "seconds", 1, 60, door.defaultUnlockSeconds());
            Object member = c.args().getValue("member");
            if (member != null) {
                // scan-to-enter: the hub names the member; the station still checks revocation, room and hours
                if (!(member instanceof String m) || org.yizhan.access.RiderPass.memberId(m).isEmpty()) {
                    throw new CommandFailure("invalid", "args.member must be a member pseudonym");
                }
                return remoteEntry.enter(m, seconds).map(dec -> {
                    if (!dec.granted()) {
                        throw new CommandFailure(dec.reason(), "entry refused: " + dec.reason());
                    }
                    return new JsonObject().put("seconds", seconds).put("member", m);
                });
            }
            return door.unlock(seconds, "remote").map(v -> new JsonObject().put("seconds", seconds));
        });
        d.on(Command.CHARGER_START, this::startCharging);
        d.on(Command.CHARGER_STOP, c -> {
            int p = port(c);
            Object by = c.args().getValue("by");
            if (by != null && !"rider".equals(by) && !"operator".equals(by)) {
                throw new CommandFailure("invalid", "args.by must be \"rider\" or \"operator\"");
            }
            String reason = "rider".equals(by) ? Session.STOPPED_BY_RIDER : Session.STOPPED_BY_OPERATOR;
            Optional<Session> running = chargers.port(p).flatMap(ChargerPort::session);
            return refusals(chargers.stopPort(p, reason)).map(v -> new JsonObject().put("port", p)
                    .put("ended", running.isPresent())
                    .put("sessionId", running.map(Session::id).orElse(null)));
        });
        d.on(Command.CHARGER_ENABLE, c -> {
            int p = port(c);
            return refusals(chargers.enable(p, true)).map(v -> new JsonObject().put("port", p)
                    .put("state", chargers.port(p).orElseThrow().state().wireName()));
        });
        d.on(Command.CHARGER_DISABLE, c -> {
            int p = port(c);
            return refusals(chargers.enable(p, false)).map(v -> new JsonObject().put("port", p)
                    .put("state", chargers.port(p).orElseThrow().state().wireName()));
        });
        d.on(Command.SELFTEST_RUN, c -> selftest());
        d.on(Command.CREDENTIALS_SYNC, new CredentialsSync(access));
        FaceCommands faceCommands = new FaceCommands(face);
        d.on(Command.FACE_CONSENT, faceCommands.consent());
        d.on(Command.FACE_DELETE, faceCommands.delete());
        d.on(Command.FACE_SYNC, faceCommands.sync());
        return d;
    }

    /** charger.start: args port, member (pseudonym), optional minutes (default the session limit, at most 12 h). */
    private Future<JsonObject> startCharging(Command c) {
        int p = port(c);
        Object member = c.args().getValue("member");
        if (!(member instanceof String m) || !LocalHttp.MEMBER.matcher(m).matches()) {
            throw new CommandFailure("invalid", "args.member must be a member pseudonym of 1 to 64 letters, digits, "
                    + "'.', '_', ':' or '-'");
        }
        int minutes = CommandDispatcher.intArg(c, "minutes", 1, StationConfig.Rules.FORCED_END_MINUTES,
                chargers.rules().sessionLimitMinutes());
        return refusals(chargers.startSession(p, (String) member, minutes)).map(Session::toJson);
    }

    /** A charger refusal answers the command with its own code (cabinet-limit, quota-exceeded, ...). */
    private static <T> Future<T> refusals(Future<T> f) {
        return f.recover(err -> Future.failedFuture(err instanceof ChargerException ce
                ? new CommandFailure(ce.code(), ce.getMessage()) : err));
    }

    private int port(Command c) {
        int p = CommandDispatcher.requiredIntArg(c, "port", 1, Telemetry.MAX_PORTS);
        if (chargers.port(p).isEmpty()) {
            throw new CommandFailure("invalid", "this station has no charger port " + p);
        }
        return p;
    }

    private void reply(CommandResult r) {
        uplink.publish(Channel.COMMAND_RESULT, r)
                .onFailure(err -> LOG.warn("Could not answer command {}: {}", r.id(), err.getMessage()));
    }

    private Future<JsonObject> selftest() {
        org.yizhan.agent.selftest.SelfTest.Station st = new org.yizhan.agent.selftest.SelfTest.Station(
                uplink::connected, uplink::session, () -> outbox.size(), camera, simulate);
        return new org.yizhan.agent.selftest.SelfTest(gpio, hardware, st).run().map(data -> {
            uplink.emit(EventType.SELFTEST_RESULT, data.copy());
            return data;
        });
    }

    private void applyLive(StationConfig next) {
        uplink.configVersion(next.version());
        door.configure(next.door());
        occupancy.setCapacity(next.occupancy().capacity());
        occupancy.setDriftMinutes(next.occupancy().driftMinutes());
        chargers.setRules(next.charger().rules());
        access.configure(next.access());
        entryQr.configure(next);
        inviteQr.configure(next);
    }

    /** Something changed: send telemetry soon, at most about once a second. */
    private void changed() {
        if (coalesceTimer >= 0) {
            return;
        }
        long wait = Math.max(1, TELEMETRY_MIN_GAP_MS - (System.currentTimeMillis() - lastTelemetryAt));
        coalesceTimer = vertx.setTimer(wait, t -> {
            coalesceTimer = -1;
            sendTelemetry();
        });
    }

    private void sendTelemetry() {
        lastTelemetryAt = System.currentTimeMillis();
        uplink.publishVolatile(Channel.TELEMETRY, telemetry());
    }

    Telemetry telemetry() {
        return new Telemetry(System.currentTimeMillis(),
                Optional.of(new Telemetry.Occupancy(occupancy.count(), occupancy.capacity())),
                Optional.of(new Telemetry.Door(door.isOpen(), door.isLocked())),
                chargers.telemetry(), chargers.roomTempC().isPresent()
                        ? Optional.of(new Telemetry.Env(chargers.roomTempC(), java.util.OptionalDouble.empty()))
                        : Optional.empty());
    }

    JsonObject status() {
        JsonObject ch = chargers.status();
        JsonArray ports = ch.getJsonArray("ports");
        JsonObject up = new JsonObject().put("connected", uplink.connected()).put("session", uplink.session())
                .put("lastConnectedAt", uplink.lastConnectedAt().orElse(null));
        return new JsonObject()
                .put("stationId", config.stationId())
                .put("name", config.name())
                .put("configVersion", configReceiver.current().version())
                .put("simulated", simulate)
                .put("door", new JsonObject().put("open", door.isOpen()).put("locked", door.isLocked()))
                .put("occupancy", new JsonObject().put("count", occupancy.count())
                        .put("capacity", occupancy.capacity()).put("presence", occupancy.presence())
                        .put("beams", occupancy.stats()))
                .put("chargers", ports)
                .put("cabinet", new JsonObject().put("powerW", ch.getDouble("cabinetW"))
                        .put("maxW", ch.getDouble("cabinetMaxW")).put("safety", ch.getJsonObject("safety")))
                .put("smokeAlarm", chargers.smokeAlarm())
                .put("uplink", up)
                .put("outbox", outbox.size())
                .put("rejected", new JsonObject().put("commands", commands.rejected())
                        .put("config", configReceiver.rejected()).put("http", http == null ? 0 : http.badRequests()))
                .put("lastAccess", access.last().map(a -> a.toJson()).orElse(null))
                .put("face", face.status())
                .put("charging", new JsonObject().put("armed", chargeByPass.armed().orElse(null))
                        .put("last", chargeByPass.last().map(d -> d.toJson()).orElse(null))
                        .put("decisions", chargeByPass.counts()))
                .put("access", new JsonObject().put("decisions", access.counts())
                        .put("revocationVersion", access.revocationVersion()));
    }
}
