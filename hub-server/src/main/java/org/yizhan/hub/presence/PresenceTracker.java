package org.yizhan.hub.presence;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.Lease;
import org.yizhan.hub.db.Rows;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.timeseries.TimeSeries;
import org.yizhan.protocol.Reconnect;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Decides whether each station is online, offline or unknown, and acts on changes: writes
 * {@code stations.presence_*}, the {@code presence.online} time series, a live {@code presence} message, and
 * opens or closes the station's {@code offline} alert (closing it with {@code outageMillis}).
 *
 * <p>A station goes offline when its will applies (its connection dropped without DISCONNECT, or a
 * {@code state} message with {@code online:false} arrived from its current or a newer session), when it
 * disconnects cleanly (reason {@code shutdown}), or when nothing arrived for 3 x its heartbeat interval
 * (reason {@code silent}, the backstop for half-open links). Any message brings it back online.
 *
 * <p>Alerts: a lost or silent station raises its alert at once; a clean shutdown shows the station offline
 * at once but raises the alert only if it is not back within 3 x heartbeat, so a planned agent restart does
 * not page anyone. During the start-up grace after a hub start no alert is raised and stations that have not
 * reconnected yet are not judged; after it, stations still not heard from are flagged offline. The grace lasts
 * while stations are still coming back ({@link #RECONNECT_QUIET_MILLIS} after the latest, at most
 * {@link #MAX_GRACE_MILLIS}), so a fleet waiting out its reconnect backoff is not flagged.
 *
 * <p>{@code last_seen} is kept in {@link StationLive} per message and written to the registry in batches,
 * never per message. All methods run on the hub's MQTT event loop; {@link #presence} may be read anywhere.
 *
 * <p>Several hubs on one registry: each judges the stations connected to it, and writes presence with
 * conditional updates keyed by session (an older session's will, or a sweep based on an older session, never
 * overwrites what a newer session wrote; a write that finds a newer session is dropped with its alert). Every
 * {@link #REFRESH_MILLIS} a hub reads the registry's presence of the stations not connected to it, so a station
 * online on hub A shows online on hub B. Stations connected to no hub (their hub died, or they went silent
 * after it stopped) are swept for silence by the one hub holding the {@code presence-sweep} lease.
 */
public final class PresenceTracker {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceTracker.class);

    public static final String REASON_LOST = "lost";
    public static final String REASON_SHUTDOWN = "shutdown";
    public static final String REASON_SILENT = "silent";
    /** The heartbeat interval assumed for a station heard from before its row was read (the API's default). */
    private static final int UNKNOWN_HEARTBEAT_SECONDS = 10;
    /** How many heartbeat intervals of silence make a station offline. */
    public static final int MISSED_HEARTBEATS = 3;

    private static final long SCAN_MILLIS = 500;
    /**
     * How often last-seen times are written (one batch for all stations heard from) to a registry other hubs read:
     * the hub holding the silence sweep judges stations connected elsewhere by it.
     */
    static final long FLUSH_MILLIS = 5_000;
    /**
     * How often they are written to a registry only this hub opens (an H2 file): nothing else reads them there
     * before the next start (the views take the live time), so they are written far less often; a clean stop writes
     * them all. After a crash the registry's time may be this much older than the station's last message (and an
     * offline alert raised after the restart dates the outage from it). Each write rewrites the station's row: at
     * 15,000 stations, with a flush every 30 s, H2 took 13 % of the hub's CPU samples.
     */
    static final long FLUSH_ALONE_MILLIS = 120_000;
    /**
     * Rows per last-seen transaction. One transaction for all 15,000 stations held H2's uncommitted row versions and
     * undo log for seconds, past several young collections: each flush promoted about 100 MB and set off two full
     * collections of about 0.6 s (bench/RESULTS.md).
     */
    static final int FLUSH_CHUNK_ROWS = 500;
    /** How often the presence of stations connected elsewhere is read from the registry. */
    public static final long REFRESH_MILLIS = 2_000;
    /** The silence sweep's lease: renewed this often, and taken over by another hub this long after the last renewal. */
    static final long LEASE_RENEW_MILLIS = 3_000;
    static final long LEASE_TTL_MILLIS = 10_000;
    public static final String SWEEP_LEASE = "presence-sweep";
    /**
     * While stations are still coming back after a hub start, the grace lasts until this long after the latest
     * one: a station waits at most {@link Reconnect#MAX_BACKOFF_MS} between attempts, so a fleet whose reconnects
     * are slowed (many stations, a loaded hub) is not judged while it is still arriving.
     */
    static final long RECONNECT_QUIET_MILLIS = Reconnect.MAX_BACKOFF_MS + 5_000;
    /** The grace never lasts longer than this after the start, however long stations keep arriving. */
    static final long MAX_GRACE_MILLIS = 10 * 60_000;

    /** Mutable per-station state; touched only on the tracker's event loop. */
    private static final class Entry {
        final String stationId;
        /** The station's live slot: its last-seen time is kept there, read without a lookup. */
        final StationLive.Slot slot;
        volatile String state;
        volatile long since;
        volatile String reason;
        int heartbeatSeconds;
        long lastSession;
        /** Connected to this hub: judged here; else its presence comes from the registry. */
        boolean local;
        /** The registry refused the last offline write (a newer session is online elsewhere). */
        boolean overruled;
        /** When this hub's last presence write of the station finished (a refresh read before it is stale). */
        long writtenAt;
        long flushedLastSeen;
        boolean alertPending;
        long alertDueAt;
        Future<Void> tail = Future.succeededFuture();

        Entry(String stationId, StationLive.Slot slot, String state, long since, int heartbeatSeconds,
              long lastSession) {
            this.stationId = stationId;
            this.slot = slot;
            this.state = state;
            this.since = since;
            this.heartbeatSeconds = heartbeatSeconds;
            this.lastSession = lastSession;
        }
    }

    private final Vertx vertx;
    private final Database db;
    private final StationLive live;
    private final TimeSeries timeSeries;
    private final AlertStore alerts;
    private final long graceMillis;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** The last-seen flush running or last run; the next one runs after it. */
    private Future<Void> flushing = Future.succeededFuture();
    /** A flush waits behind {@link #flushing} and has not collected its stations yet. */
    private boolean flushQueued;
    private long startedAt;
    private long graceEnd;
    private long scanTimer = -1;
    private long flushTimer = -1;
    private long refreshTimer = -1;
    private long leaseTimer = -1;
    private final Lease sweepLease;
    private final HubMetrics metrics;

    public PresenceTracker(Vertx vertx, Database db, StationLive live, TimeSeries timeSeries, AlertStore alerts,
                           int startupGraceSeconds, HubMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.sweepLease = new Lease(db, SWEEP_LEASE, UUID.randomUUID().toString(), LEASE_TTL_MILLIS);
        metrics.registry().gauge("yizhan_presence_sweep_holder", this, t -> t.sweepLease.held(System.currentTimeMillis()) ? 1 : 0);
        metrics.registry().counter("yizhan_presence_sweeps");
        // the whole fleet as this hub sees it (stations of other hubs come from the registry); dashboards take the max
        for (String state : List.of(Presence.ONLINE, Presence.OFFLINE, Presence.UNKNOWN)) {
            Gauge.builder("yizhan_stations", entries, m -> count(m, state))
                    .description("Registered stations by presence state")
                    .tag("state", state)
                    .register(metrics.registry());
        }
        this.db = db;
        this.live = live;
        this.timeSeries = timeSeries;
        this.alerts = alerts;
        this.graceMillis = startupGraceSeconds * 1000L;
    }

    private static long count(Map<String, Entry> entries, String state) {
        long n = 0;
        for (Entry e : entries.values()) {
            String s = e.state == null ? Presence.UNKNOWN : e.state;
            if (s.equals(state)) {
                n++;
            }
        }
        return n;
    }

    /** Loads every station's last known presence and starts the silence scan and the last-seen flush. */
    public Future<Void> start() {
        startedAt = System.currentTimeMillis();
        graceEnd = startedAt + graceMillis;
        return sweepLease.acquire(startedAt).recover(e -> Future.succeededFuture(false)).compose(held -> db.call(c -> {
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, heartbeat_seconds, presence_state, presence_since, last_seen, last_session, "
                            + "presence_reason FROM stations");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long since = rs.getLong(4);
                    boolean noSince = rs.wasNull();
                    long seen = rs.getLong(5);
                    boolean noSeen = rs.wasNull();
                    rows.add(new Object[]{rs.getString(1), rs.getInt(2), rs.getString(3),
                            noSince ? 0L : since, noSeen ? -1L : seen, rs.getLong(6), rs.getString(7)});
                }
            }
            return rows;
        })).map(rows -> {
            for (Object[] r : rows) {
                String id = (String) r[0];
                Entry e = new Entry(id, live.slot(id), (String) r[2], (Long) r[3], (Integer) r[1], (Long) r[5]);
                e.reason = (String) r[6];
                long seen = (Long) r[4];
                if (seen >= 0) {
                    e.slot.seen(seen);
                    e.flushedLastSeen = seen;
                }
                entries.put(id, e);
            }
            scanTimer = vertx.setPeriodic(SCAN_MILLIS, t -> scan(System.currentTimeMillis()));
            // a registry no other hub opens holds nothing new to read back
            flushTimer = vertx.setPeriodic(db.exclusive() ? FLUSH_ALONE_MILLIS : FLUSH_MILLIS, t -> flushLastSeen());
            if (!db.exclusive()) {
                refreshTimer = vertx.setPeriodic(REFRESH_MILLIS, t -> refresh());
            }
            leaseTimer = vertx.setPeriodic(LEASE_RENEW_MILLIS, t -> sweepLease.acquire(System.currentTimeMillis())
                    .onFailure(err -> LOG.warn("Renewing the presence sweep lease failed: {}", err.getMessage())));
            LOG.info("Presence tracking {} stations, start-up grace {} s", rows.size(), graceMillis / 1000);
            return null;
        });
    }

    /** Stops the timers and writes the last-seen times; presence states are left as they are for the next start. */
    public Future<Void> stop() {
        vertx.cancelTimer(scanTimer);
        vertx.cancelTimer(flushTimer);
        vertx.cancelTimer(refreshTimer);
        vertx.cancelTimer(leaseTimer);
        List<Future<Void>> pending = new ArrayList<>();
        entries.values().forEach(e -> pending.add(e.tail));
        return Future.join(pending).transform(ar -> flushLastSeen())
                .eventually(() -> sweepLease.held(System.currentTimeMillis())
                        ? sweepLease.release().recover(err -> Future.succeededFuture()) : Future.succeededFuture());
    }

    /** The station's presence, live. */
    public Optional<Presence> presence(String stationId) {
        Entry e = entries.get(stationId);
        if (e == null) {
            return Optional.empty();
        }
        long seen = e.slot.lastSeen();
        return Optional.of(new Presence(e.state,
                e.since > 0 ? OptionalLong.of(e.since) : OptionalLong.empty(),
                seen >= 0 ? OptionalLong.of(seen) : OptionalLong.empty(),
                Presence.OFFLINE.equals(e.state) ? Optional.ofNullable(e.reason) : Optional.empty()));
    }

    /**
     * A station came back during the start-up grace: the grace lasts at least {@link #RECONNECT_QUIET_MILLIS}
     * more (or the configured grace, if shorter), up to {@link #MAX_GRACE_MILLIS} after the start. No grace
     * configured, no extension.
     */
    private void arrived(long at) {
        if (graceMillis > 0 && at < graceEnd) {
            long quiet = Math.min(RECONNECT_QUIET_MILLIS, graceMillis);
            long extended = Math.min(startedAt + Math.max(graceMillis, MAX_GRACE_MILLIS), at + quiet);
            if (extended > graceEnd) {
                graceEnd = extended;
            }
        }
    }

    /** When the start-up grace ends (or ended), in epoch milliseconds. */
    public long graceEnd() {
        return graceEnd;
    }

    /** An authenticated connection from the station: it is online. */
    public void connected(String stationId, int heartbeatSeconds, long at) {
        arrived(at);
        Entry e = entry(stationId, heartbeatSeconds);
        e.heartbeatSeconds = heartbeatSeconds;
        e.local = true;
        e.slot.seen(at);
        online(e, at);
    }

    /** Anything arrived from the station. Cheap: one map lookup unless the station was not online. */
    public void seen(String stationId, long at) {
        Entry e = entries.get(stationId);
        if (e == null) {
            live.seen(stationId, at);
            return;
        }
        e.slot.seen(at);
        if (!Presence.ONLINE.equals(e.state)) {
            online(e, at);
        }
    }

    /** A birth: the station's current session; it is online. */
    public void birth(String stationId, long session, long at) {
        // through a broker a birth may come before the next refresh has loaded a station provisioned meanwhile;
        // its heartbeat interval comes with that refresh
        arrived(at);
        Entry e = entry(stationId, UNKNOWN_HEARTBEAT_SECONDS);
        e.slot.seen(at);
        boolean changed = e.lastSession != session;
        e.lastSession = session;
        if (changed) {
            serial(e, () -> db.call(c -> {
                // never back to an older session (a late birth from an old connection to another hub)
                Rows.update(c, "UPDATE stations SET last_session = ? WHERE id = ? AND last_session < ?", session,
                        stationId, session);
                return null;
            }));
        }
        online(e, at);
    }

    /**
     * A will or shutdown notice ({@code online:false}) for a session. Applies only if the session is not older
     * than the last one seen, so a late will from an old session never marks a reconnected station offline.
     *
     * @return whether it was applied
     */
    public boolean stateOffline(String stationId, long session, String reason, long at) {
        Entry e = entries.get(stationId);
        if (e == null) {
            return false;
        }
        if (session < e.lastSession) {
            LOG.debug("Ignoring offline notice of {} from old session {} (current {})", stationId, session, e.lastSession);
            return false;
        }
        e.lastSession = Math.max(e.lastSession, session);
        offline(e, REASON_SHUTDOWN.equals(reason) ? REASON_SHUTDOWN : REASON_LOST, at, at);
        return true;
    }

    /** The station's current connection dropped without DISCONNECT: its will applies (if from a current session). */
    public void connectionLost(String stationId, OptionalLong willSession, long at) {
        Entry e = entries.get(stationId);
        if (e == null) {
            return;
        }
        if (willSession.isPresent() && willSession.getAsLong() < e.lastSession) {
            return;
        }
        e.local = false;
        offline(e, REASON_LOST, at, at);
    }

    /** The station's current connection ended with DISCONNECT: a clean shutdown. */
    public void disconnected(String stationId, long at) {
        Entry e = entries.get(stationId);
        if (e != null) {
            e.local = false;
            offline(e, REASON_SHUTDOWN, at, at);
        }
    }

    private Entry entry(String stationId, int heartbeatSeconds) {
        return entries.computeIfAbsent(stationId,
                id -> new Entry(id, live.slot(id), Presence.UNKNOWN, 0, heartbeatSeconds, 0));
    }

    private void online(Entry e, long at) {
        if (Presence.ONLINE.equals(e.state)) {
            return;
        }
        String before = e.state;
        long offlineSince = e.since;
        e.state = Presence.ONLINE;
        e.since = at;
        e.reason = null;
        e.alertPending = false;
        e.overruled = false;
        LOG.info("Station {} online (was {})", e.stationId, before);
        changed(e, at, -1);
        if (Presence.OFFLINE.equals(before)) {
            JsonObject extra = new JsonObject().put("outageMillis", Math.max(0, at - offlineSince)).put("backAt", at);
            serial(e, () -> alerts.close(e.stationId, AlertStore.OFFLINE, at, extra)
                    .map(closed -> {
                        closed.ifPresent(a -> live("alert", e.stationId, a));
                        return null;
                    }));
        }
    }

    private void offline(Entry e, String reason, long since, long now) {
        offline(e, reason, since, now, -1);
    }

    /** @param sweptSeen for a silence sweep, the last-seen time it judged (the write is dropped if newer is known) */
    private void offline(Entry e, String reason, long since, long now, long sweptSeen) {
        if (Presence.OFFLINE.equals(e.state)) {
            if (REASON_LOST.equals(reason) && REASON_SHUTDOWN.equals(e.reason) && e.alertPending) {
                e.reason = reason;
                e.alertDueAt = now;
            }
            return;
        }
        e.state = Presence.OFFLINE;
        e.since = since;
        e.reason = reason;
        e.alertPending = true;
        e.alertDueAt = REASON_SHUTDOWN.equals(reason) ? now + silenceMillis(e) : now;
        LOG.info("Station {} offline ({})", e.stationId, reason);
        changed(e, now, sweptSeen);
        maybeOpenAlert(e, now);
    }

    private void changed(Entry e, long at, long sweptSeen) {
        boolean online = Presence.ONLINE.equals(e.state);
        timeSeries.presence(e.stationId, online, at);
        presence(e.stationId).ifPresent(p -> live("presence", e.stationId, p.toJson()));
        if (online) {
            vertx.eventBus().publish(Bus.STATION_ONLINE, e.stationId);
        }
        String state = e.state;
        long since = e.since;
        String reason = e.reason;
        long session = e.lastSession;
        long seen = e.slot.lastSeen();
        serial(e, () -> db.call(c -> {
            // keyed by session: what an older session (or a sweep of one) decided never overwrites a newer one
            String sql = "UPDATE stations SET presence_state = ?, presence_since = ?, presence_reason = ?, "
                    + "last_seen = CASE WHEN last_seen IS NULL OR last_seen < ? THEN ? ELSE last_seen END "
                    + "WHERE id = ? AND last_session <= ?"
                    + (sweptSeen >= 0 ? " AND presence_state = 'online' AND (last_seen IS NULL OR last_seen <= ?)" : "");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, state);
                ps.setLong(2, since);
                ps.setString(3, reason);
                if (seen >= 0) {
                    ps.setLong(4, seen);
                    ps.setLong(5, seen);
                } else {
                    ps.setNull(4, Types.BIGINT);
                    ps.setNull(5, Types.BIGINT);
                }
                ps.setString(6, e.stationId);
                ps.setLong(7, session);
                if (sweptSeen >= 0) {
                    ps.setLong(8, sweptSeen);
                }
                return ps.executeUpdate();
            }
        }).map(n -> {
            e.writtenAt = System.currentTimeMillis();
            if (n == 0 && Presence.OFFLINE.equals(state)) {
                // a newer session is online (through another hub), or it was heard from since: the next refresh
                // shows the registry's presence; no alert for this
                LOG.info("Station {}: offline ({}) not recorded, the registry knows of a newer session or message",
                        e.stationId, reason);
                e.overruled = true;
                e.alertPending = false;
            }
            return null;
        }));
    }

    private void maybeOpenAlert(Entry e, long now) {
        if (!e.alertPending || now < graceEnd || now < e.alertDueAt || !Presence.OFFLINE.equals(e.state)) {
            return;
        }
        e.alertPending = false;
        JsonObject data = new JsonObject().put("since", e.since).put("reason", e.reason);
        serial(e, () -> e.overruled ? Future.<Void>succeededFuture() : alerts.open(e.stationId, AlertStore.OFFLINE, now, data)
                .map(id -> {
                    live("alert", e.stationId, new JsonObject().put("id", id).put("stationId", e.stationId)
                            .put("type", AlertStore.OFFLINE).put("openedAt", now).put("closedAt", null).put("data", data));
                    return null;
                }));
    }

    /** The backstop: flags silent stations and raises alerts that are due. */
    void scan(long now) {
        boolean inGrace = now < graceEnd;
        boolean sweeper = sweepLease.held(now);
        if (sweeper) {
            metrics.counter("yizhan_presence_sweeps");
        }
        for (Entry e : entries.values()) {
            if (Presence.ONLINE.equals(e.state)) {
                if (!e.local && !sweeper) {
                    continue;
                }
                long seen = e.slot.lastSeen() >= 0 ? e.slot.lastSeen() : startedAt;
                if (inGrace && seen < startedAt) {
                    continue;
                }
                // another hub's station: its last-seen time reaches the registry in batches, then here
                long allowance = e.local ? 0 : FLUSH_MILLIS + REFRESH_MILLIS;
                if (now - seen > silenceMillis(e) + allowance) {
                    offline(e, REASON_SILENT, seen, now, Math.max(0, seen));
                }
            } else if (e.alertPending) {
                maybeOpenAlert(e, now);
            }
        }
    }

    /** Whether this hub holds the silence sweep's lease now. */
    public boolean sweeping() {
        return sweepLease.held(System.currentTimeMillis());
    }

    /**
     * Reads the presence of every station not connected to this hub from the registry (another hub may have
     * changed it) and shows the changes on the live stream. Stations connected here keep what this hub knows,
     * but learn of a newer session.
     */
    Future<Void> refresh() {
        long started = System.currentTimeMillis();
        return db.call(c -> Rows.list(c, "SELECT id, heartbeat_seconds, presence_state, presence_since, last_seen, "
                + "last_session, presence_reason FROM stations", rs -> {
            long since = rs.getLong(4);
            boolean noSince = rs.wasNull();
            long seen = rs.getLong(5);
            boolean noSeen = rs.wasNull();
            return new Object[]{rs.getString(1), rs.getInt(2), rs.getString(3), noSince ? 0L : since,
                    noSeen ? -1L : seen, rs.getLong(6), rs.getString(7)};
        })).map(rows -> {
            for (Object[] r : rows) {
                String id = (String) r[0];
                Entry e = entries.computeIfAbsent(id,
                        k -> new Entry(k, live.slot(k), Presence.UNKNOWN, 0, (Integer) r[1], 0));
                long seen = (Long) r[4];
                long session = (Long) r[5];
                if (e.local) {
                    e.lastSession = Math.max(e.lastSession, session);
                    continue;
                }
                if (!e.tail.isComplete() || e.writtenAt >= started) {
                    continue; // this hub's own write is newer than what was read
                }
                e.heartbeatSeconds = (Integer) r[1];
                if (seen >= 0) {
                    e.slot.seen(seen);
                    e.flushedLastSeen = Math.max(e.flushedLastSeen, seen);
                }
                e.lastSession = Math.max(e.lastSession, session);
                String state = (String) r[2];
                if (!state.equals(e.state) || e.since != (Long) r[3]) {
                    boolean wasPending = e.alertPending;
                    e.state = state;
                    e.since = (Long) r[3];
                    e.reason = (String) r[6];
                    e.overruled = false;
                    // an alert this hub was holding back (a clean shutdown) is moot once another hub saw it back
                    e.alertPending = wasPending && Presence.OFFLINE.equals(state);
                    presence(id).ifPresent(p -> live("presence", id, p.toJson()));
                }
            }
            return (Void) null;
        }).onFailure(err -> LOG.warn("Reading presence from the registry failed: {}", err.getMessage()));
    }

    private static long silenceMillis(Entry e) {
        return MISSED_HEARTBEATS * Math.max(1, e.heartbeatSeconds) * 1000L;
    }

    /**
     * Writes last_seen of stations heard from since the previous flush, in order of station id, in batches of
     * {@value #FLUSH_CHUNK_ROWS} rows, each its own transaction, one after another (15,000 rows committed one by one
     * cost H2 about 170 µs each). A flush runs after the one before it; while one waits to run, asking again returns
     * that one, which takes whatever is new by the time it starts. A batch that fails stays to be written next time.
     */
    Future<Void> flushLastSeen() {
        if (flushQueued) {
            return flushing;
        }
        flushQueued = true;
        flushing = flushing.transform(ar -> {
            flushQueued = false;
            return writeLastSeen();
        });
        return flushing;
    }

    private Future<Void> writeLastSeen() {
        List<Entry> dirty = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.slot.lastSeen() > e.flushedLastSeen) {
                dirty.add(e);
            }
        }
        dirty.sort(Comparator.comparing(e -> e.stationId));
        Future<Void> written = Future.succeededFuture();
        for (int from = 0; from < dirty.size(); from += FLUSH_CHUNK_ROWS) {
            List<Entry> chunk = dirty.subList(from, Math.min(dirty.size(), from + FLUSH_CHUNK_ROWS));
            written = written.compose(v -> writeLastSeen(chunk));
        }
        return written.onFailure(err -> LOG.warn("Writing last-seen times failed: {}", err.getMessage()));
    }

    private Future<Void> writeLastSeen(List<Entry> chunk) {
        long[] seen = new long[chunk.size()];
        for (int i = 0; i < seen.length; i++) {
            seen[i] = chunk.get(i).slot.lastSeen();
        }
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE stations SET last_seen = ? WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)")) {
                for (int i = 0; i < seen.length; i++) {
                    ps.setLong(1, seen[i]);
                    ps.setString(2, chunk.get(i).stationId);
                    ps.setLong(3, seen[i]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return (Void) null;
        }).onSuccess(v -> {
            for (int i = 0; i < seen.length; i++) {
                Entry e = chunk.get(i);
                e.flushedLastSeen = Math.max(e.flushedLastSeen, seen[i]);
            }
        });
    }

    /** Runs the station's registry work one after another, so an alert closes only after it was opened. */
    private void serial(Entry e, Supplier<Future<Void>> work) {
        e.tail = e.tail.transform(ignored -> work.get())
                .onFailure(err -> LOG.warn("Presence update of {} failed: {}", e.stationId, err.getMessage()))
                .recover(err -> Future.succeededFuture());
    }

    private void live(String kind, String stationId, JsonObject data) {
        Bus.publishLive(vertx, new JsonObject().put("kind", kind).put("stationId", stationId).put("data", data));
    }
}
