package org.yizhan.agent.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.camera.LumaFrame;
import org.yizhan.agent.pass.AccessControl;
import org.yizhan.agent.pass.AccessDecision;
import org.yizhan.agent.pass.AccessStore;

import org.yizhan.agent.uplink.EventSink;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.EventType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Face access on one station: the engine (when {@code face.json} switches it on), the 1:N matcher over the
 * templates kept in {@link FaceStore}, the decisions at the door (method {@code face}: {@code not-live},
 * {@code no-match}, or the checks a pass also gets: revoked, room, hours), enrolment at the kiosk, and the
 * hub's consent commands. Consent comes from the hub as commands ({@code face.consent}, {@code face.delete});
 * a template is stored here only while the hub has said the member consents, and sent on (to the hub, which
 * passes it to the federation's other stations) only while the member allows sync.
 *
 * <p>Face access is never the only way in: with face off, or the engine failing, rider passes work as before.
 * The consent commands are handled even with face off, so a withdrawal always deletes what the station holds.
 * Create and call on the station's context.
 */
public final class FaceAccess {

    public static final String METHOD = "face";
    /** One camera stream decision per member (or per refusal) within this time. */
    public static final long HELD_MILLIS = 3_000;
    /** An enrolment started with a pass must be finished within this time. */
    public static final long ENROL_MILLIS = 60_000;
    private static final long UPLOAD_RETRY_MILLIS = 5 * 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(FaceAccess.class);

    /** Why an enrolment step was refused: a code for the API and a message for people. */
    public static final class EnrolRefused extends RuntimeException {
        private final String code;
        private final int status;

        EnrolRefused(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        public String code() {
            return code;
        }

        public int status() {
            return status;
        }
    }

    /** An enrolment in progress: whose, the id the kiosk uses, how many frames are taken and needed. */
    public record Enrolment(String id, String member, int frames, int needed, long expiresAt) {
    }

    /** The outcome of one enrolment frame: done (template stored) or more frames needed. */
    public record EnrolStep(Enrolment enrolment, boolean done, boolean syncAllowed, boolean synced) {
    }

    private final Vertx vertx;
    private final Path stateDir;
    private volatile FaceConfig config = FaceConfig.OFF;
    private final FaceStore store;
    private final AccessControl access;
    private final Optional<TemplateUpload> upload;
    private final EventSink events;
    /** The pass the member showed to start the enrolment in progress: the hub's proof of where they enrolled. */
    private String enrolPass = "";
    private final LongSupplier clock;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Map<String, Long> held = new HashMap<>();
    private Optional<FaceEngine> engine = Optional.empty();
    private Optional<FaceMatcher> matcher = Optional.empty();
    private Optional<Enrolment> enrolling = Optional.empty();
    private final List<float[]> samples = new ArrayList<>();
    private long uploadTimer = -1;
    private int enrolSeq;

    /** Face access of the station whose state directory is {@code stateDir} ({@code face.json}, {@code face.db}). */
    public FaceAccess(Vertx vertx, Path stateDir, StationConfig station, AccessControl access, EventSink events,
                      LongSupplier clock) {
        this(vertx, stateDir, new FaceStore(vertx, stateDir), access, events,
                Optional.of(new TemplateUpload(vertx, station)), clock);
    }

    public FaceAccess(Vertx vertx, Path stateDir, FaceStore store, AccessControl access, EventSink events,
                      Optional<TemplateUpload> upload, LongSupplier clock) {
        this.vertx = vertx;
        this.events = events;
        this.stateDir = stateDir;
        this.store = store;
        this.access = access;
        this.upload = upload;
        this.clock = clock;
    }

    /** Opens the store; with face on, the engine and the templates. Face failing to start leaves it off. */
    public Future<Void> start() {
        return store.open().compose(v -> vertx.executeBlocking(() -> FaceConfig.load(stateDir), false)
                .recover(err -> {
                    LOG.error("Face access stays off: {} is not usable: {}", FaceConfig.FILE, err.getMessage());
                    return Future.succeededFuture(FaceConfig.OFF);
                })).compose(c -> {
            config = c;
            if (!config.enabled()) {
                LOG.info("Face access is off on this station (no {} with \"enabled\": true)", FaceConfig.FILE);
                return Future.succeededFuture();
            }
            return vertx.executeBlocking(this::openEngine, false).compose(e -> {
                FaceMatcher m = new FaceMatcher(e.dimension(), config.matchThreshold());
                return load(m).map(n -> {
                    engine = Optional.of(e);
                    matcher = Optional.of(m);
                    LOG.info("Face access on: {} engine, {}-d embeddings, {} templates, match {} liveness {}",
                            config.engine(), e.dimension(), n, config.matchThreshold(), config.livenessThreshold());
                    return (Void) null;
                }).onFailure(err -> e.close());
            }).recover(err -> {
                LOG.error("Face access stays off: {}", err.getMessage());
                return Future.succeededFuture();
            });
        }).onSuccess(v -> {
            if (upload.isPresent()) {
                uploadTimer = vertx.setPeriodic(UPLOAD_RETRY_MILLIS, t -> uploadPending());
                uploadPending();
            }
        });
    }

    public Future<Void> stop() {
        if (uploadTimer >= 0) {
            vertx.cancelTimer(uploadTimer);
            uploadTimer = -1;
        }
        engine.ifPresent(FaceEngine::close);
        engine = Optional.empty();
        matcher = Optional.empty();
        upload.ifPresent(TemplateUpload::close);
        return store.close();
    }

    /** Whether face decisions and enrolment work here now. */
    public boolean enabled() {
        return matcher.isPresent();
    }

    /** The number of templates the matcher holds (0 with face off). */
    public int templates() {
        return matcher.map(FaceMatcher::size).orElse(0);
    }

    /** The frames averaged into one template at the kiosk ({@code enrolFrames} in {@code face.json}). */
    public int enrolFrames() {
        return config.enrolFrames();
    }

    /** For {@code /status}: whether face is on, the engine and the number of templates in use. */
    public io.vertx.core.json.JsonObject status() {
        return new io.vertx.core.json.JsonObject().put("enabled", enabled()).put("engine", enabled() ? config.engine() : null)
                .put("templates", templates());
    }

    private FaceEngine openEngine() throws FaceEngine.FaceEngineException {
        if (FaceConfig.ONNX.equals(config.engine())) {
            return OnnxFaceEngine.load(config.modelFile().orElseThrow(), config.cropFraction(), config.pixelMean(),
                    config.pixelScale());
        }
        return ModuleFaceEngine.connect(config.moduleUrl().orElseThrow(), Duration.ofSeconds(2));
    }

    private Future<Integer> load(FaceMatcher m) {
        return store.templates().map(list -> {
            int n = 0;
            for (FaceStore.Template t : list) {
                if (t.embedding().length == m.dimension()) {
                    m.add(t.member(), t.embedding());
                    n++;
                } else {
                    LOG.warn("A face template of {} values does not fit the {}-d engine; not used", t.embedding().length,
                            m.dimension());
                }
            }
            return n;
        });
    }

    // ---- the door

    /**
     * Decides on one frame at the door: empty when the engine finds no face (or face is off); otherwise the
     * access decision it led to.
     */
    public Future<Optional<AccessDecision>> decide(LumaFrame frame) {
        if (engine.isEmpty() || matcher.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        FaceEngine e = engine.get();
        FaceMatcher m = matcher.get();
        return vertx.executeBlocking(() -> e.analyse(frame), false).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            Identified who = identify(found.get(), m);
            return access.presentIdentified(METHOD, who.member(), who.refusal()).map(Optional::of);
        });
    }

    /** Who a face sample is: a member, or the refusal ({@code not-live} before {@code no-match}). */
    private record Identified(Optional<String> member, Optional<String> refusal) {
    }

    private Identified identify(FaceEngine.FaceSample s, FaceMatcher m) {
        if (s.liveness() < config.livenessThreshold()) {
            return new Identified(Optional.empty(), Optional.of(AccessDecision.NOT_LIVE));
        }
        Optional<String> member = m.match(s.embedding()).map(FaceMatcher.Match::member);
        return new Identified(member, member.isPresent() ? Optional.empty() : Optional.of(AccessDecision.NO_MATCH));
    }

    /**
     * A frame from the door camera that held no pass: analysed unless the engine is still busy with the one
     * before (then dropped); the same person (or the same refusal) gives one decision per {@link #HELD_MILLIS}.
     */
    public void offer(LumaFrame frame) {
        if (!enabled() || !busy.compareAndSet(false, true)) {
            return;
        }
        FaceEngine e = engine.get();
        FaceMatcher m = matcher.get();
        vertx.executeBlocking(() -> e.analyse(frame), false).onComplete(ar -> {
            busy.set(false);
            if (ar.failed()) {
                LOG.warn("The face engine failed on a camera frame: {}", ar.cause().getMessage());
                return;
            }
            if (ar.result().isEmpty()) {
                return;
            }
            Identified who = identify(ar.result().get(), m);
            if (heldUp(who.member().orElse("refused:" + who.refusal().orElse("")))) {
                return;
            }
            access.presentIdentified(METHOD, who.member(), who.refusal());
        });
    }

    private boolean heldUp(String key) {
        long now = clock.getAsLong();
        for (Iterator<Long> it = held.values().iterator(); it.hasNext(); ) {
            if (now - it.next() >= HELD_MILLIS) {
                it.remove();
            }
        }
        return held.putIfAbsent(key, now) != null;
    }

    // ---- enrolment at the kiosk

    /**
     * Starts an enrolment for the holder of the pass shown to the camera: the pass must be genuine, current and
     * not revoked, and the hub must have told this station that the member consents. Replaces an enrolment in
     * progress (one kiosk, one person at a time).
     */
    public Future<Enrolment> startEnrolment(String passText) {
        if (!enabled()) {
            return Future.failedFuture(new EnrolRefused(409, "face-off", "face access is not switched on at this station"));
        }
        // a pass slot starts one enrolment (kept apart from the door's use of it: a rider may come in and enrol
        // with the same pass); a copy of someone's pass cannot start a second one
        return access.check(passText, AccessStore.Purpose.ENROL).compose(c -> {
            if (!c.ok()) {
                return Future.failedFuture(new EnrolRefused(403, c.refusal().get(),
                        "the pass was refused: " + c.refusal().get()));
            }
            String member = c.member().orElseThrow();
            return store.consent(member).compose(consent -> {
                if (consent.isEmpty() || !consent.get().given()) {
                    return Future.succeededFuture(consent);
                }
                return access.markUsed(c, AccessStore.Purpose.ENROL).compose(fresh -> fresh
                        ? Future.succeededFuture(consent)
                        : Future.failedFuture(new EnrolRefused(403, AccessDecision.REPLAYED,
                                "the pass was refused: " + AccessDecision.REPLAYED)));
            }).compose(consent -> {
                if (consent.isEmpty() || !consent.get().given()) {
                    return Future.failedFuture(new EnrolRefused(403, "no-consent",
                            "this member has not given face consent (or the hub's word has not reached this station)"));
                }
                samples.clear();
                enrolPass = passText;
                Enrolment e = new Enrolment("e" + (++enrolSeq) + "-" + Long.toString(clock.getAsLong(), 36), member, 0,
                        config.enrolFrames(), clock.getAsLong() + ENROL_MILLIS);
                enrolling = Optional.of(e);
                LOG.info("Face enrolment started for {}", member);
                return Future.succeededFuture(e);
            });
        });
    }

    /** Adds one frame to the enrolment {@code id}; with the last one the averaged template is stored. */
    public Future<EnrolStep> enrolFrame(String id, LumaFrame frame) {
        Optional<Enrolment> current = enrolling.filter(e -> e.id().equals(id));
        if (current.isEmpty() || current.get().expiresAt() < clock.getAsLong()) {
            return Future.failedFuture(new EnrolRefused(404, "not-found",
                    "no enrolment " + id + " in progress here; show the pass again"));
        }
        if (engine.isEmpty() || matcher.isEmpty()) {
            return Future.failedFuture(new EnrolRefused(409, "face-off", "face access is not switched on at this station"));
        }
        FaceEngine e = engine.get();
        return vertx.executeBlocking(() -> e.analyse(frame), false).compose(found -> {
            Optional<Enrolment> still = enrolling.filter(x -> x.id().equals(id));
            if (still.isEmpty()) {
                return Future.failedFuture(new EnrolRefused(404, "not-found", "the enrolment was replaced"));
            }
            if (found.isEmpty()) {
                return Future.failedFuture(new EnrolRefused(422, "no-face", "no face found in the frame"));
            }
            if (found.get().liveness() < config.livenessThreshold()) {
                return Future.failedFuture(new EnrolRefused(422, AccessDecision.NOT_LIVE,
                        "the face does not look live enough; look at the camera, not a photo"));
            }
            samples.add(unit(found.get().embedding()));
            Enrolment step = new Enrolment(id, still.get().member(), samples.size(), still.get().needed(),
                    still.get().expiresAt());
            if (samples.size() < step.needed()) {
                enrolling = Optional.of(step);
                return Future.succeededFuture(new EnrolStep(step, false, false, false));
            }
            float[] template = mean(samples);
            String pass = enrolPass;
            enrolling = Optional.empty();
            enrolPass = "";
            samples.clear();
            return store.addEnrolled(step.member(), template, clock.getAsLong(), pass)
                    .recover(err -> Future.failedFuture(err instanceof FaceStore.NoConsentException
                            ? new EnrolRefused(403, "no-consent", err.getMessage()) : err))
                    .compose(rowId -> {
                        matcher.ifPresent(m -> m.add(step.member(), template));
                        LOG.info("Face template enrolled for {}", step.member());
                        // the hub records where each member enrolled: only this station may send this template
                        events.emit(EventType.FACE_ENROLLED, new JsonObject().put("member", step.member())
                                .put("pass", pass));
                        return store.consent(step.member());
                    })
                    .compose(consent -> {
                        boolean sync = consent.map(FaceStore.Consent::sync).orElse(false);
                        if (!sync || upload.isEmpty()) {
                            return Future.succeededFuture(new EnrolStep(step, true, sync, false));
                        }
                        return uploadPending().map(n -> new EnrolStep(step, true, true, n > 0));
                    });
        });
    }

    // ---- the hub's consent commands

    /** {@code face.consent}: completes with the templates deleted (synced copies when sync is denied), -1 if stale. */
    public Future<Integer> consent(String member, boolean sync, long version) {
        return store.applyConsent(member, true, sync, version).compose(removed -> {
            Future<Void> reload = removed > 0 ? reload(member) : Future.succeededFuture();
            return reload.map(v -> {
                if (sync && removed >= 0) {
                    uploadPending();
                }
                return removed;
            });
        });
    }

    /** {@code face.delete}: consent withdrawn; every template of the member goes. Completes with how many. */
    public Future<Integer> withdraw(String member, long version) {
        return store.withdraw(member, version).map(removed -> {
            int inMemory = matcher.map(m -> m.remove(member)).orElse(0);
            LOG.info("Face consent withdrawn by {}: {} templates deleted", member, Math.max(removed, inMemory));
            return removed;
        });
    }

    /** {@code face.sync}: a template enrolled at another station; stored only with consent and sync here. */
    public Future<Long> synced(String member, float[] template) {
        return store.add(member, FaceStore.SYNCED, template, clock.getAsLong()).map(id -> {
            matcher.filter(m -> m.dimension() == template.length).ifPresent(m -> m.add(member, template));
            return id;
        });
    }

    private Future<Void> reload(String member) {
        if (matcher.isEmpty()) {
            return Future.succeededFuture();
        }
        FaceMatcher m = matcher.get();
        return store.templates(member).map(list -> {
            m.remove(member);
            list.stream().filter(t -> t.embedding().length == m.dimension())
                    .forEach(t -> m.add(member, t.embedding()));
            return null;
        });
    }

    /** Sends the templates enrolled here of members who allow sync; completes with how many the hub took. */
    public Future<Integer> uploadPending() {
        if (upload.isEmpty()) {
            return Future.succeededFuture(0);
        }
        TemplateUpload u = upload.get();
        return store.pendingUploads().compose(list -> {
            Future<Integer> chain = Future.succeededFuture(0);
            for (FaceStore.Template t : list) {
                chain = chain.compose(n -> u.send(t.member(), t.embedding(), t.proof())
                        .compose(ok -> ok ? store.markUploaded(t.id()).map(v -> n + 1) : Future.succeededFuture(n))
                        .recover(err -> {
                            LOG.info("Face template not sent to the hub yet ({}); will retry", err.getMessage());
                            return Future.succeededFuture(n);
                        }));
            }
            return chain;
        }).recover(err -> {
            LOG.warn("Sending face templates failed: {}", err.getMessage());
            return Future.succeededFuture(0);
        });
    }

    private static float[] unit(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        float inv = s == 0 ? 0f : (float) (1 / Math.sqrt(s));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    private static float[] mean(List<float[]> list) {
        float[] m = new float[list.get(0).length];
        for (float[] v : list) {
            for (int i = 0; i < m.length; i++) {
                m[i] += v[i] / list.size();
            }
        }
        return unit(m);
    }
}
