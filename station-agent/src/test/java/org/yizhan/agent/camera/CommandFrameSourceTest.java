package org.yizhan.agent.camera;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Camera frames from a capture program's output, with a stand-in program (Python) in place of ffmpeg and rpicam-vid:
 * it writes frames in their formats (grey, and YUV 4:2:0 whose chroma planes must be dropped), each frame's luma all
 * one value, and ends after a few frames, the last one cut short, as a camera that is pulled out.
 */
class CommandFrameSourceTest {

    private static final int W = 64;
    private static final int H = 8;
    private CommandFrameSource source;

    @AfterEach
    void stop() {
        if (source != null) {
            source.stop();
        }
    }

    /** A program writing {@code frames} whole frames (luma = 10, 11, ...; chroma 128), then half a frame, then ending. */
    private static List<String> standIn(int frames, boolean yuv420) {
        String script = String.join("\n",
                "import sys",
                "w, h, n, yuv = " + W + ", " + H + ", " + frames + ", " + (yuv420 ? "True" : "False"),
                "out = sys.stdout.buffer",
                "for i in range(n):",
                "    out.write(bytes([10 + i]) * (w * h))",
                "    if yuv:",
                "        out.write(bytes([128]) * (w * h // 2))",
                "    out.flush()",
                "out.write(bytes([99]) * (w * h // 2))",
                "out.flush()",
                "");
        return List.of("python3", "-c", script);
    }

    private List<LumaFrame> run(boolean yuv420, int frameBytes) {
        List<LumaFrame> got = new CopyOnWriteArrayList<>();
        source = new CommandFrameSource("stand-in", standIn(3, yuv420), W, H, frameBytes);
        source.start(got::add);
        return got;
    }

    @Test
    void keepsTheLumaOfYuv420FramesAndStartsTheProgramAgainWhenItEnds() {
        List<LumaFrame> got = run(true, W * H * 3 / 2);
        // three frames, a cut-short one that is not delivered, a pause of a second, three more
        await().atMost(Duration.ofSeconds(15)).until(() -> got.size() >= 6);
        for (int i = 0; i < 6; i++) {
            LumaFrame f = got.get(i);
            assertThat(f.width()).isEqualTo(W);
            assertThat(f.height()).isEqualTo(H);
            assertThat(f.luma()).as("frame %d is its luma only", i).hasSize(W * H);
            byte expected = (byte) (10 + i % 3);
            for (byte b : f.luma()) {
                assertThat(b).as("frame %d", i).isEqualTo(expected);
            }
        }
    }

    @Test
    void readsGreyFramesWhole() {
        List<LumaFrame> got = run(false, W * H);
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 3);
        assertThat(got.subList(0, 3)).extracting(f -> f.luma()[W * H - 1]).containsExactly((byte) 10, (byte) 11,
                (byte) 12);
    }

    @Test
    void asksRpicamVidForRawYuvOnStandardOutputAndRefusesAPaddedWidth() {
        CommandFrameSource csi = CommandFrameSource.csi(Path.of("/usr/bin/rpicam-vid"), 1, 1280, 720, 5);
        assertThat(String.join(" ", csi.command())).isEqualTo("/usr/bin/rpicam-vid --camera 1 --timeout 0 "
                + "--nopreview --codec yuv420 --width 1280 --height 720 --framerate 5 --flush --output -");
        assertThatThrownBy(() -> CommandFrameSource.csi(Path.of("/usr/bin/rpicam-vid"), 0, 1000, 720, 5))
                .hasMessageContaining("multiple of 64");
        assertThat(String.join(" ", CommandFrameSource.v4l2(Path.of("/dev/video2"), 1280, 720, 5).command()))
                .contains("-f v4l2", "-i /dev/video2", "-pix_fmt gray", "-f rawvideo -");
    }

    @Test
    void namesTheCameraOrRefusesWhatIsNotOne() {
        assertThat(CameraFeature.source("/dev/no-such-video")).isEmpty();
        for (String bad : List.of("csi:", "csi:x", "csi:8", "csi:-1")) {
            assertThatThrownBy(() -> CameraFeature.source(bad)).as(bad)
                    .hasMessageContaining("a CSI camera is csi or csi:0 to csi:7");
        }
        assertThat(CameraFeature.source("csi:1").isPresent()).as("present only where rpicam-vid is")
                .isEqualTo(CommandFrameSource.rpicamVid().isPresent());
    }
}
