package org.yizhan.agent.gnss;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The station's position: reported when it moved 25 m or more (or ten minutes passed), and read from a GNSS
 * receiver's NMEA sentences on a real pseudo-terminal (a Python program writes what a receiver would).
 */
class GnssFeatureTest {

    private final Vertx vertx = Vertx.vertx();
    private Process talker;

    @AfterEach
    void close() throws Exception {
        if (talker != null) {
            talker.getOutputStream().close();
            talker.waitFor(10, TimeUnit.SECONDS);
            talker.destroyForcibly();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void reportsWhenTheStationMovedFarEnoughOrTenMinutesPassed() {
        AtomicInteger reports = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000_000);
        GnssFeature g = new GnssFeature(vertx, Optional.empty(), true, reports::incrementAndGet, now::get);
        assertThat(g.position()).isEmpty();
        g.fix(30.274100, 120.129000, OptionalDouble.of(3));
        assertThat(reports).hasValue(1);
        g.fix(30.274200, 120.129000, OptionalDouble.of(3));   // 11 m
        assertThat(reports).as("a parked station jitters").hasValue(1);
        assertThat(g.position().orElseThrow().lat()).isEqualTo(30.2742);
        g.fix(30.274350, 120.129000, OptionalDouble.of(3));   // 28 m from the one reported
        assertThat(reports).hasValue(2);
        now.addAndGet(GnssFeature.REPORT_EVERY_MILLIS);
        g.fix(30.274350, 120.129000, OptionalDouble.of(3));
        assertThat(reports).as("still there, said again after ten minutes").hasValue(3);
        assertThat(GnssFeature.metres(new org.yizhan.protocol.Telemetry.Position(30, 120, OptionalDouble.empty()),
                new org.yizhan.protocol.Telemetry.Position(31, 120, OptionalDouble.empty()))).isCloseTo(111_195, within(10.0));
    }

    @Test
    void readsAReceiverOnASerialLine() throws Exception {
        Path script = Path.of(GnssFeatureTest.class.getResource("/gnss/nmea_talker.py").toURI());
        talker = new ProcessBuilder("python3", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(talker.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
                }
            } catch (java.io.IOException e) {
                out.add("closed");
            }
        });
        reader.setDaemon(true);
        reader.start();
        String pty = out.poll(20, TimeUnit.SECONDS);
        assertThat(pty).startsWith("PTY ");
        AtomicInteger reports = new AtomicInteger();
        GnssFeature g = new GnssFeature(vertx, Optional.of(pty.substring(4) + ":9600"), false, reports::incrementAndGet,
                System::currentTimeMillis);
        vertx.runOnContext(v -> g.start());
        OutputStream send = talker.getOutputStream();
        // a receiver's first sentences: no fix yet, a corrupted one, then a fix with its error
        String[] lines = {
                NmeaTest.sentence("GNRMC,020300.00,V,,,,,,,071226,,,N"),
                "$GNRMC,020301.00,A,3016.4460,N,12007.7400,E,0.1,,071226,,,A*00",
                NmeaTest.sentence("GNGST,020302.00,1.2,,,,2.4,1.8,3.0"),
                NmeaTest.sentence("GNGGA,020302.00,3016.4460,N,12007.7400,E,1,12,0.7,12.0,M,7.0,M,,")};
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String l : lines) {
                send.write((l + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            send.flush();
            assertThat(g.position()).isPresent();
        });
        assertThat(g.position().orElseThrow().lat()).isCloseTo(30.2741, within(1e-6));
        assertThat(g.position().orElseThrow().lon()).isCloseTo(120.129, within(1e-6));
        assertThat(g.position().orElseThrow().accuracyM().getAsDouble()).isCloseTo(3.0, within(1e-9));
        assertThat(reports.get()).isEqualTo(1);
        g.stop();
    }
}
