package org.yizhan.agent.camera;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Frames from a V4L2 camera ({@code /dev/video0} on the Pi), grabbed by {@code ffmpeg} as raw grey frames
 * ({@code -pix_fmt gray}: the luminance plane only) at a few frames a second, read from its standard output
 * on a thread of its own. When ffmpeg ends (camera unplugged) it is started again after a pause that grows to
 * a minute. Needs the Debian package {@code ffmpeg}. Not exercised by the tests, which have no camera: they
 * feed frames through {@code POST /sim/camera} and {@link CameraScanner#offer}.
 */
public final class V4l2FrameSource implements FrameSource {

    private static final Logger LOG = LoggerFactory.getLogger(V4l2FrameSource.class);

    private final Path device;
    private final int width;
    private final int height;
    private final int fps;
    private volatile boolean running;
    private volatile Process process;
    private Thread reader;

    public V4l2FrameSource(Path device, int width, int height, int fps) {
        this.device = device;
        this.width = width;
        this.height = height;
        this.fps = fps;
    }

    public static boolean present(Path device) {
        return Files.exists(device);
    }

    @Override
    public Future<Void> start(Consumer<LumaFrame> frames) {
        running = true;
        reader = new Thread(() -> loop(frames), "yizhan-camera-" + device.getFileName());
        reader.setDaemon(true);
        reader.start();
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        running = false;
        Process p = process;
        if (p != null) {
            p.destroy();
        }
        if (reader != null) {
            reader.interrupt();
        }
        return Future.succeededFuture();
    }

    private void loop(Consumer<LumaFrame> frames) {
        long pauseMs = 1000;
        while (running) {
            try {
                capture(frames);
                pauseMs = 1000;
            } catch (IOException e) {
                LOG.warn("Camera {}: {}", device, e.getMessage());
            }
            if (!running) {
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(pauseMs);
            } catch (InterruptedException e) {
                return;
            }
            pauseMs = Math.min(60_000, pauseMs * 2);
        }
    }

    private void capture(Consumer<LumaFrame> frames) throws IOException {
        List<String> cmd = List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "v4l2",
                "-video_size", width + "x" + height, "-i", device.toString(), "-vf", "fps=" + fps,
                "-pix_fmt", "gray", "-f", "rawvideo", "-");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process = p;
        LOG.info("Camera {} capturing {}x{} at {} frames/s", device, width, height, fps);
        int size = width * height;
        try (InputStream in = p.getInputStream()) {
            while (running) {
                byte[] frame = in.readNBytes(size);
                if (frame.length < size) {
                    throw new IOException("ffmpeg stopped (exit " + exitCode(p) + ")");
                }
                frames.accept(new LumaFrame(frame, width, height));
            }
        } finally {
            p.destroy();
        }
    }

    private static String exitCode(Process p) {
        try {
            return p.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
