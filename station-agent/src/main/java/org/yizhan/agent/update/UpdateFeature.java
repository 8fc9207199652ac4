package org.yizhan.agent.update;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.agent.uplink.HubTrust;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.UpdateBundle;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Signed agent updates at the station. {@code agent.update} {@code {"version","sha256","size","deadlineSeconds",
 * "rollout"}}: the bundle is downloaded from the hub over its link ({@code GET {hub}/api/v1/agent-updates/{version}/bundle},
 * HTTP Basic with the station's id and secret, the hub trusted as for MQTT), its signature checked against the
 * release keys this station trusts ({@link ReleaseKeys}) and its jar against the signed manifest; the self-test's
 * failing checks are noted, the version is put on trial ({@link UpdateSlots}) and the command answered; then the
 * agent restarts and the launcher starts the new version.
 * <p>
 * The new version keeps itself only once it is online and its self-test fails no check that did not fail before
 * the update, within the deadline: it then reports {@code update.applied}. Otherwise it puts the previous version
 * back and restarts, and the previous version reports {@code update.rolled_back} with the reason. A version that
 * does not even start is rolled back by the launcher after {@value UpdateSlots#MAX_ATTEMPTS} starts or at the
 * deadline (systemd restarts an agent that exits, or never says it is ready, or stops feeding its watchdog).
 * <p>
 * Only an agent started by the launcher ({@code YIZHAN_AGENT_LAUNCHER=1}) can switch versions; any other (the
 * demo's agents inside the hub, a jar run by hand) refuses the command with {@code unsupported}.
 */
public final class UpdateFeature implements AgentFeature {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateFeature.class);
    public static final int DEFAULT_DEADLINE_SECONDS = 600;
    static final int MIN_DEADLINE_SECONDS = 20;
    static final int MAX_DEADLINE_SECONDS = 24 * 3600;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ROLLOUT = Pattern.compile("[0-9A-Za-z-]{0,40}");
    private static final long TRIAL_TICK_MS = 1000;
    /** In the update directory: the self-test checks that failed before an update, one a line. */
    private static final String FAILING_BEFORE = "failing-before";

    private final Vertx vertx;
    private final StationConfig config;
    private final UpdateSlots slots;
    private final ReleaseKeys keys;
    private final Uplink uplink;
    private final String running;
    private final boolean launcher;
    private final Function<String, Future<JsonObject>> selfTest;
    private final Consumer<String> restartAfterAnswer;
    private final Runnable restartNow;
    private final LongSupplier clock;
    private WebClient client;
    private boolean installing;
    private long trialTimer = -1;
    private volatile UpdateSlots.Pending trial;
    /** The self-test checks that failed before the update on trial; read once, when the trial starts. */
    private Set<String> failingBefore = Set.of();
    private boolean testing;

    /**
     * @param selfTest           runs the self-test (shown on the kiosk, reported to the hub) with the given trigger
     * @param restartAfterAnswer the agent restarts once the command with this id has been answered
     * @param restartNow         the agent stops in order and its owner starts it again (the launcher, through systemd)
     */
    public UpdateFeature(Vertx vertx, StationConfig config, Path stateDir, ReleaseKeys keys, Uplink uplink,
                         String running, boolean launcher, Function<String, Future<JsonObject>> selfTest,
                         Consumer<String> restartAfterAnswer, Runnable restartNow, LongSupplier clock) {
        this.vertx = vertx;
        this.config = config;
        this.slots = new UpdateSlots(stateDir);
        this.keys = keys;
        this.uplink = uplink;
        this.running = running;
        this.launcher = launcher;
        this.selfTest = selfTest;
        this.restartAfterAnswer = restartAfterAnswer;
        this.restartNow = restartNow;
        this.clock = clock;
    }

    @Override
    public void commands(CommandDispatcher commands) {
        commands.on(Command.AGENT_UPDATE, this::update);
    }

    @Override
    public Future<Void> start() {
        client = WebClient.create(vertx, HubTrust.apply(new WebClientOptions().setConnectTimeout(10_000)
                .setIdleTimeout(60), config.mqtt()));
        return vertx.executeBlocking(() -> {
            Optional<JsonObject> result = slots.result();
            Optional<UpdateSlots.Pending> pending = slots.pending();
            if (pending.isPresent() && !pending.get().version().equals(running)) {
                // the launcher started something else than the version on trial (its jar is gone): that trial is over
                slots.rollBack(pending.get(), "version " + pending.get().version() + " was not started (its jar is "
                        + "missing); " + running + " runs");
                return new Found(slots.result(), Optional.empty(), Set.<String>of());
            }
            return new Found(result, pending, pending.isPresent() ? readFailingBefore() : Set.<String>of());
        }).compose(found -> {
            Optional<JsonObject> result = found.result();
            result.ifPresent(r -> {
                LOG.warn("Agent update to {} was rolled back: {}; {} runs", r.getString("version"),
                        r.getString("reason"), running);
                uplink.emit(EventType.UPDATE_ROLLED_BACK, r.copy().put("restored", running));
            });
            found.pending().ifPresent(p -> startTrial(p, found.failingBefore()));
            return result.isPresent() ? vertx.executeBlocking(() -> {
                slots.resultReported();
                return null;
            }) : Future.<Void>succeededFuture();
        }).recover(err -> {
            LOG.error("Reading the update state in {} failed: {}", slots.dir(), err.toString());
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<Void> stop() {
        vertx.cancelTimer(trialTimer);
        if (client != null) {
            client.close();
        }
        return Future.succeededFuture();
    }

    @Override
    public void status(JsonObject status) {
        JsonObject u = new JsonObject().put("version", running).put("canSwitch", launcher);
        UpdateSlots.Pending t = trial;
        if (t != null) {
            u.put("trial", new JsonObject().put("version", t.version()).put("deadline", t.deadlineSeconds() * 1000));
        }
        status.put("update", u);
    }

    // ---- the trial of a new version ----

    /** What start() found in the state directory: a rollback to report, a trial to run and what failed before it. */
    private record Found(Optional<JsonObject> result, Optional<UpdateSlots.Pending> pending, Set<String> failingBefore) {
    }

    private void startTrial(UpdateSlots.Pending p, Set<String> failingBefore) {
        trial = p;
        this.failingBefore = failingBefore;
        LOG.info("Agent {} is on trial until {}: it must come online and pass its self-test", running,
                java.time.Instant.ofEpochSecond(p.deadlineSeconds()));
        trialTimer = vertx.setPeriodic(0, TRIAL_TICK_MS, id -> trialTick());
    }

    private void trialTick() {
        UpdateSlots.Pending p = trial;
        if (p == null || testing) {
            return;
        }
        if (clock.getAsLong() >= p.deadlineSeconds() * 1000) {
            endTrial(p, false, uplink.connected() ? "its self-test did not pass before the deadline"
                    : "it did not come online before the deadline");
            return;
        }
        if (!uplink.connected()) {
            return;
        }
        testing = true;
        selfTest.apply("update").onComplete(ar -> {
            testing = false;
            if (ar.failed()) {
                endTrial(p, false, "its self-test could not run: " + ar.cause().getMessage());
                return;
            }
            Set<String> newly = failing(ar.result());
            newly.removeAll(failingBefore);
            if (newly.isEmpty()) {
                endTrial(p, true, "");
            } else {
                endTrial(p, false, "its self-test failed: " + String.join(", ", newly));
            }
        });
    }

    private void endTrial(UpdateSlots.Pending p, boolean passed, String reason) {
        if (trial != p) {
            return;
        }
        trial = null;
        vertx.cancelTimer(trialTimer);
        if (passed) {
            vertx.executeBlocking(() -> {
                slots.commit(p);
                return null;
            }).onSuccess(v -> {
                LOG.info("Agent update to {} passed its trial and is kept", running);
                uplink.emit(EventType.UPDATE_APPLIED, new JsonObject().put("version", running)
                        .put("previous", p.restored()).put("rollout", p.rollout()));
            }).onFailure(err -> LOG.error("Keeping the update to {} failed: {}", running, err.toString()));
        } else {
            LOG.error("Agent update to {} fails its trial ({}): going back to {}", running, reason, p.restored());
            vertx.executeBlocking(() -> {
                slots.rollBack(p, reason);
                return null;
            }).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.error("Going back to {} failed: {}", p.restored(), ar.cause().toString());
                }
                restartNow.run();
            });
        }
    }

    private static Set<String> failing(JsonObject selfTestResult) {
        Set<String> out = new TreeSet<>();
        JsonArray checks = selfTestResult.getJsonArray("checks", new JsonArray());
        for (Object o : checks) {
            if (o instanceof JsonObject c && !c.getBoolean("ok", false)) {
                out.add(c.getString("name", "?"));
            }
        }
        return out;
    }

    /**
     * The checks that failed before the update, as {@link #install} wrote them; blocking. Unreadable counts as none,
     * so every failing check then counts against the new version.
     */
    private Set<String> readFailingBefore() {
        Path f = slots.dir().resolve(FAILING_BEFORE);
        try {
            return Files.isRegularFile(f) ? Set.copyOf(Files.readAllLines(f, StandardCharsets.UTF_8)) : Set.of();
        } catch (java.io.IOException e) {
            LOG.warn("Reading {} failed ({}): every failing self-test check counts against the update", f, e.toString());
            return Set.of();
        }
    }

    // ---- agent.update ----

    private record Args(String version, String sha256, long size, int deadlineSeconds, String rollout) {
    }

    private static Args args(Command c) {
        JsonObject a = c.args();
        List<String> problems = new ArrayList<>();
        String version = a.getValue("version") instanceof String s ? s : "";
        if (!UpdateBundle.VERSION.matcher(version).matches()) {
            problems.add("version must match " + UpdateBundle.VERSION.pattern());
        }
        String sha = a.getValue("sha256") instanceof String s ? s : "";
        if (!SHA256.matcher(sha).matches()) {
            problems.add("sha256 must be 64 lower-case hex digits");
        }
        long size = a.getValue("size") instanceof Number n ? n.longValue() : -1;
        if (size <= 0 || size > UpdateBundle.MAX_JAR_BYTES) {
            problems.add("size must be 1 to " + UpdateBundle.MAX_JAR_BYTES + " bytes");
        }
        Object d = a.getValue("deadlineSeconds", DEFAULT_DEADLINE_SECONDS);
        int deadline = d instanceof Number n ? n.intValue() : -1;
        if (deadline < MIN_DEADLINE_SECONDS || deadline > MAX_DEADLINE_SECONDS) {
            problems.add("deadlineSeconds must be " + MIN_DEADLINE_SECONDS + " to " + MAX_DEADLINE_SECONDS);
        }
        String rollout = a.getValue("rollout", "") instanceof String s ? s : "?";
        if (!ROLLOUT.matcher(rollout).matches()) {
            problems.add("rollout must be an id of letters, digits and '-'");
        }
        if (!problems.isEmpty()) {
            throw new CommandFailure("bad-args", String.join("; ", problems));
        }
        return new Args(version, sha, size, deadline, rollout);
    }

    private Future<JsonObject> update(Command c) {
        Args a = args(c);
        if (!launcher) {
            throw new CommandFailure("unsupported", "this agent was not started by the yizhan-agent launcher, which "
                    + "is what switches versions; it runs " + running);
        }
        if (a.version().equals(running)) {
            return Future.succeededFuture(new JsonObject().put("version", running).put("running", true));
        }
        if (installing || trial != null) {
            throw new CommandFailure("busy", trial != null ? "version " + running + " is itself on trial"
                    : "another update is being installed");
        }
        installing = true;
        Path part = slots.dir().resolve("download.part");
        return vertx.executeBlocking(() -> {
            if (slots.lastCommand().filter(c.id()::equals).isPresent()) {
                return false;
            }
            // the bundle, then its jar beside it: twice the size, and room to spare
            long need = 2 * a.size() + 16L * 1024 * 1024;
            if (slots.usableSpace() < need) {
                throw new CommandFailure("disk-full", "the update needs " + need / (1024 * 1024) + " MB free in "
                        + slots.dir() + ", there are " + slots.usableSpace() / (1024 * 1024));
            }
            Files.deleteIfExists(part);
            return true;
        }).compose(fresh -> {
            if (!fresh) {
                // delivered again after the restart it caused (its answer was lost): taken already
                return Future.succeededFuture(new JsonObject().put("version", a.version()).put("taken", true));
            }
            return download(a, part)
                    .compose(v -> selfTest.apply("before-update"))
                    .compose(before -> vertx.executeBlocking(() -> install(c, a, part, failing(before))))
                    .map(result -> {
                        restartAfterAnswer.accept(c.id());
                        return result;
                    });
        }).eventually(() -> vertx.executeBlocking(() -> Files.deleteIfExists(part)))
                .onComplete(ar -> installing = false);
    }

    /** The bundle, from the hub into {@code part}, at most a little more than its jar's size. */
    private Future<Void> download(Args a, Path part) {
        String url = config.hub().url().replaceAll("/+$", "") + "/api/v1/agent-updates/" + a.version() + "/bundle";
        long cap = a.size() + a.size() / 100 + 64 * 1024;
        return vertx.fileSystem().open(part.toString(), new OpenOptions().setCreate(true).setTruncateExisting(true)
                .setWrite(true)).compose(file -> {
            Capped capped = new Capped(file, cap);
            return client.getAbs(url).timeout(600_000)
                    .putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (config.stationId() + ":" + config.mqtt().password()).getBytes(StandardCharsets.UTF_8)))
                    .as(BodyCodec.pipe(capped, true))
                    .send()
                    .recover(err -> Future.failedFuture(capped.over
                            ? new CommandFailure("bad-bundle", "the hub sent more than the " + cap + " bytes expected")
                            : new CommandFailure("download-failed", "downloading " + url + " failed: "
                                    + err.getMessage())))
                    .compose(r -> r.statusCode() == 200 ? Future.<Void>succeededFuture()
                            : Future.failedFuture(new CommandFailure("download-failed", "the hub answered "
                                    + r.statusCode() + " for " + url)))
                    // closed already when the body was piped to its end; not when the request failed before
                    .eventually(() -> file.close().recover(e -> Future.succeededFuture()));
        });
    }

    /** Checks the downloaded bundle, unpacks its jar and puts it on trial; blocking. */
    private JsonObject install(Command c, Args a, Path part, Set<String> failingBefore) throws Exception {
        List<PublicKey> trusted = keys.load();
        Path jar = slots.jar(a.version());
        UpdateBundle.Verified v;
        try (InputStream in = Files.newInputStream(part)) {
            v = UpdateBundle.verify(in, trusted, Optional.of(jar));
        } catch (UpdateBundle.BundleException e) {
            throw new CommandFailure(e.code(), e.getMessage());
        }
        if (!v.manifest().version().equals(a.version()) || !v.manifest().sha256().equals(a.sha256())) {
            UpdateSlots.deleteTree(jar.getParent());
            throw new CommandFailure("bad-bundle", "the bundle is version " + v.manifest().version()
                    + ", not the " + a.version() + " with the SHA-256 the hub named");
        }
        Files.write(slots.dir().resolve(FAILING_BEFORE), failingBefore, StandardCharsets.UTF_8);
        long deadline = clock.getAsLong() / 1000 + a.deadlineSeconds();
        slots.startTrial(new UpdateSlots.Pending(a.version(), slots.current().orElse(""), running, deadline,
                a.rollout(), c.id()));
        slots.lastCommand(c.id());
        LOG.info("Agent update {} (signed by key {}) installed; restarting on it, on trial for {} s", a.version(),
                v.keyId(), a.deadlineSeconds());
        return new JsonObject().put("version", a.version()).put("installed", true).put("keyId", v.keyId())
                .put("restarting", true);
    }

    /** A file that takes at most {@code cap} bytes: a hub sending more fails the download instead of the disk. */
    private static final class Capped implements WriteStream<Buffer> {
        private final AsyncFile file;
        private final long cap;
        private long written;
        private boolean over;

        Capped(AsyncFile file, long cap) {
            this.file = file;
            this.cap = cap;
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
            file.exceptionHandler(handler);
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            written += data.length();
            if (written > cap) {
                over = true;
                return Future.failedFuture("more than " + cap + " bytes");
            }
            return file.write(data);
        }

        @Override
        public Future<Void> end() {
            return file.end();
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            file.setWriteQueueMaxSize(maxSize);
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return file.writeQueueFull();
        }

        @Override
        public WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> handler) {
            file.drainHandler(handler);
            return this;
        }
    }
}
