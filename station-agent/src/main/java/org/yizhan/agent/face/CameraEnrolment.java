package org.yizhan.agent.face;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.camera.CameraClaim;
import org.yizhan.agent.camera.LumaFrame;

import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Face enrolment with the station's own door camera, started from the kiosk screen: it waits (at most
 * {@link #PASS_WAIT_MILLIS}) for the next pass the camera reads, which identifies the member and is checked as
 * {@link FaceAccess#startEnrolment} checks it (consent held here, pass genuine, current, not revoked); then it
 * takes the camera's next face frames, at least {@code gapMillis} apart, until the template is stored
 * ({@link FaceAccess#enrolFrame}, consent checked again, sealed) or {@link #CAPTURE_MILLIS} pass.
 *
 * <p>While it waits or captures, it claims the camera: the pass it waits for does not open the door, and face
 * frames do not go to the face door (an enrolling rider is neither let in nor refused by face meanwhile).
 * Rider passes shown while it captures still open the door. Steps: {@code waiting-for-pass}, {@code capturing}
 * ({@code frames}/{@code needed}, with {@code hint} {@code no-face} or {@code not-live} after an unusable frame),
 * {@code done}, {@code refused} with {@code reason} ({@code no-consent}, a pass refusal such as {@code expired},
 * {@code no-pass} when none was shown in time, {@code no-face}/{@code not-live} when no usable face came in
 * time, {@code replaced}, {@code face-off}). One at a time: starting again replaces the one in progress.
 * Create and call on the station's context.
 */
public final class CameraEnrolment implements CameraClaim {

    public static final long PASS_WAIT_MILLIS = 20_000;
    public static final long CAPTURE_MILLIS = 20_000;
    public static final String WAITING = "waiting-for-pass";
    public static final String CAPTURING = "capturing";
    public static final String DONE = "done";
    public static final String REFUSED = "refused";
    private static final Logger LOG = LoggerFactory.getLogger(CameraEnrolment.class);

    /** One camera enrolment as the kiosk sees it. */
    private record State(String id, String step, int frames, int needed, long until, Optional<String> enrolment,
                         Optional<String> reason, Optional<String> hint, Optional<String> member, boolean syncAllowed) {

        State refused(String why) {
            return new State(id, REFUSED, frames, needed, until, enrolment, Optional.of(why), hint, member, false);
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject().put("enrolment", id).put("step", step).put("frames", frames)
                    .put("needed", needed);
            reason.ifPresent(r -> o.put("reason", r));
            hint.ifPresent(h -> o.put("hint", h));
            if (DONE.equals(step)) {
                o.put("member", member.orElse(null)).put("syncAllowed", syncAllowed);
            }
            if (WAITING.equals(step) || CAPTURING.equals(step)) {
                o.put("until", until);
            }
            return o;
        }
    }

    private final FaceAccess face;
    private final LongSupplier clock;
    private final long gapMillis;
    private Optional<State> state = Optional.empty();
    private boolean busy;
    private long lastFrameAt;
    private int seq;

    /** {@code gapMillis}: the least time between two face frames taken, so the template sees a few seconds. */
    public CameraEnrolment(FaceAccess face, long gapMillis, LongSupplier clock) {
        this.face = face;
        this.gapMillis = gapMillis;
        this.clock = clock;
    }

    /** Starts waiting for a pass; fails with {@link FaceAccess.EnrolRefused} ({@code face-off}) when face is off. */
    public JsonObject start() {
        if (!face.enabled()) {
            throw new FaceAccess.EnrolRefused(409, "face-off", "face access is not switched on at this station");
        }
        long now = clock.getAsLong();
        state.filter(s -> WAITING.equals(s.step()) || CAPTURING.equals(s.step()))
                .ifPresent(s -> LOG.info("Face enrolment {} replaced by a new one", s.id()));
        State s = new State("k" + (++seq) + "-" + Long.toString(now, 36), WAITING, 0, face.enrolFrames(),
                now + PASS_WAIT_MILLIS, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
        state = Optional.of(s);
        busy = false;
        return s.toJson();
    }

    /** The enrolment {@code id} as it stands now; empty when it is not the latest one. */
    public Optional<JsonObject> status(String id) {
        expire();
        return state.filter(s -> s.id().equals(id)).map(State::toJson);
    }

    @Override
    public Optional<Future<JsonObject>> pass(String text) {
        expire();
        if (state.isEmpty() || !WAITING.equals(state.get().step())) {
            return Optional.empty();
        }
        State s = state.get();
        if (busy) {
            return Optional.of(Future.succeededFuture(s.toJson()));
        }
        busy = true;
        return Optional.of(face.startEnrolment(text).transform(ar -> {
            if (!current(s)) {
                return Future.succeededFuture(s.refused("replaced").toJson());
            }
            busy = false;
            State next;
            if (ar.succeeded()) {
                FaceAccess.Enrolment e = ar.result();
                next = new State(s.id(), CAPTURING, 0, e.needed(), clock.getAsLong() + CAPTURE_MILLIS,
                        Optional.of(e.id()), Optional.empty(), Optional.empty(), Optional.of(e.member()), false);
            } else {
                next = s.refused(code(ar.cause()));
                LOG.info("Face enrolment {} refused: {}", s.id(), next.reason().orElse(""));
            }
            state = Optional.of(next);
            return Future.succeededFuture(next.toJson());
        }));
    }

    @Override
    public Optional<Future<JsonObject>> frame(LumaFrame frame) {
        expire();
        if (state.isEmpty() || !(WAITING.equals(state.get().step()) || CAPTURING.equals(state.get().step()))) {
            return Optional.empty();
        }
        State s = state.get();
        long now = clock.getAsLong();
        if (WAITING.equals(s.step()) || busy || now - lastFrameAt < gapMillis) {
            // held back from the face door, but not taken: the pass first, and frames a little apart
            return Optional.of(Future.succeededFuture(s.toJson()));
        }
        busy = true;
        lastFrameAt = now;
        return Optional.of(face.enrolFrame(s.enrolment().orElseThrow(), frame).transform(ar -> {
            if (!current(s)) {
                return Future.succeededFuture(s.refused("replaced").toJson());
            }
            busy = false;
            State was = state.get();
            State next;
            if (ar.succeeded()) {
                FaceAccess.EnrolStep step = ar.result();
                next = new State(s.id(), step.done() ? DONE : CAPTURING, step.enrolment().frames(),
                        step.enrolment().needed(), was.until(), was.enrolment(), Optional.empty(), Optional.empty(),
                        was.member(), step.syncAllowed());
            } else if (ar.cause() instanceof FaceAccess.EnrolRefused r && r.status() == 422) {
                // an unusable frame (no face, or not live): say so and take the next one
                next = new State(s.id(), CAPTURING, was.frames(), was.needed(), was.until(), was.enrolment(),
                        Optional.empty(), Optional.of(r.code()), was.member(), false);
            } else {
                next = was.refused(code(ar.cause()));
                LOG.info("Face enrolment {} refused: {}", s.id(), next.reason().orElse(""));
            }
            state = Optional.of(next);
            return Future.succeededFuture(next.toJson());
        }));
    }

    private boolean current(State s) {
        return state.isPresent() && state.get().id().equals(s.id());
    }

    private void expire() {
        if (state.isEmpty() || clock.getAsLong() <= state.get().until()) {
            return;
        }
        State s = state.get();
        if (WAITING.equals(s.step())) {
            state = Optional.of(s.refused("no-pass"));
        } else if (CAPTURING.equals(s.step())) {
            state = Optional.of(s.refused(s.hint().orElse("no-face")));
        } else {
            return;
        }
        busy = false;
        LOG.info("Face enrolment {} ran out of time: {}", s.id(), state.get().reason().orElse(""));
    }

    private static String code(Throwable err) {
        if (err instanceof FaceAccess.EnrolRefused r) {
            return r.code();
        }
        if (err instanceof FaceEngine.FaceEngineException) {
            return "face-engine";
        }
        LOG.error("Face enrolment failed", err);
        return "internal";
    }
}
