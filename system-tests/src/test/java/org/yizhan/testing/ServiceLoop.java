package org.yizhan.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A command kept running the way systemd keeps a unit with {@code Restart=on-failure} and
 * {@code RestartForceExitStatus=75} running (deploy/systemd/yizhan-agent.service): started again
 * {@value #RESTART_MS} ms after it exits with anything but 0 or 143 (SIGTERM), or with 75. systemd is the outer
 * edge of the station's software; where it does not run (here), this stands in for it, and only for restarts.
 */
public final class ServiceLoop implements AutoCloseable {

    static final long RESTART_MS = 1000;

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final AtomicInteger starts = new AtomicInteger();
    private final Thread loop;
    private volatile Process current;
    private volatile boolean stopping;

    private ServiceLoop(String name, List<String> command, Map<String, String> env, Path logDir) throws IOException {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        Files.createDirectories(logDir);
        this.log = logDir.resolve(name + ".log");
        this.loop = new Thread(this::run, "service-" + name);
    }

    public static ServiceLoop start(String name, List<String> command, Map<String, String> env, Path logDir)
            throws IOException {
        ServiceLoop s = new ServiceLoop(name, command, env, logDir);
        s.loop.setDaemon(true);
        s.loop.start();
        return s;
    }

    private void run() {
        while (!stopping) {
            int code;
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                pb.environment().putAll(env);
                starts.incrementAndGet();
                current = pb.start();
                code = current.waitFor();
                Files.writeString(log, "[service] " + name + " exited with " + code + "\n",
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean restart = code == 75 || (code != 0 && code != 143);
            if (!restart || stopping) {
                return;
            }
            try {
                Thread.sleep(RESTART_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** How many times the command was started. */
    public int starts() {
        return starts.get();
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Stops the command (SIGTERM, as systemctl stop) and the restarts. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        Process p = current;
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        loop.join(40_000);
    }
}
