package org.yizhan.agent.claim;

import io.vertx.core.Vertx;
import org.yizhan.agent.camera.CameraFeature;
import org.yizhan.agent.camera.FrameSource;
import org.yizhan.agent.camera.QrDecoder;
import org.yizhan.agent.cli.ExitCode;
import org.yizhan.agent.cli.Provisioner;
import org.yizhan.agent.config.ConfigFile;
import org.yizhan.config.StationConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code yizhan-agent provision --from-camera}: shows "show the claim QR to the camera" on the kiosk screen (the
 * agent's own port, in {@code ports.json}), scans the camera until a claim QR provisions the station
 * ({@link ClaimByCamera}), and exits 0 with the configuration stored, as {@code provision --hub --code} does; 1 when
 * the time ran out or the camera is missing.
 */
public final class CameraProvisionCommand {

    /** The local HTTP port of a station configuration that does not name one (firmware-config's default). */
    public static final int DEFAULT_SCREEN_PORT = 8088;

    private final PrintStream out;
    private final PrintStream err;

    public CameraProvisionCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** With the camera named as {@code YIZHAN_CAMERA} names it ({@code /dev/video0}, {@code csi}, {@code csi:1}). */
    public int run(Path dir, String camera, Optional<String> expectedHub, Optional<Path> ca, Duration timeout,
                   int screenPort) {
        Optional<? extends FrameSource> source;
        try {
            source = CameraFeature.source(camera);
        } catch (IllegalArgumentException e) {
            err.println("Provisioning failed: " + e.getMessage());
            return ExitCode.USAGE;
        }
        if (source.isEmpty()) {
            err.println("Provisioning failed: no camera " + camera + " (YIZHAN_CAMERA: a V4L2 device such as "
                    + "/dev/video0, or csi with rpicam-vid)");
            return ExitCode.FAILED;
        }
        return run(dir, source.get(), expectedHub, ca, timeout, screenPort);
    }

    /** With any frame source. */
    public int run(Path dir, FrameSource source, Optional<String> expectedHub, Optional<Path> ca, Duration timeout,
                   int screenPort) {
        Vertx vertx = Vertx.vertx();
        try {
            ClaimScreen screen = new ClaimScreen(vertx, dir);
            int port = await(screen.start("127.0.0.1", screenPort).toCompletionStage().toCompletableFuture());
            out.println("Waiting up to " + timeout.toSeconds() + "s for the claim QR in front of the camera; the "
                    + "kiosk screen is http://127.0.0.1:" + port + "/kiosk");
            ClaimByCamera claim = new ClaimByCamera(vertx, source, new QrDecoder(), new Provisioner(), dir,
                    expectedHub, ca, s -> {
                        screen.show(s);
                        if (s.state() == ClaimByCamera.State.REFUSED) {
                            err.println("Claim QR not used: " + s.message());
                        }
                    });
            CompletableFuture<StationConfig> done = claim.run(timeout).toCompletionStage().toCompletableFuture();
            try {
                StationConfig c = await(done);
                out.println("Provisioned station " + c.stationId() + " (" + c.name() + ") from the claim QR.");
                out.println("Configuration version " + c.version() + " stored in " + ConfigFile.path(dir)
                        + " (mode 0600).");
                return ExitCode.OK;
            } catch (ExecutionException e) {
                err.println("Provisioning failed: " + e.getCause().getMessage());
                return ExitCode.FAILED;
            } finally {
                screen.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            err.println("Provisioning failed: the kiosk screen could not start on port " + screenPort + ": "
                    + e.getCause().getMessage());
            return ExitCode.FAILED;
        } catch (TimeoutException e) {
            err.println("Provisioning failed: the kiosk screen did not stop");
            return ExitCode.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILED;
        } finally {
            vertx.close();
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws ExecutionException, InterruptedException {
        return f.get();
    }
}
