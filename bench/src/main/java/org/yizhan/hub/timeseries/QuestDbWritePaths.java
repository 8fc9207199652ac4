package org.yizhan.hub.timeseries;

import com.influxdb.client.InfluxDBClient;
import io.questdb.cairo.CairoEngine;
import io.questdb.cairo.TableToken;
import io.questdb.cairo.TableWriter;
import io.questdb.cairo.wal.WalWriter;
import io.questdb.std.str.Utf8String;
import io.vertx.core.json.JsonObject;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Telemetry;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The embedded QuestDB's write path against its alternative, before choosing (issue 12): the same telemetry
 * messages (occupancy, door, four charger ports, room climate: seven rows each) written
 * <ul>
 *   <li>{@code http-ilp}: as the hub writes them now, line protocol built by {@link StationPoints} and sent through
 *   influxdb-client-java to QuestDB's {@code /api/v2/write} in batches of {@link LineWriter#BATCH_LINES} lines;</li>
 *   <li>{@code in-process}: straight into the tables' WAL writers of the same QuestDB ({@code CairoEngine} in this
 *   JVM), committed every as many rows: no HTTP, no line protocol text, no parsing.</li>
 * </ul>
 * Each round writes {@code --messages} messages and waits until QuestDB has applied its WAL; the figure is the whole
 * process's CPU time (client and server are both in this JVM) and the wall time per message. Rounds alternate, the
 * first of each is warm-up, and the row counts are checked.
 *
 * <pre>
 * ./mvnw -B -q -o -pl bench exec:java -Dexec.mainClass=org.yizhan.hub.timeseries.QuestDbWritePaths \
 *     -Dexec.args="--messages 100000 --rounds 3"
 * </pre>
 */
public final class QuestDbWritePaths {

    private static final long T0 = 1_767_225_600_000L;
    private static final String[] TABLES = {"occupancy", "door", "charger", "env"};
    private static final Utf8String[] STATES = new Utf8String[ChargerState.values().length];

    static {
        for (ChargerState s : ChargerState.values()) {
            STATES[s.ordinal()] = new Utf8String(s.wireName());
        }
    }

    private QuestDbWritePaths() {
    }

    public static void main(String[] args) throws Exception {
        int messages = 100_000;
        int rounds = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path root = Files.createTempDirectory("yizhan-qdb-paths-");
        try (EmbeddedQuestDb db = EmbeddedQuestDb.start(root.resolve("questdb"), 0)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + db.httpPort();
            InfluxDBClient client = InfluxClients.create(base, Optional.empty(), "yizhan", "yizhan");
            LineWriter.Sender sender = InfluxClients.sender(client, "yizhan", "yizhan");
            List<Telemetry> batch = messages(messages);
            // the tables are made by the first line-protocol write, as in the hub
            sender.send(StationPoints.telemetry("st-00000", batch.get(0), T0));
            waitApplied(http, base);
            long expected = count(http, base);
            List<String> rows = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                for (String path : List.of("http-ilp", "in-process")) {
                    long offset = (round * 2L + (path.equals("in-process") ? 1 : 0) + 1) * messages * 1000L;
                    long cpu0 = cpuNanos();
                    long wall0 = System.nanoTime();
                    if (path.equals("http-ilp")) {
                        writeHttp(sender, batch, offset);
                    } else {
                        writeInProcess(db.engine(), batch, offset);
                    }
                    waitApplied(http, base);
                    double cpuUs = (cpuNanos() - cpu0) / 1e3 / messages;
                    double wallUs = (System.nanoTime() - wall0) / 1e3 / messages;
                    expected += 7L * messages;
                    long counted = count(http, base);
                    if (counted != expected) {
                        throw new IllegalStateException(path + ": " + counted + " rows, expected " + expected);
                    }
                    String row = String.format("| %d | %s | %d | %.1f | %.1f |", round, path, messages, cpuUs, wallUs);
                    System.out.println(row + (round == 0 ? " (warm-up)" : ""));
                    if (round > 0) {
                        rows.add(row);
                    }
                }
            }
            client.close();
            System.out.println("\n| round | path | messages (7 rows each) | process CPU µs/message | wall µs/message |");
            System.out.println("|---:|---|---:|---:|---:|");
            rows.forEach(System.out::println);
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A fleet's messages: 1,000 stations, readings that move a little, as the fleet bench's stations send them. */
    static List<Telemetry> messages(int n) {
        SplittableRandom random = new SplittableRandom(42);
        List<Telemetry> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Telemetry.Charger> chargers = new ArrayList<>(4);
            for (int port = 1; port <= 4; port++) {
                boolean charging = random.nextInt(3) == 0;
                chargers.add(new Telemetry.Charger(port, charging ? ChargerState.CHARGING : ChargerState.AVAILABLE,
                        charging ? Math.round(1500 + random.nextDouble() * 1000) / 10.0 : 0,
                        Math.round(random.nextDouble() * 50_000) / 10.0,
                        OptionalDouble.of(Math.round(250 + random.nextDouble() * 50) / 10.0)));
            }
            list.add(new Telemetry(T0 + i, Optional.of(new Telemetry.Occupancy(random.nextInt(21), 20)),
                    Optional.of(new Telemetry.Door(random.nextInt(10) == 0, true)), chargers,
                    Optional.of(new Telemetry.Env(OptionalDouble.of(Math.round(180 + random.nextDouble() * 100) / 10.0),
                            OptionalDouble.of(40 + random.nextInt(40))))));
        }
        return list;
    }

