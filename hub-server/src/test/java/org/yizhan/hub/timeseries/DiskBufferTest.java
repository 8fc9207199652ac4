package org.yizhan.hub.timeseries;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The on-disk buffer of unsent line-protocol records, on real files. */
class DiskBufferTest {

    @TempDir
    Path dir;

    @Test
    void givesBackRecordsInOrderInChunksAndEmptiesWhenAllAreSent() throws Exception {
        try (DiskBuffer b = new DiskBuffer(dir, 1 << 20)) {
            assertThat(b.isEmpty()).isTrue();
            assertThat(b.append(List.of("m v=1i 1", "m v=2i 2", "m v=3i 3"))).isZero();
            assertThat(b.pendingLines()).isEqualTo(3);
            assertThat(b.pendingBytes()).isEqualTo(27);
            DiskBuffer.Chunk first = b.peek(2, 1 << 20);
            assertThat(first.lines()).containsExactly("m v=1i 1", "m v=2i 2");
            assertThat(b.peek(2, 1 << 20).lines()).as("peek does not move the cursor").isEqualTo(first.lines());
            b.advance(first);
            assertThat(b.pendingLines()).isEqualTo(1);
            DiskBuffer.Chunk rest = b.peek(10, 1 << 20);
            assertThat(rest.lines()).containsExactly("m v=3i 3");
            b.advance(rest);
            assertThat(b.isEmpty()).isTrue();
            assertThat(b.pendingBytes()).isZero();
            assertThat(b.peek(10, 1 << 20).lines()).isEmpty();
        }
        assertThat(sizeOfRecords()).as("sent records give their disk back").isZero();
    }

    @Test
    void survivesARestartWithTheCursorWhereItWas() throws Exception {
        try (DiskBuffer b = new DiskBuffer(dir, 1 << 20)) {
            b.append(List.of("a x=1i 1", "b x=2i 2", "c x=3i 3"));
            b.advance(b.peek(1, 1 << 20));
        }
        try (DiskBuffer b = new DiskBuffer(dir, 1 << 20)) {
            assertThat(b.pendingLines()).isEqualTo(2);
            assertThat(b.tornRecords()).isZero();
            assertThat(b.peek(10, 1 << 20).lines()).containsExactly("b x=2i 2", "c x=3i 3");
        }
    }

    @Test
    void dropsARecordACrashCutShortAndCountsIt() throws Exception {
        try (DiskBuffer b = new DiskBuffer(dir, 1 << 20)) {
            b.append(List.of("a x=1i 1", "b x=2i 2"));
        }
        Files.writeString(records(), "c x=3", StandardOpenOption.APPEND); // no newline: the process died mid-write
        try (DiskBuffer b = new DiskBuffer(dir, 1 << 20)) {
            assertThat(b.tornRecords()).isEqualTo(1);
            assertThat(b.pendingLines()).isEqualTo(2);
            assertThat(b.peek(10, 1 << 20).lines()).containsExactly("a x=1i 1", "b x=2i 2");
            b.append(List.of("d x=4i 4"));
            assertThat(b.peek(10, 1 << 20).lines()).containsExactly("a x=1i 1", "b x=2i 2", "d x=4i 4");
        }
    }

    @Test
    void neverGrowsPastItsBoundAndSaysHowManyRecordsDidNotFit() throws Exception {
        try (DiskBuffer b = new DiskBuffer(dir, 40)) {
            assertThat(b.append(List.of("m v=1i 1", "m v=2i 2", "m v=3i 3"))).isZero(); // 27 bytes
            assertThat(b.append(List.of("m v=4i 4", "m v=5i 5"))).as("only one more fits in 40 bytes").isEqualTo(1);
            assertThat(b.pendingLines()).isEqualTo(4);
            assertThat(b.pendingBytes()).isEqualTo(36);
            // once some are sent, their room is given back to new records
            b.advance(b.peek(2, 1 << 20));
            assertThat(b.append(List.of("m v=6i 6", "m v=7i 7"))).isZero();
            assertThat(sizeOfRecords()).isLessThanOrEqualTo(40);
            assertThat(b.peek(10, 1 << 20).lines()).containsExactly("m v=3i 3", "m v=4i 4", "m v=6i 6", "m v=7i 7");
        }
        try (DiskBuffer b = new DiskBuffer(dir, 40)) {
            assertThat(b.peek(10, 1 << 20).lines()).as("after compaction, across a restart")
                    .containsExactly("m v=3i 3", "m v=4i 4", "m v=6i 6", "m v=7i 7");
        }
    }

    @Test
    void readsARecordLongerThanTheChunkWhole() throws Exception {
        String longLine = "m s=\"" + "x".repeat(300) + "\" 1";
        try (DiskBuffer b = new DiskBuffer(dir, 1 << 20)) {
            b.append(List.of(longLine, "m v=2i 2"));
            DiskBuffer.Chunk c = b.peek(10, 64);
            assertThat(c.lines()).containsExactly(longLine);
            b.advance(c);
            assertThat(b.peek(10, 64).lines()).containsExactly("m v=2i 2");
        }
    }

    @Test
    void keepsUtf8AndManyRecordsIntact() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            lines.add("occupancy,station=站-" + i + " count=" + i + "i " + i);
        }
        try (DiskBuffer b = new DiskBuffer(dir, 1 << 24)) {
            b.append(lines);
            List<String> back = new ArrayList<>();
            while (!b.isEmpty()) {
                DiskBuffer.Chunk c = b.peek(777, 10_000);
                back.addAll(c.lines());
                b.advance(c);
            }
            assertThat(back).isEqualTo(lines);
        }
    }

    @Test
    void refusesAGarbledCursorFileNamingWhatToDo() throws Exception {
        Files.writeString(dir.resolve("cursor"), "garbage", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new DiskBuffer(dir, 1 << 20)).hasMessageContaining("cursor")
                .hasMessageContaining("remove the directory");
    }

    private Path records() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("lines-")).findFirst().orElseThrow();
        }
    }

    private long sizeOfRecords() throws Exception {
        return Files.size(records());
    }
}
