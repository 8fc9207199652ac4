package org.yizhan.agent.camera;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.charger.ChargeByPass;
import org.yizhan.agent.http.JsonReplies;
import org.yizhan.agent.pass.AccessControl;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code POST /sim/camera}: a PNG or JPEG body (at most {@link #MAX_BYTES}) is taken as one camera frame and
 * shown to the door once; the answer is {@code {"decision":"granted"|"denied","reason":..}}, or
 * {@code {"decision":null}} when the frame holds no QR code. Another content type gets 415, an empty or
 * unreadable image 400, a too large one 413; each refusal is counted.
 * <p>
 * {@code POST /sim/camera?port=N} is the camera of charger port N: the pass starts a charging session there
 * (see {@link ChargeByPass}) and the answer is {@code {"decision","reason","port","sessionId"?}}. Without
 * {@code port}, a port chosen at the kiosk within the last 20 s takes the pass the same way.
 * <p>
 * While the kiosk enrols a face with the door camera ({@link CameraClaim}), the frame goes there as it would
 * from the camera, and the answer is {@code {"decision":null,"enrolment":{..}}}.
 */
public final class CameraRoutes implements Consumer<Router> {

    public static final int MAX_BYTES = 8 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(CameraRoutes.class);

    private final Vertx vertx;
    private final QrDecoder decoder;
    private final AccessControl access;
    private final Optional<ChargeByPass> charge;
    private CameraClaim claim = CameraClaim.NONE;

    public CameraRoutes(Vertx vertx, QrDecoder decoder, AccessControl access) {
        this(vertx, decoder, access, Optional.empty());
    }

    public CameraRoutes(Vertx vertx, QrDecoder decoder, AccessControl access, Optional<ChargeByPass> charge) {
        this.vertx = vertx;
        this.decoder = decoder;
        this.access = access;
        this.charge = charge;
    }

    /** Frames go to {@code claim} first (the kiosk's face enrolment); call before mounting. */
    public CameraRoutes claiming(CameraClaim claim) {
        this.claim = claim;
        return this;
    }

    @Override
    public void accept(Router router) {
        router.post("/sim/camera")
                .handler(BodyHandler.create().setBodyLimit(MAX_BYTES).setHandleFileUploads(false))
                .handler(ctx -> {
                    String type = Optional.ofNullable(ctx.request().getHeader("Content-Type")).orElse("")
                            .toLowerCase(Locale.ROOT);
                    if (!type.startsWith("image/png") && !type.startsWith("image/jpeg")) {
                        error(ctx, 415, "unsupported-media-type", "send the frame as image/png or image/jpeg");
                        return;
                    }
                    ctx.next();
                })
                .handler(this::frame)
                .failureHandler(ctx -> {
                    if (ctx.statusCode() == 413) {
                        error(ctx, 413, "too-large", "the image is larger than " + MAX_BYTES + " bytes");
                    } else {
                        LOG.warn("Camera frame failed: {}", String.valueOf(ctx.failure()));
                        error(ctx, ctx.statusCode() > 0 && ctx.statusCode() < 500 ? ctx.statusCode() : 500,
                                "bad-request", "the frame could not be handled");
                    }
                });
    }

    private void frame(RoutingContext ctx) {
        byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        if (bytes.length == 0) {
            error(ctx, 400, "bad-request", "the body is empty; send a PNG or JPEG image");
            return;
        }
        Optional<Integer> port = Optional.empty();
        String portParam = ctx.request().getParam("port");
        if (portParam != null) {
            int p;
            try {
                p = Integer.parseInt(portParam);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 64) {
                error(ctx, 400, "bad-request", "port: must be a charger port number from 1 to 64");
                return;
            }
            if (charge.isEmpty() || !charge.get().hasPort(p)) {
                error(ctx, 404, "not-found", "this station has no charger port " + p);
                return;
            }
            port = Optional.of(p);
        }
        Optional<Integer> chosenPort = port;
        LumaFrame[] frame = new LumaFrame[1];
        vertx.executeBlocking(() -> {
            try {
                frame[0] = ImageFrames.read(bytes);
                return decoder.decode(frame[0]);
            } catch (ImageFrames.ImageException e) {
                throw new FrameRefused(e);
            }
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                if (ar.cause() instanceof FrameRefused r) {
                    error(ctx, r.cause.tooLarge() ? 413 : 400, r.cause.tooLarge() ? "too-large" : "bad-request",
                            r.cause.getMessage());
                } else {
                    LOG.warn("Camera frame could not be decoded: {}", ar.cause().toString());
                    error(ctx, 500, "internal", "the frame could not be decoded");
                }
                return;
            }
            Optional<io.vertx.core.Future<JsonObject>> claimed = chosenPort.isPresent() ? Optional.empty()
                    : ar.result().isPresent() ? claim.pass(ar.result().get()) : claim.frame(frame[0]);
            if (claimed.isPresent()) {
                claimed.get().onComplete(c -> JsonReplies.json(ctx, 200, new JsonObject().putNull("decision")
                        .put("enrolment", c.succeeded() ? c.result() : null)));
                return;
            }
            if (ar.result().isEmpty()) {
                JsonReplies.json(ctx, 200, new JsonObject().putNull("decision"));
                return;
            }
            Optional<Integer> chargePort = chosenPort.or(() -> charge.flatMap(ChargeByPass::takeArmed));
            if (chargePort.isPresent()) {
                charge.orElseThrow().present(ar.result().get(), chargePort.get()).onComplete(d -> {
                    if (d.succeeded()) {
                        JsonReplies.json(ctx, 200, d.result().toJson());
                    } else {
                        LOG.error("Charging decision failed", d.cause());
                        error(ctx, 500, "internal", "the charger could not decide");
                    }
                });
                return;
            }
            access.present(ar.result().get(), "qr").onComplete(d -> {
                if (d.succeeded()) {
                    JsonReplies.json(ctx, 200, new JsonObject().put("decision", d.result().decision())
                            .put("reason", d.result().reason()));
                } else {
                    LOG.error("Access decision failed", d.cause());
                    error(ctx, 500, "internal", "the door could not decide");
                }
            });
        });
    }

    private void error(RoutingContext ctx, int status, String code, String message) {
        JsonReplies.error(ctx, status, code, message);
    }

    private static final class FrameRefused extends RuntimeException {
        final ImageFrames.ImageException cause;

        FrameRefused(ImageFrames.ImageException cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }
}
