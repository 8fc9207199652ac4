package org.yizhan.bench.fleet;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PrometheusTextTest {

    /** A registry set up as the hub's HubMetrics sets up its ingest timer and message counters. */
    private static PrometheusMeterRegistry hubLikeRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    private static Timer ingestTimer(PrometheusMeterRegistry registry) {
        return Timer.builder("yizhan_ingest_latency")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    @Test
    void sumsMessageCountersOverTypesFromMicrometerScrape() {
        PrometheusMeterRegistry registry = hubLikeRegistry();
        registry.counter("yizhan_mqtt_messages_in", "type", "heartbeat").increment(500);
        registry.counter("yizhan_mqtt_messages_in", "type", "telemetry").increment(167);
        registry.counter("yizhan_mqtt_rejects", "reason", "malformed").increment(3);

        PrometheusText text = PrometheusText.parse(registry.scrape());

        assertThat(text.sum(HubTarget.MESSAGES_IN)).isEqualTo(667.0);
        assertThat(text.byLabel(HubTarget.MESSAGES_IN, "type"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("heartbeat", 500.0, "telemetry", 167.0));
        assertThat(text.sum("yizhan_mqtt_rejects_total")).isEqualTo(3.0);
        assertThat(text.sum("no_such_metric")).isZero();
    }

    @Test
    void windowQuantilesFromHistogramDeltaReflectOnlyTheWindow() {
        PrometheusMeterRegistry registry = hubLikeRegistry();
        Timer timer = ingestTimer(registry);
        for (int i = 0; i < 1000; i++) {
            timer.record(100, TimeUnit.MICROSECONDS);   // before the window: fast
        }
        BucketHistogram before = PrometheusText.parse(registry.scrape()).histogram(HubTarget.INGEST_LATENCY)
                .orElseThrow();
        for (int i = 0; i < 900; i++) {
            timer.record(1, TimeUnit.MILLISECONDS);
        }
        for (int i = 0; i < 100; i++) {
            timer.record(20, TimeUnit.MILLISECONDS);
        }
        BucketHistogram after = PrometheusText.parse(registry.scrape()).histogram(HubTarget.INGEST_LATENCY)
                .orElseThrow();

        BucketHistogram window = after.minus(before);

        assertThat(before.count()).isEqualTo(1000);
        assertThat(after.count()).isEqualTo(2000);
        assertThat(window.count()).isEqualTo(1000);
        // Micrometer's buckets around 1 ms are (0.961192 ms, 1.048576 ms], around 20 ms (16.78 ms, 22.37 ms]
        assertThat(window.quantile(0.50).orElseThrow()).as("p50 s").isBetween(0.000961192, 0.001048576);
        assertThat(window.quantile(0.95).orElseThrow()).as("p95 s").isBetween(0.016777216, 0.022369621);
        assertThat(window.quantile(0.99).orElseThrow()).as("p99 s").isBetween(0.016777216, 0.022369621);
        assertThat(after.quantile(0.25).orElseThrow()).as("p25 over all time, fast ones").isLessThan(0.000110);
    }

    @Test
    void parsesCommentsEscapedLabelsTimestampsAndSpecialValues() {
        String text = """
                # HELP http_requests_total The total number of HTTP requests.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400"}    3 1395066363000

                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                metric_without_timestamp_and_labels 12.47
                something_weird{problem="division by zero"} +Inf
                latency_seconds_bucket{le="0.1"} 2
                latency_seconds_bucket{le="0.5"} 5.0
                latency_seconds_bucket{le="+Inf"} 6
                """;

        PrometheusText parsed = PrometheusText.parse(text);

        assertThat(parsed.samples()).hasSize(8);
        assertThat(parsed.sum("http_requests_total")).isEqualTo(1030.0);
        assertThat(parsed.byLabel("http_requests_total", "code")).containsEntry("400", 3.0);
        PrometheusText.Sample dos = parsed.samples().get(2);
        assertThat(dos.labels()).containsEntry("path", "C:\\DIR\\FILE.TXT")
                .containsEntry("error", "Cannot find file:\n\"FILE.TXT\"");
        assertThat(dos.value()).isEqualTo(1.458255915e9);
        assertThat(parsed.sum("metric_without_timestamp_and_labels")).isEqualTo(12.47);
        assertThat(parsed.sum("something_weird")).isInfinite();
        BucketHistogram h = parsed.histogram("latency_seconds").orElseThrow();
        assertThat(h.count()).isEqualTo(6);
        assertThat(h.quantile(0.5).orElseThrow()).isCloseTo(0.1 + 0.4 * (1.0 / 3), within(1e-9));
        assertThat(parsed.histogram("absent_seconds")).isEmpty();
    }

    @Test
    void rejectsALineWithoutValueNamingItsLineNumber() {
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x counter\nx_total{a=\"b\"}\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("missing value");
        assertThatThrownBy(() -> PrometheusText.parse("x{a=\"b} 1\n"))
                .hasMessageContaining("line 1");
    }
}
