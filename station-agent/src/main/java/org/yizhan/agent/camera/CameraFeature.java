package org.yizhan.agent.camera;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.charger.ChargeByPass;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.pass.AccessControl;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The door camera as a station feature. On the board, frames of the camera named by {@code camera} (when one
 * is there: see {@link #source}) are scanned for rider passes, which go to the door or, when a charger was armed,
 * to charging; frames without a pass go to an enrolment that claimed the camera, else to {@code withoutPass} (face
 * entry).
 * Simulated, {@code POST /sim/camera} takes an image as a camera frame instead.
 */
public final class CameraFeature implements AgentFeature {

    private static final Logger LOG = LoggerFactory.getLogger(CameraFeature.class);

    private final Vertx vertx;
    private final AccessControl access;
    private final ChargeByPass chargeByPass;
    private final CameraClaim claim;
    private final Consumer<LumaFrame> withoutPass;
    private final String cameraName;
    private final boolean simulate;
    private volatile Optional<FrameWatch> camera = Optional.empty();

    public CameraFeature(Vertx vertx, AccessControl access, ChargeByPass chargeByPass, CameraClaim claim,
                         Consumer<LumaFrame> withoutPass, String camera, boolean simulate) {
        this.vertx = vertx;
        this.access = access;
        this.chargeByPass = chargeByPass;
        this.claim = claim;
        this.withoutPass = withoutPass;
        this.cameraName = camera;
        this.simulate = simulate;
    }

    /** The camera's frames as the self-test watches them; empty when simulated or no camera is plugged in. */
    public Optional<FrameWatch> frames() {
        return camera;
    }

    @Override
    public void routes(Router router) {
        if (simulate) {
            new CameraRoutes(vertx, new QrDecoder(), access, Optional.of(chargeByPass)).claiming(claim).accept(router);
        }
    }

    @Override
    public Future<Void> start() {
        if (simulate) {
            return Future.succeededFuture();
        }
        Optional<CommandFrameSource> frames;
        try {
            frames = source(cameraName);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        if (frames.isEmpty()) {
            LOG.warn("No camera {}: rider passes cannot be scanned", cameraName);
            return Future.succeededFuture();
        }
        FrameWatch source = new FrameWatch(frames.get());
        camera = Optional.of(source);
        return new CameraScanner(vertx, new QrDecoder(), access, Optional.of(chargeByPass),
                CameraScanner.DEFAULT_HELD_MILLIS, System::currentTimeMillis)
                .claiming(claim).withoutPass(withoutPass).attach(source);
    }

    /**
     * The door camera that {@code camera} names (YIZHAN_CAMERA): {@code csi} or {@code csi:N} for the Pi's CSI camera
     * (the first, or number N) through rpicam-vid, else a V4L2 device such as {@code /dev/video0}; 1280x720 at 5 frames
     * a second. Empty when that camera, or rpicam-vid, is not there; refused when {@code camera} is malformed.
     */
    public static Optional<CommandFrameSource> source(String camera) {
        if (camera.equals("csi") || camera.startsWith("csi:")) {
            int number;
            try {
                number = camera.equals("csi") ? 0 : Integer.parseInt(camera.substring(4));
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number < 0 || number > 7) {
                throw new IllegalArgumentException("YIZHAN_CAMERA '" + camera + "': a CSI camera is csi or csi:0 to "
                        + "csi:7");
            }
            int n = number;
            return CommandFrameSource.rpicamVid().map(bin -> CommandFrameSource.csi(bin, n, 1280, 720, 5));
        }
        Path device = Path.of(camera);
        return CommandFrameSource.present(device) ? Optional.of(CommandFrameSource.v4l2(device, 1280, 720, 5))
                : Optional.empty();
    }

    @Override
    public Future<Void> stop() {
        return camera.map(FrameSource::stop).orElseGet(Future::succeededFuture);
    }
}
