package org.yizhan.agent;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Tells systemd how the agent is when it runs as a {@code Type=notify} service (the sd_notify protocol):
 * {@code READY=1} once the agent has started, {@code WATCHDOG=1} at a third of the unit's {@code WatchdogSec}, and
 * {@code STOPPING=1} when it stops. Each ping is sent from a timer on the event loop through a worker thread, so an
 * event loop or a worker pool that hangs stops the pings and systemd restarts the agent: a door controller that no
 * longer answers is worse than one that restarts in seconds.
 * <p>
 * Messages go through {@code systemd-notify} (the JDK cannot send on a Unix datagram socket), which waits until
 * systemd has taken each one; the unit therefore says {@code NotifyAccess=all}. Nothing happens when
 * {@code NOTIFY_SOCKET} is not set (the agent run by hand or in tests).
 */
public final class SystemdNotify {

    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);
    /** Where Debian puts systemd-notify. */
    static final Path SYSTEMD_NOTIFY = Path.of("/usr/bin/systemd-notify");
    private static final long SEND_TIMEOUT_SECONDS = 10;

    private final Vertx vertx;
    private final Path binary;
    private final Map<String, String> env;
    private final long watchdogMillis;
    private volatile long timer = -1;
    private volatile boolean closed;

    private SystemdNotify(Vertx vertx, Path binary, Map<String, String> env, long watchdogMillis) {
        this.vertx = vertx;
        this.binary = binary;
        this.env = env;
        this.watchdogMillis = watchdogMillis;
    }

    /**
     * The notifier for this process's environment: empty without {@code NOTIFY_SOCKET}; pings only when
     * {@code WATCHDOG_USEC} is set and, with {@code WATCHDOG_PID}, names this process. Fails when systemd asks for
     * notifications and {@code binary} is missing, or the watchdog time is not a number.
     */
    static Optional<SystemdNotify> from(Vertx vertx, Map<String, String> env, Path binary, long pid) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isBlank()) {
            return Optional.empty();
        }
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("NOTIFY_SOCKET is set but " + binary
                    + " is missing: install systemd, or run the unit as Type=simple");
        }
        long watchdogMillis = 0;
        String usec = env.get("WATCHDOG_USEC");
        String watchdogPid = env.get("WATCHDOG_PID");
        if (usec != null && !usec.isBlank() && (watchdogPid == null || watchdogPid.strip().equals(Long.toString(pid)))) {
            try {
                watchdogMillis = Long.parseLong(usec.strip()) / 1000;
            } catch (NumberFormatException e) {
                throw new IllegalStateException("WATCHDOG_USEC must be microseconds, was '" + usec + "'");
            }
            if (watchdogMillis < 3) {
                throw new IllegalStateException("WATCHDOG_USEC " + usec + " is too short to ping in time");
            }
        }
        return Optional.of(new SystemdNotify(vertx, binary, Map.of("NOTIFY_SOCKET", socket), watchdogMillis));
    }

    /** How often the watchdog is pinged; 0 when systemd watches nothing. */
    long pingMillis() {
        return watchdogMillis / 3;
    }

    /** Says the agent has started ({@code READY=1} with a status line), then pings the watchdog if there is one. */
    public Future<Void> ready(String status) {
        Future<Void> sent = send("READY=1", "STATUS=" + status.replace('\n', ' '));
        if (watchdogMillis > 0) {
            timer = vertx.setPeriodic(pingMillis(), id -> {
                if (!closed) {
                    send("WATCHDOG=1").onFailure(e -> LOG.warn("Watchdog ping to systemd failed: {}", e.getMessage()));
                }
            });
        }
        return sent;
    }

    /** Says the agent is stopping and stops the pings. Blocks until sent (call it off the event loop). */
    public void stopping() {
        closed = true;
        vertx.cancelTimer(timer);
        try {
            run(List.of("STOPPING=1"));
        } catch (IOException e) {
            LOG.warn("Telling systemd the agent stops failed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Future<Void> send(String... assignments) {
        return vertx.executeBlocking(() -> {
            run(List.of(assignments));
            return null;
        }, false);
    }

    private void run(List<String> assignments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(assignments);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("systemd-notify did not finish in " + SEND_TIMEOUT_SECONDS + " s");
        }
        byte[] out = p.getInputStream().readAllBytes(); // a line at most
        if (p.exitValue() != 0) {
            throw new IOException("systemd-notify " + String.join(" ", assignments) + " exited with "
                    + p.exitValue() + ": " + new String(out, java.nio.charset.StandardCharsets.UTF_8).strip());
        }
    }
}
