package org.yizhan.hub.timeseries;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.hub.metrics.HubMetrics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The writer's waiting: it sleeps while there is nothing to do (no periodic wake-ups on an idle hub), yet sends a
 * record within the batch time, answers a flush at once, and closes at once. The sender here is the writer's own
 * seam (what QuestDB or InfluxDB would receive), kept in a list; the disk buffer is real.
 */
class LineWriterTest {

    @TempDir
    Path dir;

    private final List<String> sent = new CopyOnWriteArrayList<>();

    private LineWriter writer() throws Exception {
        return new LineWriter("test store", sent::addAll, new DiskBuffer(dir, 1 << 20), new HubMetrics());
    }

    /** Until the (one live) writer thread is parked in its wait for work. */
    private static void awaitWriterWaiting() {
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("yizhan-timeseries-writer")
                        && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)));
    }

    @Test
    void aRecordOfferedToAnIdleWriterIsSentWithinTheBatchTime() throws Exception {
        LineWriter w = writer();
        try {
            awaitWriterWaiting();
            long t0 = System.nanoTime();
            w.offer(List.of("m v=1i 1"));
            await().atMost(Duration.ofMillis(LineWriter.BATCH_MILLIS + 2_000)).until(() -> sent.size() == 1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                    .as("sent when its batch was due, not at some later wake-up")
                    .isLessThan(LineWriter.BATCH_MILLIS + 1_500);
            w.offer(List.of("m v=2i 2"));
            await().atMost(Duration.ofMillis(LineWriter.BATCH_MILLIS + 2_000)).until(() -> sent.size() == 2);
            assertThat(sent).containsExactly("m v=1i 1", "m v=2i 2");
        } finally {
            w.close(5_000);
        }
    }

    @Test
    void aFlushIsAnsweredAtOnceWithWhatCameBeforeIt() throws Exception {
        LineWriter w = writer();
        try {
            w.offer(List.of("m v=1i 1"));
            w.flush().get(LineWriter.BATCH_MILLIS / 2, TimeUnit.MILLISECONDS);
            assertThat(sent).containsExactly("m v=1i 1");
        } finally {
            w.close(5_000);
        }
    }

    @Test
    void anIdleWriterClosesAtOnceAndSendsWhatWasQueued() throws Exception {
        LineWriter w = writer();
        w.offer(List.of("m v=1i 1"));
        w.flush().get(5, TimeUnit.SECONDS);
        awaitWriterWaiting(); // now idle: the writer waits without a deadline until something wakes it
        w.offer(List.of("m v=2i 2"));
        long t0 = System.nanoTime();
        w.close(10_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("closing does not wait out a timeout")
                .isLessThan(3_000);
        assertThat(sent).containsExactly("m v=1i 1", "m v=2i 2");
    }

    @Test
    void closingAWriterThatNeverHadWorkDoesNotWait() throws Exception {
        LineWriter w = writer();
        awaitWriterWaiting();
        long t0 = System.nanoTime();
        w.close(10_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3_000);
        assertThat(sent).isEmpty();
    }

    @Test
    void theBatchGivesBackEveryRecordAsAddedThroughGrowthAndClearing() {
        LineWriter.LineBatch batch = new LineWriter.LineBatch();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) { // past the first offsets array and text buffer
            String line = i % 7 == 0 ? "" : i % 5 == 0 ? "occupancy,station=文三路驿站 count=" + i + "i " + i
                    : "m v=" + i + "i " + i;
            batch.add(line);
            expected.add(line);
        }
        assertThat(batch).hasSize(3_000).containsExactlyElementsOf(expected);
        assertThat(batch.get(0)).isEmpty();
        assertThat(batch.get(5)).isEqualTo("occupancy,station=文三路驿站 count=5i 5");
        assertThat(batch.get(2_999)).isEqualTo(expected.get(2_999));
        assertThatThrownBy(() -> batch.get(3_000))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> batch.get(-1))
                .isInstanceOf(IndexOutOfBoundsException.class);

        batch.clear();
        assertThat(batch).isEmpty();
        assertThatThrownBy(() -> batch.get(0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        batch.addAll(List.of("a x=1i 1", "b y=2i 2"));
        assertThat(batch).containsExactly("a x=1i 1", "b y=2i 2");

        batch.clear();
        String big = "m s=\"" + "x".repeat(LineWriter.LineBatch.KEEP_CHARS) + "\" 1";
        batch.add(big);
        assertThat(batch.get(0)).isEqualTo(big);
        batch.clear(); // a burst's buffer is let go; the batch still works
        batch.add("m v=1i 1");
        assertThat(batch).containsExactly("m v=1i 1");
    }

    @Test
    void manyBatchesReachTheSenderInOrderAndWhole() throws Exception {
        LineWriter w = new LineWriter("test store", sent::addAll, new DiskBuffer(dir, 1 << 20), new HubMetrics(), 100);
        try {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                List<String> lines = List.of("m,station=st-" + i + " v=" + i + "i " + i,
                        "n,station=驿站 w=" + i + "i " + i);
                expected.addAll(lines);
                w.offer(lines);
            }
            w.flush().get(10, TimeUnit.SECONDS);
            assertThat(sent).containsExactlyElementsOf(expected);
        } finally {
            w.close(5_000);
        }
    }
}
