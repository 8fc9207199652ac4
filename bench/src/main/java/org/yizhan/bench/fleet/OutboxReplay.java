package org.yizhan.bench.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.uplink.Outbox;
import org.yizhan.agent.uplink.OutboxStore;
import org.yizhan.agent.uplink.SqliteOutboxStore;
import org.yizhan.agent.uplink.SessionStore;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The outbox replay after an outage: one station's agent outbox (the agent's own {@link Outbox} on SQLite) holds
 * {@code --events} events written while the hub was unreachable (as the agent finds them after a restart); then its {@link Uplink} connects to a real hub
 * (the jar, as a child process, as the fleet bench starts it) and replays them, acknowledged by the hub on
 * {@code .../events/ack} only once committed, as a provisioned agent runs. Measured: events per second from the
 * connect until the outbox is empty, the hub's CPU over it, and afterwards, from the hub's registry (opened once
 * the hub has stopped), that every event is there once: 0 lost, 0 duplicated.
 *
 * <pre>
 * ./mvnw -B -q -o -pl bench exec:java -Dexec.mainClass=org.yizhan.bench.fleet.OutboxReplay \
 *     -Dexec.args="--events 1000000 --hub-jar hub-server/target/yizhan-hub.jar --out /tmp/replay"
 * </pre>
 */
public final class OutboxReplay {

    private static final Duration PROGRESS = Duration.ofSeconds(5);
    private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(30);
    /** Rows per transaction while the backlog is written. */
    private static final int INSERT_ROWS = 10_000;

    private OutboxReplay() {
    }

