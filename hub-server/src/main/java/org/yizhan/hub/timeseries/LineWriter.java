package org.yizhan.hub.timeseries;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;

import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends line-protocol records to the store on one thread of its own, and keeps them in a {@link DiskBuffer} while
 * the store cannot take them. Callers (the event loop) only put records in a bounded queue and never wait.
 * <p>
 * Each second (or at once for {@link #flush}) the queued records are sent as one batch. When a send fails for a
 * reason that may pass (the store down or unreachable, a server error, a refused token), the batch goes to the disk
 * buffer, and so does everything after it until the buffer has been sent in order, in chunks, retried with a
 * backoff of 1 s doubling to 30 s. Records the store rejects as malformed (HTTP 400, 413, 422) are not retried.
 * <p>
 * Every record that is not stored is counted in {@code yizhan_timeseries_lost_points_total}: a full queue, a full
 * disk buffer, a rejected batch, or a record cut short in the buffer by a crash. What waits on disk is in
 * {@code yizhan_timeseries_buffered_points}/{@code _bytes}, and whether the last send worked in
 * {@code yizhan_timeseries_store_up}.
 */
final class LineWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LineWriter.class);
    static final int QUEUE = 20_000;
    static final int BATCH_LINES = 2_000;
    /** Records per batch into the embedded QuestDB: each batch is a commit, and each commit wakes its WAL apply. */
    static final int ENGINE_BATCH_LINES = 10_000;
    static final int CHUNK_LINES = 5_000;
    static final int CHUNK_BYTES = 1024 * 1024;
    static final long BATCH_MILLIS = 1_000;
    static final long MIN_BACKOFF_MILLIS = 1_000;
    static final long MAX_BACKOFF_MILLIS = 30_000;

    /**
     * Sends records to the store, blocking; throws {@link Rejected} when retrying cannot help. The list is the
     * writer's and is reused once {@code send} returns: a sender that keeps records copies them.
     */
    interface Sender {
        void send(List<String> lines) throws Exception;
    }

    /** The store refused the records themselves (malformed, too large): retrying cannot help. */
    static final class Rejected extends Exception {
        Rejected(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What an operator sees of the writer. */
    record Status(boolean storeUp, long bufferedPoints, long bufferedBytes, long bufferMaxBytes, long lostPoints) {
    }

    private sealed interface Item permits Lines, Flush, Wake {
    }

    /** Wakes a writer that waits for work, so it sees that it is closed. */
    private record Wake() implements Item {
    }

    private record Lines(List<String> lines) implements Item {
    }

    private record Flush(CompletableFuture<Void> done) implements Item {
    }

    private final String store;
    private final Sender sender;
    private final DiskBuffer buffer;
    private final HubMetrics metrics;
    private final int batchLines;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>(QUEUE);
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean storeUp = new AtomicBoolean(true);
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong lostLogged = new AtomicLong();
    private final Counter lostCounter;
    private final Counter queuedCounter;
    private final List<Meter> meters = new ArrayList<>();
    private long backoff = MIN_BACKOFF_MILLIS;
    private long nextAttempt;

    /** Starts the writer thread; {@code store} names the store in log lines. */
    LineWriter(String store, Sender sender, DiskBuffer buffer, HubMetrics metrics) {
        this(store, sender, buffer, metrics, BATCH_LINES);
    }

    /** As above, sending batches of up to {@code batchLines} records (or what a second brought). */
    LineWriter(String store, Sender sender, DiskBuffer buffer, HubMetrics metrics, int batchLines) {
        this.store = store;
        this.batchLines = batchLines;
        this.sender = sender;
        this.buffer = buffer;
        this.metrics = metrics;
        this.lostCounter = metrics.registry().counter("yizhan_timeseries_lost_points");
        this.queuedCounter = Counter.builder("yizhan_timeseries_points_queued")
                .description("Time series points handed to the writer (then stored, buffered on disk, or lost)")
                .register(metrics.registry());
        meters.add(Gauge.builder("yizhan_timeseries_buffered_points", buffer, DiskBuffer::pendingLines)
                .description("Time series points waiting on disk because the store could not take them")
                .register(metrics.registry()));
        meters.add(Gauge.builder("yizhan_timeseries_buffered_bytes", buffer, DiskBuffer::pendingBytes)
                .description("Bytes of line protocol waiting on disk").register(metrics.registry()));
        meters.add(Gauge.builder("yizhan_timeseries_store_up", storeUp, b -> b.get() ? 1 : 0)
                .description("1 when the last write to the time series store worked").register(metrics.registry()));
        if (buffer.tornRecords() > 0) {
            lose(buffer.tornRecords(), "a crash cut it short in the buffer");
        }
        storeUp.set(buffer.isEmpty());
        this.thread = new Thread(this::run, "yizhan-timeseries-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues records to send; never blocks. Counted as lost when the queue is full or the writer closed. */
    void offer(List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        if (closed.get()) {
            lose(lines.size(), "the time series is closed");
        } else if (!queue.offer(new Lines(lines))) {
            lose(lines.size(), "the write queue is full");
        } else {
            queuedCounter.increment(lines.size());
        }
    }

    /**
     * Completes when every record queued before it has been stored (or counted lost); fails when the store cannot
     * be reached now, saying how many records wait on disk.
     */
    CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed.get()) {
            done.completeExceptionally(new IllegalStateException("the time series is closed"));
        } else if (!queue.offer(new Flush(done))) {
            done.completeExceptionally(new IllegalStateException("time series flush: the write queue is full"));
        }
        return done;
    }

    Status status() {
        return new Status(storeUp.get(), buffer.pendingLines(), buffer.pendingBytes(), buffer.maxBytes(), lost.get());
    }

    private void run() {
        LineBatch batch = new LineBatch();
        List<Flush> flushes = new ArrayList<>();
        long batchStarted = 0;
        while (true) {
            try {
                boolean stopping = closed.get();
                Item item = stopping ? queue.poll() : queue.poll(waitMillis(batch, batchStarted), TimeUnit.MILLISECONDS);
                while (item != null) {
                    if (item instanceof Lines l) {
                        if (batch.isEmpty()) {
                            batchStarted = System.currentTimeMillis();
                        }
                        batch.addAll(l.lines());
                    } else if (item instanceof Flush f) {
                        flushes.add(f);
                        break; // what came before the flush is what it waits for
                    }
                    if (batch.size() >= batchLines) {
                        break;
                    }
                    item = queue.poll();
                }
                long now = System.currentTimeMillis();
                boolean urgent = !flushes.isEmpty() || stopping;
                if (!batch.isEmpty() && (urgent || batch.size() >= batchLines || now - batchStarted >= BATCH_MILLIS)) {
                    write(batch);
                    batch.clear();
                }
                if (!buffer.isEmpty() && (urgent && !stopping || now >= nextAttempt)) {
                    drain();
                }
                for (Flush f : flushes) {
                    if (buffer.isEmpty()) {
                        f.done().complete(null);
                    } else {
                        f.done().completeExceptionally(new IllegalStateException("the time series store (" + store
                                + ") cannot be reached; " + buffer.pendingLines() + " points wait on disk"));
                    }
                }
                flushes.clear();
                if (stopping && queue.isEmpty() && batch.isEmpty()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.error("Time series writer: {}", e.toString(), e);
            }
        }
    }

    /**
     * How long the writer may wait for the next record: until the open batch is due, or until the next attempt
     * at the disk buffer, or (nothing to do) until woken by a record, a flush or {@link #close}. An idle hub's
     * writer thread so sleeps instead of waking ten times a second.
     */
    private long waitMillis(List<String> batch, long batchStarted) {
        long now = System.currentTimeMillis();
        long wait = Long.MAX_VALUE;
        if (!batch.isEmpty()) {
            wait = batchStarted + BATCH_MILLIS - now;
        }
        if (!buffer.isEmpty()) {
            wait = Math.min(wait, Math.max(10, nextAttempt - now)); // never a busy loop on a buffer it cannot read
        }
        return Math.max(0, wait);
    }

    /** Sends a batch straight away when nothing waits on disk, else (or when that fails) appends it there. */
    private void write(List<String> batch) {
        if (buffer.isEmpty()) {
            try {
                sender.send(batch);
                up();
                return;
            } catch (Rejected e) {
                metrics.timeSeriesWriteError();
                lose(batch.size(), "the store rejected them: " + e.getMessage());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                down(e);
            }
        }
        toDisk(batch);
    }

    private void toDisk(List<String> lines) {
        try {
            int refused = buffer.append(lines);
            if (refused > 0) {
                lose(refused, "the time series buffer is full (" + buffer.maxBytes() + " bytes, ts-buffer-max-bytes)");
            }
        } catch (IOException e) {
            lose(lines.size(), "the time series buffer cannot be written: " + e.getMessage());
        }
    }

    /** Sends the buffer in chunks, in order, until it is empty or a send fails; new records go to disk between chunks. */
    private void drain() {
        try {
            while (!buffer.isEmpty()) {
                spoolQueued();
                DiskBuffer.Chunk chunk = buffer.peek(CHUNK_LINES, CHUNK_BYTES);
                if (chunk.lines().isEmpty()) {
                    return;
                }
                try {
                    sender.send(chunk.lines());
                } catch (Rejected e) {
                    metrics.timeSeriesWriteError();
                    lose(chunk.lines().size(), "the store rejected them: " + e.getMessage());
                }
                buffer.advance(chunk);
                up();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.error("Time series buffer cannot be read: {}", e.toString());
            nextAttempt = System.currentTimeMillis() + MAX_BACKOFF_MILLIS;
        } catch (Exception e) {
            down(e);
        }
    }

    /** Moves what is queued (records only; flushes stay queued) to the disk buffer, so a long drain drops nothing. */
    private void spoolQueued() {
        List<String> lines = new ArrayList<>();
        for (Item i = queue.peek(); i instanceof Lines l; i = queue.peek()) {
            queue.poll();
            lines.addAll(l.lines());
        }
        if (!lines.isEmpty()) {
            toDisk(lines);
        }
    }

    private void up() {
        backoff = MIN_BACKOFF_MILLIS;
        nextAttempt = 0;
        if (storeUp.compareAndSet(false, true)) {
            LOG.info("Time series store ({}) reachable again; buffer sent", store);
        }
    }

    private void down(Exception e) {
        metrics.timeSeriesWriteError();
        nextAttempt = System.currentTimeMillis() + backoff;
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        if (storeUp.compareAndSet(true, false)) {
            LOG.warn("Time series store ({}) cannot take writes, buffering on disk (up to {} bytes): {}", store,
                    buffer.maxBytes(), e.toString());
        } else {
            LOG.debug("Time series store ({}) still unreachable: {}", store, e.toString());
        }
    }

    private void lose(int n, String why) {
        lost.addAndGet(n);
        lostCounter.increment(n);
        long times = lostLogged.incrementAndGet();
        if (Long.bitCount(times) == 1) { // 1st, 2nd, 4th, 8th, ...
            LOG.warn("{} time series points lost because {} ({} losses so far, {} points in all)", n, why, times,
                    lost.get());
        }
    }

    /** Stops taking records, sends or buffers what is queued (waiting at most {@code waitMillis}), closes the buffer. */
    void close(long waitMillis) throws InterruptedException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        queue.offer(new Wake()); // when the queue is full, the writer is busy and sees the flag on its next round
        thread.join(waitMillis);
        if (thread.isAlive()) {
            LOG.warn("Time series writer still busy after {} ms; queued points stay unsent", waitMillis);
            thread.interrupt();
            thread.join(waitMillis);
        }
        meters.forEach(metrics.registry()::remove);
        try {
            buffer.close();
        } catch (IOException e) {
            LOG.warn("Closing the time series buffer failed: {}", e.toString());
        }
    }

    /**
     * The open batch: its records' text in one reused buffer, each record cut out again ({@link #get}) only when the
     * batch is sent. The queue's record strings then die young, where a list of them lived up to a batch time
     * (a second), past a young collection, and was promoted to die in the old generation (bench/RESULTS.md).
     */
    static final class LineBatch extends AbstractList<String> implements RandomAccess {

        /** A buffer grown past this (a burst) is let go when the batch is cleared. */
        static final int KEEP_CHARS = 4 << 20;

        private StringBuilder text = new StringBuilder(4096);
        /** Where each record ends in {@link #text}. */
        private int[] ends = new int[1024];
        private int size;

        @Override
        public boolean add(String line) {
            text.append(line);
            if (size == ends.length) {
                ends = Arrays.copyOf(ends, size * 2);
            }
            ends[size++] = text.length();
            modCount++;
            return true;
        }

        @Override
        public String get(int index) {
            Objects.checkIndex(index, size);
            return text.substring(index == 0 ? 0 : ends[index - 1], ends[index]);
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public void clear() {
            size = 0;
            modCount++;
            if (text.capacity() > KEEP_CHARS) {
                text = new StringBuilder(4096);
            } else {
                text.setLength(0);
            }
        }
    }
}
