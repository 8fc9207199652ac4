package org.yizhan.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Mosquitto (Debian's {@code mosquitto} 2.0) on a free loopback port with the dynamic-security plugin,
 * its initial configuration made by {@code mosquitto_ctrl dynsec init} with an admin user; and the foreign clients
 * {@code mosquitto_pub}/{@code mosquitto_sub}.
 */
public final class MosquittoBroker implements AutoCloseable {

    public static final String ADMIN = "hub-admin";
    public static final String ADMIN_PASSWORD = "hub-admin-test-pw";
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final Path PLUGIN = Path.of("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so");

    private final Process process;
    private final int port;
    private final Path dir;

    private MosquittoBroker(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Skips the test when Mosquitto or its plugin is not installed (.ci/run installs them). */
    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(MOSQUITTO) && Files.exists(PLUGIN), "needs Debian's mosquitto package");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_pub")), "needs mosquitto-clients");
    }

    public static MosquittoBroker start(Path dir) throws Exception {
        assumeInstalled();
        Files.createDirectories(dir);
        Path dynsec = dir.resolve("dynamic-security.json");
        Files.deleteIfExists(dynsec);
        if (run(dir, "mosquitto_ctrl", "dynsec", "init", dynsec.toString(), ADMIN, ADMIN_PASSWORD) != 0) {
            throw new IllegalStateException("mosquitto_ctrl dynsec init failed: "
                    + Files.readString(dir.resolve("clients.log")));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n",
                // started as root Mosquitto drops to the "mosquitto" user, who cannot read the test's private folder
                "user " + System.getProperty("user.name"),
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "per_listener_settings false",
                "persistence false",
                "max_packet_size 270336",
                "log_dest file " + dir.resolve("broker.log"),
                "log_type all",
                "plugin " + PLUGIN,
                "plugin_opt_config_file " + dynsec,
                ""), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
        MosquittoBroker b = new MosquittoBroker(p, port, dir);
        await("mosquitto listening on " + port).atMost(Duration.ofSeconds(10)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return b;
    }

    /** What the broker logged so far (for a failing test's message). */
    public String log() throws IOException {
        Path log = dir.resolve("broker.log");
        return (Files.exists(log) ? Files.readString(log) : "") + Files.readString(dir.resolve("mosquitto.log"));
    }

    public int port() {
        return port;
    }

    public String url() {
        return "mqtt://127.0.0.1:" + port;
    }

    /** Publishes one message as a foreign client (QoS 1); the exit code (0 when the broker took it). */
    public int publish(String clientId, String user, String password, String topic, String payload) throws Exception {
        return run(dir, "mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-i", clientId, "-u", user,
                "-P", password, "-q", "1", "-t", topic, "-m", payload);
    }

    /**
     * Subscribes as a foreign client for {@code seconds} and returns what it received (one line per message, as
     * "topic payload"); an empty list when nothing came, or the connection was refused.
     */
    public List<String> receive(String clientId, String user, String password, String filter, int seconds)
            throws Exception {
        Path out = Files.createTempFile(dir, "sub", ".txt");
        Process p = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-i", clientId,
                "-u", user, "-P", password, "-q", "1", "-v", "-t", filter, "-W", String.valueOf(seconds))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(seconds + 10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(out)) {
            if (l.startsWith("yizhan/")) {
                lines.add(l);
            }
        }
        return lines;
    }

    private static int run(Path dir, String... cmd) throws Exception {
        Path log = dir.resolve("clients.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd[0] + " did not finish in 30 s");
        }
        return p.exitValue();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
