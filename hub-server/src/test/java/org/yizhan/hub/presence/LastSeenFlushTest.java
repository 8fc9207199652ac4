package org.yizhan.hub.presence;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yizhan.hub.alerts.AlertStore;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.db.TestRegistry;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.mqtt.RecordingTimeSeries;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The last-seen flush over a real registry: more stations than one batch holds all reach it, a station heard from
 * again is written again and the others are not, and flushes asked for while one runs neither overlap nor lose a
 * time.
 */
@ExtendWith(VertxExtension.class)
class LastSeenFlushTest {

    @RegisterExtension
    static final TestRegistry H2 = TestRegistry.h2();

    private static final int STATIONS = PresenceTracker.FLUSH_CHUNK_ROWS * 2 + 234;
    private static final long T0 = 1_800_000_000_000L;

    private Database db;
    private Context loop;
    private PresenceTracker tracker;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        db = result(H2.open(vertx));
        result(db.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO stations (id, name, profile, created_at) VALUES (?, 'x', 'simulated', 0)")) {
                for (int i = 0; i < STATIONS; i++) {
                    ps.setString(1, id(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        }));
        loop = vertx.getOrCreateContext();
        tracker = new PresenceTracker(vertx, db, new StationLive(), new RecordingTimeSeries(), new AlertStore(db), 0,
                new HubMetrics());
        onLoop(tracker::start);
    }

    @AfterEach
    void tearDown() throws Exception {
        onLoop(tracker::stop);
        result(H2.close(db));
    }

    @Test
    void everyStationHeardFromReachesTheRegistryInBatches() throws Exception {
        onLoop(() -> {
            for (int i = 0; i < STATIONS; i++) {
                tracker.seen(id(i), T0 + i);
            }
            return tracker.flushLastSeen();
        });
        Map<String, Long> stored = lastSeen();
        assertThat(stored).hasSize(STATIONS);
        for (int i = 0; i < STATIONS; i++) {
            assertThat(stored.get(id(i))).as(id(i)).isEqualTo(T0 + i);
        }

        // heard from again: 7 stations; their rows are written, the others keep theirs
        onLoop(() -> {
            for (int i = 0; i < STATIONS; i += STATIONS / 7 + 1) {
                tracker.seen(id(i), T0 + 1_000_000 + i);
            }
            return tracker.flushLastSeen();
        });
        stored = lastSeen();
        for (int i = 0; i < STATIONS; i++) {
            long expected = i % (STATIONS / 7 + 1) == 0 ? T0 + 1_000_000 + i : T0 + i;
            assertThat(stored.get(id(i))).as(id(i)).isEqualTo(expected);
        }
    }

    @Test
    void flushesAskedForWhileOneRunsRunAfterItAndMissNothing() throws Exception {
        onLoop(() -> {
            for (int i = 0; i < STATIONS; i++) {
                tracker.seen(id(i), T0 + i);
            }
            Future<Void> first = tracker.flushLastSeen();
            // heard from while the first flush runs: the flush queued behind it takes these
            for (int i = 0; i < STATIONS; i++) {
                tracker.seen(id(i), T0 + 2_000_000 + i);
            }
            Future<Void> second = tracker.flushLastSeen();
            Future<Void> third = tracker.flushLastSeen();
            assertThat(third).as("one flush waits at a time").isSameAs(second);
            return Future.all(first, second).mapEmpty();
        });
        Map<String, Long> stored = lastSeen();
        for (int i = 0; i < STATIONS; i++) {
            assertThat(stored.get(id(i))).as(id(i)).isEqualTo(T0 + 2_000_000 + i);
        }
    }

    private Map<String, Long> lastSeen() throws Exception {
        return result(db.call(c -> {
            Map<String, Long> m = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, last_seen FROM stations");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long v = rs.getLong(2);
                    if (!rs.wasNull()) {
                        m.put(rs.getString(1), v);
                    }
                }
            }
            return m;
        }));
    }

    private static String id(int i) {
        return String.format("st-%05d", i);
    }

    /** Runs {@code work} on the tracker's event loop, as the hub does, and waits for what it returns. */
    private <T> T onLoop(Supplier<Future<T>> work) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        loop.runOnContext(v -> work.get().onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete(ar.result());
            } else {
                done.completeExceptionally(ar.cause());
            }
        }));
        return done.get(60, TimeUnit.SECONDS);
    }

    private static <T> T result(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
