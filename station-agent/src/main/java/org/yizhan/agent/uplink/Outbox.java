package org.yizhan.agent.uplink;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.Ulid;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The durable outbox: every event is committed to the {@link OutboxStore} (an SQLite file on the station) before
 * it is sent, and deleted only once acknowledged (the hub's {@code .../events/ack}, or its PUBACK without
 * {@code mqtt.eventAcks}). Events are numbered by a local sequence as they arrive and sent in that order, never by
 * their time-based id: a clock that steps back does not hold events back.
 * <p>
 * Bounded ({@link StationConfig.OutboxLimits}): at {@code maxEvents} or {@code maxBytes} the oldest evictable event
 * (anything but access, door, smoke, charger safety and fault, and outbox alarms) makes room; with none left the new
 * event is refused. When a write fails (a full SD card: {@code SQLITE_FULL}), the events wait in memory, in order,
 * within {@code memoryEvents}/{@code memoryBytes} (the same rule makes room there), are sent from there, and are
 * written as soon as a retry (1 s doubling to 10 s) succeeds; events acknowledged meanwhile are never written.
 * Neither ever happens silently: it is counted, logged, shown in {@link #status()} and reported to the hub as an
 * {@code outbox.alarm} event, which no limit refuses. Nobody waits on the disk for it: callers get a future.
 * <p>
 * All state is kept by the outbox's single worker thread, in call order; the counters are read from anywhere.
 */
public final class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final long RETRY_MIN_MS = 1_000;
    private static final long RETRY_MAX_MS = 10_000;
    /** While events keep being evicted or refused, the hub hears of it again at most this often. */
    private static final long CAP_ALARM_REPEAT_MS = 60_000;
    /** A cap alarm clears once the outbox is below this share of both of its limits. */
    private static final double CAP_CLEAR_SHARE = 0.9;

    private final Vertx vertx;
    private final OutboxStore store;
    private final String name;
    private final StationConfig.OutboxLimits limits;
    private final LongSupplier clock;
    private WorkerExecutor worker;
    private Context context;
    private Runnable addedHandler = () -> { };

    // worker-only state
    private long lastSeq;
    /** Accepted, not yet on disk, in sequence order (all newer than every stored row). */
    private final ArrayDeque<OutboxStore.Row> held = new ArrayDeque<>();
    /** Acknowledged, but their rows could not be deleted yet. */
    private final Set<String> undeleted = new HashSet<>();
    private long retryDelay = RETRY_MIN_MS;
    private boolean retryScheduled;
    private boolean capAlarm;
    private boolean capAlarmDue;
    private long capAlarmAt;
    private long diskRows;
    private long diskBytes;

    // read from anywhere
    private volatile int size;
    private volatile long bytes;
    private volatile int heldCount;
    private volatile long heldBytes;
    private volatile long evicted;
    private volatile long refused;
    private volatile Optional<String> writeError = Optional.empty();

    /** An outbox on an SQLite file with the default limits. */
    public Outbox(Vertx vertx, Path file) {
        this(vertx, file, StationConfig.OutboxLimits.DEFAULTS);
    }

    public Outbox(Vertx vertx, Path file, StationConfig.OutboxLimits limits) {
        this(vertx, new SqliteOutboxStore(file), file.toAbsolutePath().toString(), limits, System::currentTimeMillis);
    }

    /** @param name names the outbox's worker thread (one per outbox, e.g. its file) */
    public Outbox(Vertx vertx, OutboxStore store, String name, StationConfig.OutboxLimits limits, LongSupplier clock) {
        this.vertx = vertx;
        this.store = store;
        this.name = name;
        this.limits = limits;
        this.clock = clock;
    }

    /** Runs on the context that opened the outbox whenever the outbox added an event of its own (an alarm). */
    public Outbox addedHandler(Runnable handler) {
        this.addedHandler = handler;
        return this;
    }

    public Future<Void> open() {
        context = vertx.getOrCreateContext();
        worker = vertx.createSharedWorkerExecutor("yizhan-outbox-" + name, 1);
        return worker.executeBlocking(() -> {
            OutboxStore.Contents c = store.open();
            lastSeq = c.lastSeq();
            diskRows = c.rows();
            diskBytes = c.bytes();
            publishCounts();
            LOG.info("Outbox {} opened with {} pending events ({} bytes; limits {} events, {} bytes)", name, c.rows(),
                    c.bytes(), limits.maxEvents(), limits.maxBytes());
            return null;
        });
    }

    /**
     * Takes the event: the future completes once it is on disk or, when the disk cannot take it, held in memory to be
     * written later; it fails only when the limits refused the event (counted and reported).
     */
    public Future<Void> append(Event e) {
        return worker.executeBlocking(() -> {
            if (!admit(e, false)) {
                throw new OutboxFullException("the outbox is full (" + limits.maxEvents() + " events, "
                        + limits.maxBytes() + " bytes) with events that may not be evicted; event " + e.id() + " ("
                        + e.type() + ") refused");
            }
            if (writeError.isEmpty()) {
                flush();
            }
            return null;
        });
    }

    /**
     * Up to {@code limit} pending events numbered above {@code afterSeq} (0 for all), in sequence order: the stored
     * ones, then those waiting in memory for the disk.
     */
    public Future<List<OutboxStore.Row>> after(long afterSeq, int limit) {
        return worker.executeBlocking(() -> {
            List<OutboxStore.Row> list = new ArrayList<>();
            for (OutboxStore.Row r : store.after(afterSeq, limit)) {
                if (!undeleted.contains(r.event().id())) {
                    list.add(r);
                }
            }
            for (OutboxStore.Row r : held) {
                if (list.size() >= limit) {
                    break;
                }
                if (r.seq() > afterSeq) {
                    list.add(r);
                }
            }
            return list;
        });
    }

    /** Deletes acknowledged events (those still in memory are never written). */
    public Future<Void> delete(List<String> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture();
        }
        return worker.executeBlocking(() -> {
            Set<String> rest = new HashSet<>(ids);
            for (Iterator<OutboxStore.Row> it = held.iterator(); it.hasNext(); ) {
                OutboxStore.Row r = it.next();
                if (rest.remove(r.event().id())) {
                    it.remove();
                }
            }
            undeleted.addAll(rest);
            publishCounts();
            if (writeError.isEmpty()) {
                flush();
            }
            clearCapAlarm();
            return null;
        });
    }

    /** Pending events (stored or held in memory, not yet acknowledged). */
    public int size() {
        return size;
    }

    /** What {@code /status} shows of the outbox. */
    public JsonObject status() {
        return new JsonObject().put("pending", size).put("bytes", bytes).put("inMemory", heldCount)
                .put("inMemoryBytes", heldBytes).put("writable", writeError.isEmpty())
                .put("writeError", writeError.orElse(null)).put("evicted", evicted).put("refused", refused)
                .put("maxEvents", limits.maxEvents()).put("maxBytes", limits.maxBytes());
    }

    /** Events evicted at the limits since the agent started. */
    public long evicted() {
        return evicted;
    }

    /** Events refused at the limits since the agent started. */
    public long refused() {
        return refused;
    }

    /** Whether the last write to the store failed (events then wait in memory). */
    public Optional<String> writeError() {
        return writeError;
    }

    public Future<Void> close() {
        if (worker == null) {
            return Future.succeededFuture();
        }
        WorkerExecutor w = worker;
        Future<Void> closed = w.executeBlocking(() -> {
            if (!held.isEmpty()) {
                flush();
                if (!held.isEmpty()) {
                    LOG.error("Outbox {} closes with {} events it could not write ({}); they are lost", name,
                            held.size(), writeError.orElse("?"));
                }
            }
            store.close();
            return null;
        });
        return closed.eventually(() -> w.close());
    }

    /** Whether an event of this type may be evicted at the limits: not access, door, safety or outbox events. */
    public static boolean evictable(String type) {
        return !(type.startsWith("access.") || type.startsWith("door.") || type.startsWith("smoke.")
                || type.startsWith("outbox.") || type.equals(EventType.CHARGER_SAFETY_CUTOFF)
                || type.equals(EventType.CHARGER_FAULT));
    }

    // ---- on the worker ---------------------------------------------------------------------------------------

    /** Numbers the event and queues it for writing, making room within the limits; false when refused. */
    private boolean admit(Event e, boolean alarm) {
        int b = e.encodedBytes();
        boolean evictable = evictable(e.type());
        while (!alarm) {
            boolean overDisk = size + 1 > limits.maxEvents() || bytes + b > limits.maxBytes();
            boolean overMemory = writeError.isPresent()
                    && (held.size() + 1 > limits.memoryEvents() || heldBytes + b > limits.memoryBytes());
            if (!overDisk && !overMemory) {
                break;
            }
            if (!evictOne(overDisk)) {
                refused++;
                LOG.error("Outbox {} is full and holds only events that may not be evicted: {} ({}) refused "
                        + "({} refused so far)", name, e.id(), e.type(), refused);
                capAlarmDue = false;
                capAlarm(clock.getAsLong());
                return false;
            }
        }
        lastSeq++;
        held.addLast(new OutboxStore.Row(lastSeq, e, b, evictable));
        publishCounts();
        if (capAlarmDue) {
            // after the event it made room for: an alarm is never what makes the room short
            capAlarmDue = false;
            capAlarm(clock.getAsLong());
        }
        return true;
    }

    /**
     * Evicts the oldest evictable event, false when there is none: with {@code fromStore} (the outbox's own limits)
     * from the store first (those are older), else (the memory limits) from memory only.
     */
    private boolean evictOne(boolean fromStore) {
        Optional<OutboxStore.Row> gone = Optional.empty();
        if (fromStore) {
            try {
                gone = store.evictOldest();
                gone.ifPresent(r -> {
                    diskRows--;
                    diskBytes -= r.bytes();
                });
            } catch (SQLException ex) {
                LOG.debug("Evicting from the store failed: {}", ex.toString());
            }
        }
        if (gone.isEmpty()) {
            for (Iterator<OutboxStore.Row> it = held.iterator(); it.hasNext(); ) {
                OutboxStore.Row r = it.next();
                if (r.evictable()) {
                    it.remove();
                    gone = Optional.of(r);
                    break;
                }
            }
        }
        if (gone.isEmpty()) {
            return false;
        }
        evicted++;
        Event e = gone.get().event();
        LOG.warn("Outbox {} at its limits: evicted the oldest evictable event {} ({}, {} evicted so far)", name,
                e.id(), e.type(), evicted);
        publishCounts();
        capAlarmDue = true;
        return true;
    }

    /** Writes what waits in memory, in order, after deleting what waits to be deleted. */
    private void flush() {
        if (held.isEmpty() && undeleted.isEmpty() && writeError.isEmpty()) {
            return;
        }
        try {
            if (!undeleted.isEmpty()) {
                OutboxStore.Removed r = store.delete(undeleted);
                undeleted.clear();
                diskRows -= r.rows();
                diskBytes -= r.bytes();
            }
            int written = held.size();
            List<OutboxStore.Row> rows = new ArrayList<>(held);
            if (rows.isEmpty()) {
                // the hub took everything that waited in memory; is the disk back?
                store.probe();
            } else {
                store.insert(rows);
            }
            held.clear();
            for (OutboxStore.Row r : rows) {
                diskRows++;
                diskBytes += r.bytes();
            }
            publishCounts();
            if (writeError.isPresent()) {
                LOG.info("Outbox {} can write again: {} events kept in memory are now on disk", name, written);
                writeError = Optional.empty();
                retryDelay = RETRY_MIN_MS;
                alarm(new JsonObject().put("active", false).put("cause", "disk").put("written", written));
                flush();
            }
        } catch (SQLException ex) {
            boolean first = writeError.isEmpty();
            writeError = Optional.of(describe(ex));
            publishCounts();
            if (first) {
                LOG.error("Outbox {} cannot write ({}); {} events wait in memory (at most {}) and are still sent", name,
                        writeError.get(), held.size(), limits.memoryEvents());
                alarm(new JsonObject().put("active", true).put("cause", "disk").put("error", writeError.get())
                        .put("inMemory", held.size()));
            }
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        if (retryScheduled) {
            return;
        }
        retryScheduled = true;
        long delay = retryDelay;
        retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
        vertx.setTimer(delay, t -> worker.executeBlocking(() -> {
            retryScheduled = false;
            flush();
            return null;
        }));
    }

    /** Tells the hub the limits are evicting or refusing events: when that starts, then at most once a minute. */
    private void capAlarm(long now) {
        if (capAlarm && now - capAlarmAt < CAP_ALARM_REPEAT_MS && now >= capAlarmAt) {
            return;
        }
        capAlarm = true;
        capAlarmAt = now;
        alarm(new JsonObject().put("active", true).put("cause", "cap").put("evicted", evicted).put("refused", refused)
                .put("pending", size).put("maxEvents", limits.maxEvents()).put("maxBytes", limits.maxBytes()));
    }

    private void clearCapAlarm() {
        if (capAlarm && size < limits.maxEvents() * CAP_CLEAR_SHARE && bytes < limits.maxBytes() * CAP_CLEAR_SHARE) {
            capAlarm = false;
            LOG.info("Outbox {} is below its limits again ({} evicted, {} refused since start)", name, evicted, refused);
            alarm(new JsonObject().put("active", false).put("cause", "cap").put("evicted", evicted)
                    .put("refused", refused));
        }
    }

    /** Queues an {@code outbox.alarm} (no limit refuses it) and lets the sender know. */
    private void alarm(JsonObject data) {
        long now = clock.getAsLong();
        admit(new Event(Ulid.next(Math.max(0, now)), now, EventType.OUTBOX_ALARM, data), true);
        if (writeError.isEmpty()) {
            flush();
        }
        Runnable h = addedHandler;
        context.runOnContext(v -> h.run());
    }

    private void publishCounts() {
        heldCount = held.size();
        long hb = 0;
        for (OutboxStore.Row r : held) {
            hb += r.bytes();
        }
        heldBytes = hb;
        size = (int) (diskRows + held.size());
        bytes = diskBytes + hb;
    }

    /** What went wrong, in plain words; a full disk says so. */
    static String describe(SQLException e) {
        if (diskFull(e)) {
            return "disk full: " + e.getMessage();
        }
        return e.toString();
    }

    /** What SQLite (and the system under it) say when the disk is full. */
    static boolean diskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException s && (s.getResultCode() == SQLiteErrorCode.SQLITE_FULL
                    || s.getErrorCode() == SQLiteErrorCode.SQLITE_FULL.code)) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("database or disk is full"))) {
                return true;
            }
        }
        return false;
    }

    /** The limits refused an event. */
    public static final class OutboxFullException extends Exception {
        OutboxFullException(String message) {
            super(message);
        }
    }
}
