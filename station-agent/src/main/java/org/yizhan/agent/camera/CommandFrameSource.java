package org.yizhan.agent.camera;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Camera frames read from the standard output of a capture program, on a thread of its own, at a few frames a second:
 * <ul>
 *   <li>a V4L2 camera (a USB camera at {@code /dev/video0}) through {@code ffmpeg} as raw grey frames
 *   ({@code -pix_fmt gray}: the luminance plane only); needs the Debian package {@code ffmpeg};</li>
 *   <li>the Pi's CSI camera (camera module 2, 3 or HQ) through libcamera's {@code rpicam-vid} as raw YUV 4:2:0
 *   frames, of which the luminance plane is kept; needs Raspberry Pi OS's {@code rpicam-apps}.</li>
 * </ul>
 * When the program ends (camera unplugged, or busy) it is started again after a pause that grows to a minute.
 * The agent's tests feed frames through {@code POST /sim/camera}; {@code CommandFrameSourceTest} runs this class
 * on a stand-in program writing frames in each format.
 */
public final class CommandFrameSource implements FrameSource {

    private static final Logger LOG = LoggerFactory.getLogger(CommandFrameSource.class);
    /** Where Raspberry Pi OS puts libcamera's capture program (libcamera-vid on older images). */
    static final List<Path> RPICAM_VID = List.of(Path.of("/usr/bin/rpicam-vid"), Path.of("/usr/bin/libcamera-vid"));

    private final String name;
    private final List<String> command;
    private final int width;
    private final int height;
    /** Bytes of one frame on the program's output; the first width x height are the luminance plane. */
    private final int frameBytes;
    private volatile boolean running;
    private volatile Process process;
    private Thread reader;

    CommandFrameSource(String name, List<String> command, int width, int height, int frameBytes) {
        if (frameBytes < width * height) {
            throw new IllegalArgumentException("a frame of " + frameBytes + " bytes cannot hold " + width + "x"
                    + height);
        }
        this.name = name;
        this.command = List.copyOf(command);
        this.width = width;
        this.height = height;
        this.frameBytes = frameBytes;
    }

    /** A V4L2 camera at {@code device} through ffmpeg. */
    public static CommandFrameSource v4l2(Path device, int width, int height, int fps) {
        return new CommandFrameSource(device.toString(), List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-f",
                "v4l2", "-video_size", width + "x" + height, "-i", device.toString(), "-vf", "fps=" + fps,
                "-pix_fmt", "gray", "-f", "rawvideo", "-"), width, height, width * height);
    }

    /**
     * Raw 8-bit grey frames of {@code width} x {@code height} from any capture program of one's own (a GStreamer
     * pipeline, a recording played back), in the format the V4L2 path asks ffmpeg for.
     */
    public static CommandFrameSource grey(String name, List<String> command, int width, int height) {
        return new CommandFrameSource(name, command, width, height, width * height);
    }

    /**
     * CSI camera {@code camera} (0 for the first) through rpicam-vid as YUV 4:2:0; {@code width} a multiple of 64, so
     * that rows carry no padding.
     */
    public static CommandFrameSource csi(Path rpicamVid, int camera, int width, int height, int fps) {
        if (width % 64 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("a CSI frame must be a multiple of 64 pixels wide and even in height, "
                    + "was " + width + "x" + height);
        }
        return new CommandFrameSource("CSI camera " + camera, List.of(rpicamVid.toString(), "--camera",
                Integer.toString(camera), "--timeout", "0", "--nopreview", "--codec", "yuv420", "--width",
                Integer.toString(width), "--height", Integer.toString(height), "--framerate", Integer.toString(fps),
                "--flush", "--output", "-"), width, height, width * height * 3 / 2);
    }

    /** The capture program and its arguments. */
    List<String> command() {
        return command;
    }

    /** The V4L2 device is there. */
    public static boolean present(Path device) {
        return Files.exists(device);
    }

    /** rpicam-vid (or libcamera-vid) is installed. */
    public static Optional<Path> rpicamVid() {
        return RPICAM_VID.stream().filter(Files::isExecutable).findFirst();
    }

    @Override
    public Future<Void> start(Consumer<LumaFrame> frames) {
        running = true;
        reader = new Thread(() -> loop(frames), "yizhan-camera");
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
                LOG.warn("Camera {}: {}", name, e.getMessage());
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
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process = p;
        LOG.info("Camera {} capturing {}x{}", name, width, height);
        int luma = width * height;
        try (InputStream in = p.getInputStream()) {
            while (running) {
                byte[] frame = in.readNBytes(frameBytes);
                if (frame.length < frameBytes) {
                    throw new IOException(command.get(0) + " stopped (exit " + exitCode(p) + ")");
                }
                frames.accept(new LumaFrame(frameBytes == luma ? frame : java.util.Arrays.copyOf(frame, luma), width,
                        height));
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
