package org.yizhan.agent.face;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.camera.ImageFrames;
import org.yizhan.agent.camera.LumaFrame;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.http.JsonReplies;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Face on the agent's local HTTP (the kiosk side, 127.0.0.1). Enrolment: {@code POST /kiosk/face/enrol} with the
 * camera frame that shows the member's pass (PNG or JPEG) identifies the member and starts it, answering 201
 * {@code {"enrolment","member","frames":0,"needed"}}; then {@code POST /kiosk/face/enrol/{id}/frames} with each
 * camera frame of the face answers 200 {@code {"frames","needed","done":false}} until the last, which stores
 * the template and answers 201 {@code {"done":true,"member","syncAllowed","synced"}}. Refusals: 400
 * ({@code no-pass}, unreadable image), 403 (the pass refused, or {@code no-consent}), 404 (no such enrolment),
 * 409 ({@code face-off}), 413, 415, 422 ({@code no-face}, {@code not-live}). With {@code --simulate},
 * {@code POST /sim/face} takes a frame as the door camera's and answers the decision like {@code /sim/camera}.
 *
 * <p>Enrolment with the door camera ({@link CameraEnrolment}): {@code POST /kiosk/face/enrol/start} (no body)
 * answers 201 {@code {"enrolment","step":"waiting-for-pass","frames":0,"needed","until"}} (409 {@code face-off});
 * {@code GET /kiosk/face/enrol/{id}} answers the step as it stands (404 for an unknown or replaced one). While it
 * captures, a {@code /sim/face} frame goes to it and is answered {@code {"decision":null,"enrolment":{..}}}.
 */
public final class FaceRoutes implements Consumer<Router> {

    private static final Logger LOG = LoggerFactory.getLogger(FaceRoutes.class);
    public static final int MAX_BYTES = 8 * 1024 * 1024;

    private final Vertx vertx;
    private final FaceAccess face;
    private final QrDecoder decoder;
    private final boolean simulate;
    private final CameraEnrolment camera;

    public FaceRoutes(Vertx vertx, FaceAccess face, QrDecoder decoder, boolean simulate, CameraEnrolment camera) {
        this.vertx = vertx;
        this.face = face;
        this.decoder = decoder;
        this.simulate = simulate;
        this.camera = camera;
    }

    @Override
    public void accept(Router router) {
        router.post("/kiosk/face/enrol/start").handler(ctx -> {
            try {
                JsonReplies.json(ctx, 201, camera.start());
            } catch (FaceAccess.EnrolRefused r) {
                JsonReplies.error(ctx, r.status(), r.code(), r.getMessage());
            }
        });
        router.get("/kiosk/face/enrol/:id").handler(ctx -> camera.status(ctx.pathParam("id")).ifPresentOrElse(
                s -> JsonReplies.json(ctx, 200, s),
                () -> JsonReplies.error(ctx, 404, "not-found", "no such enrolment at this kiosk; press the button again")));
        image(router, "/kiosk/face/enrol", this::start);
        image(router, "/kiosk/face/enrol/:id/frames", this::frame);
        if (simulate) {
            image(router, "/sim/face", this::door);
        }
    }

    private interface FrameHandler {
        void handle(RoutingContext ctx, LumaFrame frame);
    }

