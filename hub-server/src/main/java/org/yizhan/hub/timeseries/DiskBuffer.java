package org.yizhan.hub.timeseries;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Line-protocol records that could not be sent yet, on disk: an append-only file of records, one a line, and a
 * cursor saying how far they have been sent. Survives a restart of the hub.
 * <p>
 * In {@code dir}: {@code lines-<generation>.lp} and {@code cursor} ({@code "<generation> <offset>"}, replaced
 * atomically). When everything up to the end has been sent, or an append would pass the bound while a sent
 * prefix could be given back, the unsent tail is copied to the next generation's file, the cursor is switched to
 * it, and the old file deleted; a crash at any point leaves either the old or the new generation in force.
 * <p>
 * The file never exceeds {@code maxBytes}: records that do not fit are refused and counted by the caller.
 * A record cut short by a crash is dropped on opening ({@link #tornRecords}). One thread uses it; the
 * {@link #pendingLines} and {@link #pendingBytes} getters may be read from any thread.
 */
final class DiskBuffer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DiskBuffer.class);
    private static final String CURSOR = "cursor";

    private final Path dir;
    private final long maxBytes;
    private long generation;
    private FileChannel file;
    private long cursor;
    private long size;
    private volatile long pendingLines;
    private volatile long pendingBytes;
    private final int tornRecords;

    /** A run of records from the cursor on, and the offset just past them. */
    record Chunk(List<String> lines, long end) {
    }

    DiskBuffer(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(dir);
        long gen = 0;
        long offset = 0;
        Path cursorFile = dir.resolve(CURSOR);
        if (Files.exists(cursorFile)) {
            String[] parts = Files.readString(cursorFile, StandardCharsets.US_ASCII).trim().split(" ");
            try {
                gen = Long.parseLong(parts[0]);
                offset = Long.parseLong(parts[1]);
            } catch (RuntimeException e) {
                throw new IOException(cursorFile + ": not '<generation> <offset>'; remove the directory " + dir
                        + " to start with an empty time series buffer");
            }
        }
        generation = gen;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith("lines-") && !name.equals(fileName(gen)) || name.endsWith(".tmp")) {
                    Files.delete(p); // a generation the cursor never switched to, or one already replaced
                }
            }
        }
        file = FileChannel.open(dir.resolve(fileName(gen)), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        size = file.size();
        long whole = lastNewlineEnd(size);
        tornRecords = whole < size ? 1 : 0;
        if (whole < size) {
            file.truncate(whole);
            size = whole;
        }
        cursor = Math.min(offset, size);
        pendingBytes = size - cursor;
        pendingLines = countLines(cursor, size);
        if (pendingLines > 0) {
            LOG.info("Time series buffer holds {} records ({} bytes) not sent yet", pendingLines, pendingBytes);
        }
    }

    /** Records dropped on opening because a crash had cut them short (0 or 1). */
    int tornRecords() {
        return tornRecords;
    }

    long pendingLines() {
        return pendingLines;
    }

    long pendingBytes() {
        return pendingBytes;
    }

    boolean isEmpty() {
        return pendingLines == 0;
    }

    long maxBytes() {
        return maxBytes;
    }

    /**
     * Appends records in order until one does not fit under the bound; returns how many were refused (the rest of
     * the list from the first that did not fit). Records must not contain a newline.
     */
    int append(List<String> lines) throws IOException {
        byte[][] encoded = new byte[lines.size()][];
        long total = 0;
        for (int i = 0; i < lines.size(); i++) {
            encoded[i] = (lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8);
            total += encoded[i].length;
        }
        if (size + total > maxBytes && cursor > 0) {
            rotate();
        }
        int fit = 0;
        long bytes = 0;
        while (fit < encoded.length && size + bytes + encoded[fit].length <= maxBytes) {
            bytes += encoded[fit].length;
            fit++;
        }
        if (fit > 0) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE, bytes));
            for (int i = 0; i < fit; i++) {
                buf.put(encoded[i]);
            }
            buf.flip();
            long at = size;
            while (buf.hasRemaining()) {
                at += file.write(buf, at);
            }
            file.force(false);
            size = at;
            pendingBytes = size - cursor;
            pendingLines += fit;
        }
        return encoded.length - fit;
    }

    /** Up to {@code maxLines} records (and about {@code maxChunkBytes}) from the cursor on; empty when all are sent. */
    Chunk peek(int maxLines, int maxChunkBytes) throws IOException {
        List<String> lines = new ArrayList<>();
        long end = cursor;
        if (cursor >= size) {
            return new Chunk(lines, end);
        }
        int want = (int) Math.min(size - cursor, maxChunkBytes);
        ByteBuffer buf = ByteBuffer.allocate(want);
        while (buf.hasRemaining()) {
            if (file.read(buf, cursor + buf.position()) < 0) {
                break;
            }
        }
        byte[] bytes = buf.array();
        int start = 0;
        for (int i = 0; i < buf.position() && lines.size() < maxLines; i++) {
            if (bytes[i] == '\n') {
                lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (lines.isEmpty()) { // one record longer than the chunk: read it whole
            long nl = nextNewline(cursor);
            byte[] one = new byte[(int) (nl - cursor)];
            file.read(ByteBuffer.wrap(one), cursor);
            lines.add(new String(one, StandardCharsets.UTF_8));
            start = one.length + 1;
        }
        return new Chunk(lines, cursor + start);
    }

    /** Marks the chunk as sent; when everything is, starts a new empty generation. */
    void advance(Chunk chunk) throws IOException {
        cursor = chunk.end();
        pendingLines = Math.max(0, pendingLines - chunk.lines().size());
        pendingBytes = size - cursor;
        if (cursor >= size) {
            rotate();
        } else {
            writeCursor(generation, cursor);
        }
    }

    /** Copies the unsent tail to the next generation and switches the cursor to it. */
    private void rotate() throws IOException {
        long next = generation + 1;
        Path target = dir.resolve(fileName(next));
        FileChannel copy = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long done = 0;
            while (done < size - cursor) {
                done += file.transferTo(cursor + done, size - cursor - done, copy);
            }
            copy.force(true);
            writeCursor(next, 0);
        } catch (IOException | RuntimeException e) {
            copy.close();
            Files.deleteIfExists(target);
            throw e;
        }
        Path old = dir.resolve(fileName(generation));
        file.close();
        Files.deleteIfExists(old);
        file = copy;
        generation = next;
        size = size - cursor;
        cursor = 0;
        pendingBytes = size;
    }

    private void writeCursor(long gen, long offset) throws IOException {
        Path tmp = dir.resolve(CURSOR + ".tmp");
        Files.writeString(tmp, gen + " " + offset + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(CURSOR), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private long lastNewlineEnd(long end) throws IOException {
        long pos = end;
        ByteBuffer one = ByteBuffer.allocate(8192);
        while (pos > 0) {
            int n = (int) Math.min(one.capacity(), pos);
            one.clear().limit(n);
            file.read(one, pos - n);
            for (int i = n - 1; i >= 0; i--) {
                if (one.get(i) == '\n') {
                    return pos - n + i + 1;
                }
            }
            pos -= n;
        }
        return 0;
    }

    private long nextNewline(long from) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long pos = from;
        while (pos < size) {
            buf.clear();
            int n = file.read(buf, pos);
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    return pos + i;
                }
            }
            pos += n;
        }
        return size;
    }

    private long countLines(long from, long to) throws IOException {
        long lines = 0;
        file.position(from);
        InputStream in = Channels.newInputStream(file);
        byte[] buf = new byte[64 * 1024];
        long left = to - from;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    lines++;
                }
            }
            left -= n;
        }
        return lines;
    }

    private static String fileName(long gen) {
        return "lines-" + gen + ".lp";
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