    public static void main(String[] args) throws Exception {
        int events = 1_000_000;
        Path jar = Path.of("hub-server/target/yizhan-hub.jar");
        Path out = Path.of("bench/target/replay");
        List<String> javaOptions = List.of();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--events" -> events = Integer.parseInt(need(a, v));
                case "--hub-jar" -> jar = Path.of(need(a, v));
                case "--out" -> out = Path.of(need(a, v));
                case "--hub-java-opts" -> javaOptions = List.of(need(a, v).trim().split("\\s+"));
                case "--help" -> {
                    System.out.println("OutboxReplay [--events N (1000000)] [--hub-jar PATH] [--out DIR] "
                            + "[--hub-java-opts 'OPTS']");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
            }
            i++;
        }
        if (events < 1 || events > StationConfig.OutboxLimits.DEFAULT_MAX_EVENTS) {
            throw new IllegalArgumentException("--events: 1 to " + StationConfig.OutboxLimits.DEFAULT_MAX_EVENTS
                    + " (the agent outbox's default cap)");
        }
        Files.createDirectories(out);
        System.exit(run(events, jar, out, javaOptions) ? 0 : 1);
    }

    private static String need(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    static boolean run(int events, Path jar, Path out, List<String> javaOptions) throws Exception {
        Vertx vertx = Vertx.vertx();
        HubTarget hub = new HubTarget(jar, out, javaOptions, Optional.empty());
        Path agentDir = Files.createTempDirectory(out, "agent-");
        try {
            StationCredentials station = hub.prepare(1, OutboxReplay::say).get(0);
            // the backlog an agent finds after a long outage, written straight into its outbox file in large
            // transactions (the agent writes each event in its own, as it comes: far slower, and not what is measured)
            Path file = agentDir.resolve("outbox.db");
            List<String> ids = new ArrayList<>(events);
            long t0 = System.nanoTime();
            long lastSaid = t0;
            String[] types = {EventType.DOOR_OPENED, EventType.DOOR_CLOSED};
            long ts = System.currentTimeMillis() - events; // one event a millisecond, in the past
            SqliteOutboxStore store = new SqliteOutboxStore(file);
            store.open();
            List<OutboxStore.Row> rows = new ArrayList<>(INSERT_ROWS);
            for (int i = 0; i < events; i++) {
                Event e = Event.of(types[i % 2], ts + i, new JsonObject().put("n", i));
                ids.add(e.id());
                rows.add(new OutboxStore.Row(i + 1, e, e.encodedBytes(), Outbox.evictable(e.type())));
                if (rows.size() == INSERT_ROWS || i == events - 1) {
                    store.insert(rows);
                    rows.clear();
                }
                if (System.nanoTime() - lastSaid > PROGRESS.toNanos()) {
                    lastSaid = System.nanoTime();
                    say(String.format("outbox: %d/%d events written", i + 1, events));
                }
            }
            store.close();
            Outbox outbox = new Outbox(vertx, file);
            get(outbox.open());
            double writeSeconds = (System.nanoTime() - t0) / 1e9;
            say(String.format("outbox holds %d events (written in %.1f s)", outbox.size(), writeSeconds));
            if (outbox.size() != events) {
                throw new IllegalStateException("the outbox holds " + outbox.size() + ", not " + events);
            }

            StationConfig config = StationConfig.defaults(station.stationId(), "Replay " + station.stationId(),
                            hub.baseUrl(), new StationConfig.Mqtt(hub.mqttHost(), hub.mqttPort(), false,
                                    station.username(), station.password(), 30, Optional.empty(), true,
                                    StationConfig.Mqtt.DEFAULT_EVENT_ACK_TIMEOUT_SECONDS),
                            "simulated", 4, 20, 10, 5);
            Uplink uplink = new Uplink(vertx, config, outbox, new SessionStore(agentDir), "bench-replay");
            Target.Snapshot before = hub.snapshot();
            long r0 = System.nanoTime();
            get(uplink.start());
            lastSaid = r0;
            int lastSize = events;
            while (outbox.size() > 0) {
                hub.requireAlive();
                if (System.nanoTime() - r0 > REPLAY_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("the replay did not finish within " + REPLAY_TIMEOUT.toMinutes()
                            + " minutes: " + outbox.size() + " events left");
                }
                Thread.sleep(50);
                if (System.nanoTime() - lastSaid > PROGRESS.toNanos()) {
                    int size = outbox.size();
                    say(String.format("replay: %d left, %.0f events/s over the last %d s", size,
                            (lastSize - size) / ((System.nanoTime() - lastSaid) / 1e9), PROGRESS.toSeconds()));
                    lastSaid = System.nanoTime();
                    lastSize = size;
                }
            }
            double replaySeconds = (System.nanoTime() - r0) / 1e9;
            Target.Snapshot after = hub.snapshot();
            double resends = HubTarget.metrics(HttpClient.newHttpClient(), hub.baseUrl())
                    .sum("yizhan_events_duplicates_total");
            get(uplink.stop());
            get(outbox.close());
            double cpuSeconds = (double) (after.process().cpuTicks() - before.process().cpuTicks())
                    / ProcStats.clockTicksPerSecond();
            hub.stopServer();

            Stored stored = stored(hub.dataDir(), station.stationId());
            Set<String> missing = new HashSet<>(ids);
            missing.removeAll(stored.ids);
            int extra = stored.rows - (events - missing.size());
            boolean ok = missing.isEmpty() && extra == 0 && stored.rows == stored.ids.size();
            String row = String.format("| %d | %.1f | %.0f | %.1f | %.0f | %d | %d | %d | %.0f | %d |", events,
                    replaySeconds, events / replaySeconds, cpuSeconds, cpuSeconds * 1e6 / events, stored.rows,
                    missing.size(), extra, resends, after.process().vmHwmKb() / 1024);
            String table = "| events buffered | replay s | events/s | hub CPU s | hub CPU µs/event | stored at the hub "
                    + "| lost | duplicated | resent (hub's duplicates counter) | hub VmHWM MiB |\n"
                    + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" + row + "\n";
            System.out.println();
            System.out.print(table);
            Files.writeString(out.resolve("replay.md"), table);
            say(ok ? "every event stored once" : "FAILED: " + missing.size() + " lost, " + extra + " extra");
            return ok;
        } finally {
            hub.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private record Stored(int rows, Set<String> ids) {
    }

    /** The station's events in the stopped hub's H2 registry: rows, and their distinct ids. */
    private static Stored stored(Path hubDataDir, String stationId) throws Exception {
        String url = "jdbc:h2:file:" + hubDataDir.resolve("registry").toAbsolutePath()
                + ";ACCESS_MODE_DATA=r;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        try (Connection c = DriverManager.getConnection(url, "yizhan", "");
             PreparedStatement ps = c.prepareStatement("SELECT id FROM events WHERE station_id = ?")) {
            ps.setString(1, stationId);
            int rows = 0;
            Set<String> ids = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    ids.add(rs.getString(1));
                }
            }
            return new Stored(rows, ids);
        }
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    }

    private static void say(String line) {
        System.out.println("[replay] " + line);
    }
}
