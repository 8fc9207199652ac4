package org.yizhan.hub.logging;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class LogFormatTest {

    private static Properties props(String format) {
        Properties p = new Properties();
        if (format != null) {
            p.setProperty(LogFormat.PROPERTY, format);
        }
        return p;
    }

    @Test
    void textUnlessJsonIsAsked() {
        assertThat(LogFormat.of(props(null), Map.of())).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.of(props(null), Map.of("YIZHAN_LOG_FORMAT", " Json "))).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.of(props("json"), Map.of("YIZHAN_LOG_FORMAT", "text"))).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.of(props(" "), Map.of("YIZHAN_LOG_FORMAT", "json"))).as("a blank property is unset")
                .isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.of(props("yaml"), Map.of("YIZHAN_LOG_FORMAT", "json"))).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void namesAnUnknownSettingAndWhereItCameFrom() {
        assertThat(LogFormat.unknownSetting(props(null), Map.of())).isEmpty();
        assertThat(LogFormat.unknownSetting(props(null), Map.of("YIZHAN_LOG_FORMAT", "TEXT"))).isEmpty();
        assertThat(LogFormat.unknownSetting(props(null), Map.of("YIZHAN_LOG_FORMAT", "jsn")))
                .isEqualTo(Optional.of("YIZHAN_LOG_FORMAT=jsn"));
        assertThat(LogFormat.unknownSetting(props("ecs"), Map.of("YIZHAN_LOG_FORMAT", "json")))
                .isEqualTo(Optional.of("-Dyizhan.log.format=ecs"));
    }
}
