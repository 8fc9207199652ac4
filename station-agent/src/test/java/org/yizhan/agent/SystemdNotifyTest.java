package org.yizhan.agent;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The agent's messages to systemd, sent through the real {@code systemd-notify} to a Unix datagram socket that a small
 * Python listener holds the way systemd does (it closes the descriptor each barrier message carries, which lets
 * {@code systemd-notify} return). No systemd is needed.
 */
@ExtendWith(VertxExtension.class)
class SystemdNotifyTest {

    private static final String LISTENER = String.join("\n",
            "import array, os, socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
            "s.bind(sys.argv[1])",
            "with open(sys.argv[2], 'a', buffering=1) as out:",
            "    while True:",
            "        msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(64))",
            "        for level, kind, data in anc:",
            "            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:",
            "                fds = array.array('i')",
            "                fds.frombytes(data[:len(data) - len(data) % fds.itemsize])",
            "                for fd in fds:",
            "                    os.close(fd)",
            "        out.write(msg.decode().replace('\\n', '|') + '\\n')",
            "");

    @TempDir
    Path dir;
    private Process listener;
    private Path socket;
    private Path received;
    private SystemdNotify notify;

    @BeforeEach
    void listen() throws Exception {
        assumeTrue(Files.isExecutable(SystemdNotify.SYSTEMD_NOTIFY), "systemd-notify is not installed");
        Path script = dir.resolve("listener.py");
        Files.writeString(script, LISTENER);
        socket = dir.resolve("notify.sock");
        received = dir.resolve("received.txt");
        Files.createFile(received);
        listener = new ProcessBuilder("python3", script.toString(), socket.toString(), received.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("listener.log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
    }

    @AfterEach
    void stop() throws Exception {
        if (notify != null) {
            notify.stopping();
        }
        if (listener != null) {
            listener.destroy();
            listener.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private List<String> messages() throws Exception {
        return Files.readAllLines(received);
    }

    private long pings() throws Exception {
        return messages().stream().filter(m -> m.contains("WATCHDOG=1")).count();
    }

    @Test
    void saysReadyPingsTheWatchdogAndSaysStopping(Vertx vertx) throws Exception {
        long pid = ProcessHandle.current().pid();
        notify = SystemdNotify.from(vertx, Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", "600000",
                "WATCHDOG_PID", Long.toString(pid)), SystemdNotify.SYSTEMD_NOTIFY, pid).orElseThrow();
        assertThat(notify.pingMillis()).isEqualTo(200);
        notify.ready("Station st-1 running").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(messages()).anyMatch(m -> m.contains("READY=1") && m.contains("STATUS=Station st-1 running"));
        await().atMost(Duration.ofSeconds(15)).until(() -> pings() >= 3);

        notify.stopping();
        assertThat(messages()).anyMatch(m -> m.contains("STOPPING=1"));
        long after = pings();
        // a ping already on its way may still land; after that, none: the timer is gone
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> pings() <= after + 1);
        notify = null;
    }

    @Test
    void saysReadyWithoutPingsWhenTheWatchdogIsAnotherProcesses(Vertx vertx) throws Exception {
        long pid = ProcessHandle.current().pid();
        notify = SystemdNotify.from(vertx, Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", "300000",
                "WATCHDOG_PID", Long.toString(pid + 1)), SystemdNotify.SYSTEMD_NOTIFY, pid).orElseThrow();
        assertThat(notify.pingMillis()).isZero();
        notify.ready("up").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(messages()).anyMatch(m -> m.contains("READY=1"));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> pings() == 0);
    }

    @Test
    void isOffWithoutANotifySocketAndRefusesWhatItCannotDo(Vertx vertx) {
        assertThat(SystemdNotify.from(vertx, Map.of(), SystemdNotify.SYSTEMD_NOTIFY, 1)).isEqualTo(Optional.empty());
        assertThat(SystemdNotify.from(vertx, Map.of("NOTIFY_SOCKET", " "), SystemdNotify.SYSTEMD_NOTIFY, 1)).isEmpty();
        assertThatThrownBy(() -> SystemdNotify.from(vertx, Map.of("NOTIFY_SOCKET", socket.toString()),
                dir.resolve("no-such-systemd-notify"), 1))
                .hasMessageContaining("no-such-systemd-notify is missing");
        assertThatThrownBy(() -> SystemdNotify.from(vertx, Map.of("NOTIFY_SOCKET", socket.toString(),
                "WATCHDOG_USEC", "thirty seconds"), SystemdNotify.SYSTEMD_NOTIFY, 1))
                .hasMessageContaining("WATCHDOG_USEC must be microseconds, was 'thirty seconds'");
        assertThatThrownBy(() -> SystemdNotify.from(vertx, Map.of("NOTIFY_SOCKET", socket.toString(),
                "WATCHDOG_USEC", "2000"), SystemdNotify.SYSTEMD_NOTIFY, 1))
                .hasMessageContaining("too short");
    }
}
