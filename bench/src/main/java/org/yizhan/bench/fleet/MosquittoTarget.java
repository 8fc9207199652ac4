package org.yizhan.bench.fleet;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import org.yizhan.protocol.Topics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Mosquitto as a plain relay on a free loopback port, with one subscriber in this JVM on
 * {@code yizhan/v1/stations/+/#} that counts what arrives and measures publish-to-delivery latency from the
 * sender's timestamp in each payload. The baseline for what moving the same messages costs.
 */
public final class MosquittoTarget implements Target {

    /** Where Debian's {@code mosquitto} package puts the broker. */
    public static final Path DEFAULT_BINARY = Path.of("/usr/sbin/mosquitto");

    private final Vertx vertx;
    private final Path binary;
    private final Path workDir;
    private final Optional<BenchTls> tls;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final LatencyRecorder latency = new LatencyRecorder();
    private ChildProcess broker;
    private MqttClient subscriber;
    private int port;

    /** A plaintext broker. */
    public MosquittoTarget(Vertx vertx, Path binary, Path workDir) {
        this(vertx, binary, workDir, Optional.empty());
    }

    /**
     * {@code tls}: the broker's only listener speaks TLS with the bench's certificate ({@code certfile}, {@code
     * keyfile}, {@code cafile}); the subscriber connects over TLS too, as the stations do. Empty: plain TCP.
     */
    public MosquittoTarget(Vertx vertx, Path binary, Path workDir, Optional<BenchTls> tls) {
        this.vertx = vertx;
        this.binary = binary;
        this.workDir = workDir;
        this.tls = tls;
    }

    @Override
    public String name() {
        return tls.isPresent() ? "mosquitto-tls" : "mosquitto";
    }

    @Override
    public Optional<BenchTls> tls() {
        return tls;
    }

    @Override
    public String latencyMeaning() {
        return "publish to delivery at one subscriber (station client -> broker -> subscriber, same JVM clock)";
    }

    @Override
    public List<StationCredentials> prepare(int stations, Consumer<String> progress) throws Exception {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " not found: install it with `apt-get install -y mosquitto`");
        }
        port = freeLoopbackPort();
        Files.createDirectories(workDir);
        Path conf = workDir.resolve(name() + "-" + stations + ".conf");
        Files.writeString(conf, config(port, tls));
        broker = ChildProcess.start(name(), List.of(binary.toString(), "-c", conf.toString()), Map.of(),
                workDir.resolve(name() + "-" + stations + ".log"));
        waitForPort(port, broker);
        progress.accept("mosquitto " + binary + " (pid " + broker.pid() + ") listening on 127.0.0.1:" + port
                + (tls.isPresent() ? " (TLS)" : ""));
        MqttClientOptions options = new MqttClientOptions().setClientId("yizhan-bench-subscriber")
                .setCleanSession(true).setKeepAliveInterval(60).setMaxMessageSize(512 * 1024);
        tls.ifPresent(t -> t.applyTo(options));
        subscriber = MqttClient.create(vertx, options);
        subscriber.publishHandler(m -> {
            long now = System.nanoTime();
            received.incrementAndGet();
            try {
                JsonObject o = m.payload().toJsonObject();
                Long sent = o.getLong(SimStation.SENT_NANOS);
                if (sent != null) {
                    latency.recordNanos(now - sent);
                }
            } catch (RuntimeException e) {
                malformed.incrementAndGet();
            }
        });
        subscriber.connect(port, "127.0.0.1")
                .compose(ack -> subscriber.subscribe(Topics.ROOT + "+/#", 0))
                .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        List<StationCredentials> out = new ArrayList<>(stations);
        for (int i = 1; i <= stations; i++) {
            out.add(StationCredentials.anonymous(String.format("bench-%05d", i)));
        }
        return out;
    }

    /**
     * A broker configuration for the bench: loopback only, anonymous, no persistence, quiet log; with {@code tls}
     * the listener speaks TLS only, with the bench's server certificate chain and key (no client certificates).
     * {@code user} is this process's user: started as root, Mosquitto would otherwise switch to the user
     * {@code mosquitto}, which cannot read the bench's owner-only key file.
     */
    static String config(int port, Optional<BenchTls> tls) {
        String listener = "listener " + port + " 127.0.0.1";
        if (tls.isPresent()) {
            BenchTls t = tls.get();
            listener += "\ncafile " + t.caFile().toAbsolutePath()
                    + "\ncertfile " + t.chainFile().toAbsolutePath()
                    + "\nkeyfile " + t.keyFile().toAbsolutePath()
                    + "\nrequire_certificate false";
        }
        return String.join("\n",
                "# generated by the Yizhan fleet bench",
                listener,
                "user " + System.getProperty("user.name"),
                "allow_anonymous true",
                "persistence false",
                "max_connections -1",
                "max_queued_messages 10000",
                "max_inflight_messages 20",
                "set_tcp_nodelay true",
                "connection_messages false",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "") ;
    }

    @Override
    public void requireAlive() {
        broker.requireAlive();
    }

    @Override
    public String mqttHost() {
        return "127.0.0.1";
    }

    @Override
    public int mqttPort() {
        return port;
    }

    /** Messages received by the subscriber so far, and how many of them had no readable timestamp. */
    public long received() {
        return received.get();
    }

    public long malformed() {
        return malformed.get();
    }

    @Override
    public long openFiles() {
        return Target.openFilesOf(broker.pid());
    }

    @Override
    public Snapshot snapshot() throws IOException {
        broker.requireAlive();
        return new Snapshot(System.nanoTime(), received.get(), latency.snapshot(), ProcStats.read(broker.pid()));
    }

    @Override
    public void close() {
        MqttClient s = subscriber;
        subscriber = null;
        if (s != null && s.isConnected()) {
            try {
                s.disconnect().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the broker is stopped next anyway
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port, ChildProcess process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            process.requireAlive();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("mosquitto did not listen on 127.0.0.1:" + port + " within 15 s; log:\n"
                + process.logTail(20));
    }
}
