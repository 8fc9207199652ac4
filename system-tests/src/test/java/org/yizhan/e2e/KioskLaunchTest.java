package org.yizhan.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kiosk's launch script (firmware-config/os/kiosk/yizhan-kiosk-launch.sh): it opens the agent's kiosk page on
 * the port the agent wrote, and turns every output for a screen mounted on its side. Stand-ins for Chromium and
 * wlr-randr on the PATH print what they were asked (there is no compositor here).
 */
class KioskLaunchTest {

    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent()
            .resolve("firmware-config/os/kiosk/yizhan-kiosk-launch.sh");

    @TempDir
    Path tmp;

    @BeforeEach
    void standIns() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        write(bin.resolve("chromium"), "#!/bin/sh\necho \"chromium $*\"\n");
        // two outputs, as wlr-randr lists them: a name line, then indented details
        write(bin.resolve("wlr-randr"), "#!/bin/sh\nif [ $# -eq 0 ]; then\n  printf 'HDMI-A-1 \"Monitor\"\\n"
                + "  Enabled: yes\\nDSI-1 \"Touch\"\\n  Enabled: yes\\n'\nelse\n  echo \"wlr-randr $*\"\nfi\n");
        Path agent = Files.createDirectories(tmp.resolve("agent"));
        Files.writeString(agent.resolve("ports.json"), "{\"http\":18088}");
    }

    private static void write(Path p, String text) throws Exception {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private String launch(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
        pb.environment().put("YIZHAN_AGENT_DIR", tmp.resolve("agent").toString());
        pb.environment().put("YIZHAN_KIOSK_WAIT_S", "2");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void opensTheKioskPageOnThePortTheAgentWroteWithoutTurningTheScreen() throws Exception {
        String out = launch(Map.of());
        assertThat(out).contains("chromium --kiosk http://127.0.0.1:18088/kiosk").doesNotContain("wlr-randr");
    }

    @Test
    void turnsEveryOutputForAScreenOnItsSide() throws Exception {
        String out = launch(Map.of("YIZHAN_KIOSK_ROTATION", "90"));
        assertThat(out).contains("wlr-randr --output HDMI-A-1 --transform 90")
                .contains("wlr-randr --output DSI-1 --transform 90")
                .contains("chromium --kiosk http://127.0.0.1:18088/kiosk");
        assertThat(out.indexOf("--transform")).as("turned before the page opens").isLessThan(out.indexOf("chromium --kiosk"));
    }

    @Test
    void aRotationThatIsNoRightAngleIsSaidAndTheScreenLeftAsItIs() throws Exception {
        String out = launch(Map.of("YIZHAN_KIOSK_ROTATION", "45"));
        assertThat(out).contains("YIZHAN_KIOSK_ROTATION must be 0, 90, 180 or 270, not '45'")
                .doesNotContain("--transform").contains("chromium --kiosk");
    }
}