    private static String station(int i) {
        return String.format("st-%05d", i % 1000);
    }

    private static void writeHttp(LineWriter.Sender sender, List<Telemetry> batch, long offset) throws Exception {
        List<String> lines = new ArrayList<>(LineWriter.BATCH_LINES + 8);
        for (int i = 0; i < batch.size(); i++) {
            Telemetry t = batch.get(i);
            long ts = t.ts() + offset;
            lines.addAll(StationPoints.telemetry(station(i), withTs(t, ts), ts));
            if (lines.size() >= LineWriter.BATCH_LINES) {
                sender.send(lines);
                lines = new ArrayList<>(LineWriter.BATCH_LINES + 8);
            }
        }
        if (!lines.isEmpty()) {
            sender.send(lines);
        }
    }

    private static Telemetry withTs(Telemetry t, long ts) {
        return new Telemetry(ts, t.occupancy(), t.door(), t.chargers(), t.env());
    }

    /** The same rows through the tables' WAL writers, committed every {@link LineWriter#BATCH_LINES} rows. */
    private static void writeInProcess(CairoEngine engine, List<Telemetry> batch, long offset) {
        Map<String, WalWriter> writers = new HashMap<>();
        Map<String, int[]> columns = new HashMap<>();
        for (String table : TABLES) {
            TableToken token = engine.getTableTokenIfExists(table);
            WalWriter w = engine.getWalWriter(token);
            writers.put(table, w);
            String[] names = switch (table) {
                case "occupancy" -> new String[]{"station", "capacity", "count"};
                case "door" -> new String[]{"station", "locked", "open"};
                case "charger" -> new String[]{"station", "port", "energy_wh", "power_w", "state", "temp_c"};
                default -> new String[]{"station", "humidity", "temp_c"};
            };
            int[] idx = new int[names.length];
            for (int c = 0; c < names.length; c++) {
                idx[c] = w.getMetadata().getColumnIndex(names[c]);
            }
            columns.put(table, idx);
        }
        WalWriter occupancy = writers.get("occupancy");
        WalWriter door = writers.get("door");
        WalWriter charger = writers.get("charger");
        WalWriter env = writers.get("env");
        int[] o = columns.get("occupancy");
        int[] d = columns.get("door");
        int[] c = columns.get("charger");
        int[] e = columns.get("env");
        String[] ports = {"0", "1", "2", "3", "4"};
        int rows = 0;
        try {
            for (int i = 0; i < batch.size(); i++) {
                Telemetry t = batch.get(i);
                String station = station(i);
                long micros = (t.ts() + offset) * 1000;
                Telemetry.Occupancy occ = t.occupancy().orElseThrow();
                TableWriter.Row r = occupancy.newRow(micros);
                r.putSym(o[0], station);
                r.putLong(o[1], occ.capacity());
                r.putLong(o[2], occ.count());
                r.append();
                Telemetry.Door dr = t.door().orElseThrow();
                r = door.newRow(micros);
                r.putSym(d[0], station);
                r.putLong(d[1], dr.locked() ? 1 : 0);
                r.putLong(d[2], dr.open() ? 1 : 0);
                r.append();
                for (Telemetry.Charger ch : t.chargers()) {
                    r = charger.newRow(micros);
                    r.putSym(c[0], station);
                    r.putSym(c[1], ports[ch.port()]);
                    r.putDouble(c[2], ch.energyWh());
                    r.putDouble(c[3], ch.powerW());
                    r.putVarchar(c[4], STATES[ch.state().ordinal()]);
                    r.putDouble(c[5], ch.tempC().orElse(Double.NaN));
                    r.append();
                }
                Telemetry.Env en = t.env().orElseThrow();
                r = env.newRow(micros);
                r.putSym(e[0], station);
                r.putDouble(e[1], en.humidity().orElse(Double.NaN));
                r.putDouble(e[2], en.tempC().orElse(Double.NaN));
                r.append();
                rows += 7;
                if (rows >= LineWriter.BATCH_LINES) {
                    writers.values().forEach(WalWriter::commit);
                    rows = 0;
                }
            }
            writers.values().forEach(WalWriter::commit);
        } finally {
            writers.values().forEach(WalWriter::close);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static JsonObject exec(HttpClient http, String base, String sql) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/exec?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(sql + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return new JsonObject(r.body());
    }

    private static void waitApplied(HttpClient http, String base) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonObject a = exec(http, base, "SELECT count() FROM wal_tables() WHERE writerTxn < sequencerTxn");
            if (a.getJsonArray("dataset").getJsonArray(0).getLong(0) == 0) {
                return;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("QuestDB did not apply its WAL within 120 s");
    }

    private static long count(HttpClient http, String base) throws Exception {
        long n = 0;
        for (String table : TABLES) {
            n += exec(http, base, "SELECT count() FROM " + table).getJsonArray("dataset").getJsonArray(0).getLong(0);
        }
        return n;
    }
}
