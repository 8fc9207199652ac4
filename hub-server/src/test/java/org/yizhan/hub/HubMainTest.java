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
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("none.json").contains("Unknown argument 'serve'");
    }

    @Test
    void dashboardUrlPrefersThePublicUrlAndShowsLocalhostForWildcardHosts() {
        assertThat(HubMain.dashboardUrl(HubConfig.defaults(), 8080)).isEqualTo("http://localhost:8080/");
    }
}
