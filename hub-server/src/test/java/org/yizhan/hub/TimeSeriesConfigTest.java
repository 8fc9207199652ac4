package org.yizhan.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yizhan.hub.timeseries.TimeSeriesSettings;
import org.yizhan.hub.timeseries.TimeSeriesSettings.Engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The time series settings: engine, server, credentials, disk buffer and retention, refused by name when wrong. */
class TimeSeriesConfigTest {

    @TempDir
    Path dir;

    @Test
    void theEmbeddedQuestDbIsTheDefaultWithABoundedBufferAnd400Days() throws Exception {
        TimeSeriesSettings ts = HubConfig.load(Optional.empty(), Map.of()).timeSeries();
        assertThat(ts.engine()).isEqualTo(Engine.EMBEDDED);
        assertThat(ts.url()).isEmpty();
        assertThat(ts.token()).isEmpty();
        assertThat(ts.bufferMaxBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(ts.retentionDays()).isEqualTo(400);
    }

    @Test
    void takesAQuestDbServerFromTheFile() throws Exception {
        Path file = dir.resolve("hub.json");
        Files.writeString(file, """
                {"ts-engine": "questdb", "ts-url": "http://questdb.lan:9000/", "ts-buffer-max-bytes": 1048576,
                 "ts-retention-days": 0}""");
        TimeSeriesSettings ts = HubConfig.load(Optional.of(file), Map.of()).timeSeries();
        assertThat(ts.engine()).isEqualTo(Engine.QUESTDB);
        assertThat(ts.url()).as("a trailing slash is dropped").isEqualTo("http://questdb.lan:9000");
        assertThat(ts.bufferMaxBytes()).isEqualTo(1_048_576);
        assertThat(ts.retentionDays()).isZero();
    }

    @Test
    void takesInfluxDbFromTheEnvironmentAndNeverShowsTheToken() throws Exception {
        HubConfig c = HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_ENGINE", "influxdb2",
                "YIZHAN_TS_URL", "https://influx.example.org:8086", "YIZHAN_TS_TOKEN", "tok-s3cret==",
                "YIZHAN_TS_ORG", "union", "YIZHAN_TS_BUCKET", "stations"));
        TimeSeriesSettings ts = c.timeSeries();
        assertThat(ts.engine()).isEqualTo(Engine.INFLUXDB2);
        assertThat(ts.token()).contains("tok-s3cret==");
        assertThat(ts.org()).isEqualTo("union");
        assertThat(ts.bucket()).isEqualTo("stations");
        assertThat(c.toString()).contains("influxdb2 at https://influx.example.org:8086", "token ***")
                .doesNotContain("tok-s3cret");
        assertThat(c.withPorts(0, 0).timeSeries()).as("kept by the with* copies").isEqualTo(ts);
    }

    @Test
    void influxDbNeedsUrlTokenOrgAndBucketAndSaysWhichAreMissing() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_ENGINE", "influxdb2",
                "YIZHAN_TS_URL", "http://influxdb:8086")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ts-engine=influxdb2 needs ts-token (YIZHAN_TS_TOKEN), ts-org (YIZHAN_TS_ORG), "
                        + "ts-bucket (YIZHAN_TS_BUCKET)");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_ENGINE", "questdb")))
                .hasMessageStartingWith("ts-engine=questdb needs ts-url (YIZHAN_TS_URL)");
    }

    @Test
    void refusesSettingsTheEngineDoesNotUseRatherThanIgnoringThem() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_URL", "http://questdb:9000")))
                .hasMessageContaining("ts-url (YIZHAN_TS_URL) not used with ts-engine=embedded");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_ENGINE", "questdb",
                "YIZHAN_TS_URL", "http://questdb:9000", "YIZHAN_TS_TOKEN", "abc", "YIZHAN_TS_BUCKET", "b")))
                .hasMessageContaining("ts-token (YIZHAN_TS_TOKEN), ts-bucket (YIZHAN_TS_BUCKET) not used")
                .hasMessageNotContaining("abc");
    }

    @Test
    void refusesAnUnknownEngine() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_ENGINE", "influxdb3")))
                .hasMessage("ts-engine (YIZHAN_TS_ENGINE): 'influxdb3' must be embedded, questdb or influxdb2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"questdb:9000", "ftp://questdb:9000", "http://", "http://questdb:9000/exec",
            "http://questdb:9000?x=1", "http://q db:9000"})
    void refusesAServerUrlThatIsNotSchemeHostAndPort(String url) {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_ENGINE", "questdb",
                "YIZHAN_TS_URL", url)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ts-url (YIZHAN_TS_URL): ");
    }

    @Test
    void refusesAUrlWithAPasswordWithoutRepeatingIt() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_ENGINE", "questdb",
                "YIZHAN_TS_URL", "http://admin:hunter2@questdb:9000")))
                .hasMessageContaining("user name or password").hasMessageNotContaining("hunter2");
    }

    @Test
    void boundsTheBufferAndTheRetention() {
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_BUFFER_MAX_BYTES", "100")))
                .hasMessage("ts-buffer-max-bytes (YIZHAN_TS_BUFFER_MAX_BYTES): 100 must be 1024 to 1099511627776");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_BUFFER_MAX_BYTES", "lots")))
                .hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> HubConfig.load(Optional.empty(), Map.of("YIZHAN_TS_RETENTION_DAYS", "-1")))
                .hasMessageStartingWith("ts-retention-days (YIZHAN_TS_RETENTION_DAYS): -1 must be 0 to");
    }
}