    private void image(Router router, String path, FrameHandler then) {
        router.post(path)
                .handler(BodyHandler.create().setBodyLimit(MAX_BYTES).setHandleFileUploads(false))
                .handler(ctx -> {
                    String type = Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("")
                            .toLowerCase(Locale.ROOT);
                    if (!type.startsWith("image/png") && !type.startsWith("image/jpeg")) {
                        JsonReplies.error(ctx, 415, "unsupported-media-type", "send the camera frame as image/png or image/jpeg");
                        return;
                    }
                    byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
                    if (bytes.length == 0) {
                        JsonReplies.error(ctx, 400, "bad-request", "the body is empty; send a PNG or JPEG image");
                        return;
                    }
                    vertx.executeBlocking(() -> ImageFrames.read(bytes), false).onComplete(ar -> {
                        if (ar.failed()) {
                            boolean large = ar.cause() instanceof ImageFrames.ImageException ie && ie.tooLarge();
                            JsonReplies.error(ctx, large ? 413 : 400, large ? "too-large" : "bad-request", ar.cause().getMessage());
                        } else {
                            then.handle(ctx, ar.result());
                        }
                    });
                })
                .failureHandler(ctx -> {
                    if (ctx.statusCode() == 413) {
                        JsonReplies.error(ctx, 413, "too-large", "the image is larger than " + MAX_BYTES + " bytes");
                    } else {
                        LOG.warn("Face request failed: {}", String.valueOf(ctx.failure()));
                        JsonReplies.error(ctx, ctx.statusCode() > 0 && ctx.statusCode() < 500 ? ctx.statusCode() : 500,
                                "bad-request", "the frame could not be handled");
                    }
                });
    }

    private void start(RoutingContext ctx, LumaFrame frame) {
        if (!face.enabled()) {
            JsonReplies.error(ctx, 409, "face-off", "face access is not switched on at this station");
            return;
        }
        vertx.executeBlocking(() -> decoder.decode(frame), false)
                .compose(text -> text.isEmpty()
                        ? Future.failedFuture(new FaceAccess.EnrolRefused(400, "no-pass",
                        "no pass found in the frame; show the rider pass QR code to the camera"))
                        : face.startEnrolment(text.get()))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        FaceAccess.Enrolment e = ar.result();
                        JsonReplies.json(ctx, 201, new JsonObject().put("enrolment", e.id()).put("member", e.member())
                                .put("frames", e.frames()).put("needed", e.needed()).put("expiresAt", e.expiresAt()));
                    } else {
                        refused(ctx, ar.cause());
                    }
                });
    }

    private void frame(RoutingContext ctx, LumaFrame frame) {
        face.enrolFrame(ctx.pathParam("id"), frame).onComplete(ar -> {
            if (ar.failed()) {
                refused(ctx, ar.cause());
                return;
            }
            FaceAccess.EnrolStep s = ar.result();
            JsonObject body = new JsonObject().put("enrolment", s.enrolment().id()).put("frames", s.enrolment().frames())
                    .put("needed", s.enrolment().needed()).put("done", s.done());
            if (s.done()) {
                body.put("member", s.enrolment().member()).put("syncAllowed", s.syncAllowed()).put("synced", s.synced());
            }
            JsonReplies.json(ctx, s.done() ? 201 : 200, body);
        });
    }

    private void door(RoutingContext ctx, LumaFrame frame) {
        Optional<Future<JsonObject>> enrolling = camera.frame(frame);
        if (enrolling.isPresent()) {
            enrolling.get().onComplete(ar -> JsonReplies.json(ctx, 200, new JsonObject().putNull("decision")
                    .put("enrolment", ar.succeeded() ? ar.result() : null)));
            return;
        }
        face.decide(frame).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Face decision failed: {}", ar.cause().getMessage());
                JsonReplies.error(ctx, 503, "face-engine", "the face engine failed: " + ar.cause().getMessage());
            } else if (ar.result().isEmpty()) {
                JsonReplies.json(ctx, 200, new JsonObject().putNull("decision"));
            } else {
                JsonReplies.json(ctx, 200, new JsonObject().put("decision", ar.result().get().decision())
                        .put("reason", ar.result().get().reason()).put("method", ar.result().get().method()));
            }
        });
    }

    private void refused(RoutingContext ctx, Throwable cause) {
        if (cause instanceof FaceAccess.EnrolRefused r) {
            JsonReplies.error(ctx, r.status(), r.code(), r.getMessage());
        } else if (cause instanceof FaceEngine.FaceEngineException) {
            JsonReplies.error(ctx, 503, "face-engine", "the face engine failed: " + cause.getMessage());
        } else {
            LOG.error("Face enrolment failed", cause);
            JsonReplies.error(ctx, 500, "internal", "the enrolment could not be completed");
        }
    }
}
