package org.yizhan.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HubMainTest {

    @Test
    void badSettingInConfigFileExitsWithStatus2AndNamesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hub.json");
        Files.writeString(file, "{\"http-port\": \"eighty\"}");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = HubMain.run(new String[]{"run", "--config", file.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("http-port");
    }

    @Test
    void missingConfigFileAndUnknownArgumentExitWithStatus2(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream());
        assertThat(HubMain.run(new String[]{"--config", dir.resolve("none.json").toString()}, o, e)).isEqualTo(2);
        assertThat(HubMain.run(new String[]{"serve"}, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("none.json").contains("Error: Unmatched argument at index 0: 'serve'")
                .contains("Usage: yizhan-hub");
    }

    @Test
    void backupAndRestoreAreSubcommandsWithTheirOwnHelp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(HubMain.run(new String[]{"backup", "--help"}, o, e)).isZero();
        assertThat(HubMain.run(new String[]{"restore", "--help"}, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: yizhan-hub backup", "--config=FILE",
                "--to=FILE", "--hub=URL", "--keep=N").contains("Usage: yizhan-hub restore", "--data-dir=DIR FILE");
        assertThat(HubMain.run(new String[]{"restore"}, o, e)).isEqualTo(2);
        assertThat(HubMain.run(new String[]{"backup", "--to"}, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Missing required options and parameters: '--data-dir=DIR', 'FILE'")
                .contains("Missing required parameter for option '--to' (FILE)");
        assertThat(HubMain.run(new String[]{"--help"}, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("backup      Back up the registry");
    }

    @Test
    void dashboardUrlPrefersThePublicUrlAndShowsLocalhostForWildcardHosts() {
        assertThat(HubMain.dashboardUrl(HubConfig.defaults(), 8080)).isEqualTo("http://localhost:8080/");
    }
}
