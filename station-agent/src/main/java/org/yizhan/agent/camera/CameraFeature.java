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
 * The door camera as a station feature. On the board, frames of the camera at {@code device} (when one is
 * plugged in) are scanned for rider passes, which go to the door or, when a charger was armed, to charging;
 * frames without a pass go to an enrolment that claimed the camera, else to {@code withoutPass} (face entry).
 * Simulated, {@code POST /sim/camera} takes an image as a camera frame instead.
 */
public final class CameraFeature implements AgentFeature {

    private static final Logger LOG = LoggerFactory.getLogger(CameraFeature.class);

    private final Vertx vertx;
    private final AccessControl access;
    private final ChargeByPass chargeByPass;
    private final CameraClaim claim;
    private final Consumer<LumaFrame> withoutPass;
    private final Path device;
    private final boolean simulate;
    private volatile Optional<FrameWatch> camera = Optional.empty();

    public CameraFeature(Vertx vertx, AccessControl access, ChargeByPass chargeByPass, CameraClaim claim,
                         Consumer<LumaFrame> withoutPass, Path device, boolean simulate) {
        this.vertx = vertx;
        this.access = access;
        this.chargeByPass = chargeByPass;
        this.claim = claim;
        this.withoutPass = withoutPass;
        this.device = device;
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
        if (!V4l2FrameSource.present(device)) {
            LOG.warn("No camera at {}: rider passes cannot be scanned", device);
            return Future.succeededFuture();
        }
        FrameWatch source = new FrameWatch(new V4l2FrameSource(device, 1280, 720, 5));
        camera = Optional.of(source);
        return new CameraScanner(vertx, new QrDecoder(), access, Optional.of(chargeByPass),
                CameraScanner.DEFAULT_HELD_MILLIS, System::currentTimeMillis)
                .claiming(claim).withoutPass(withoutPass).attach(source);
    }

    @Override
    public Future<Void> stop() {
        return camera.map(FrameSource::stop).orElseGet(Future::succeededFuture);
    }
}
