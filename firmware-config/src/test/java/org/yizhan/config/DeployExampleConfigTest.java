package org.yizhan.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps {@code deploy/config/agent.example.json} in step with what the agent accepts. */
class DeployExampleConfigTest {

    private static final Path EXAMPLE = Path.of("..", "deploy", "config", "agent.example.json");

    @Test
    void theDeployExampleAgentConfigParses() throws IOException, ConfigException {
        assertThat(EXAMPLE).as("run from the firmware-config module directory").isRegularFile();
        StationConfig c = StationConfig.parse(Files.readString(EXAMPLE, StandardCharsets.UTF_8));
        assertThat(HardwareProfile.BUILT_IN).contains(c.profile());
        assertThat(c.mqtt().username()).isEqualTo(c.stationId());
        assertThat(c.charger().ports()).isNotEmpty();
        assertThat(StationConfig.parse(c.toJson())).isEqualTo(c);
    }
}
