package org.yizhan.hub.timeseries;

import io.questdb.log.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded QuestDB's log without QuestDB's own writer thread ({@link QuestDbLog}): in a JVM of its own (QuestDB's
 * log factory is process-wide, and in this test JVM another class may have started it elsewhere), an error QuestDB
 * logs reaches {@code questdb/log/} within seconds while QuestDB runs, and its {@code logging_0} thread is gone.
 */
class QuestDbLogIT {

    @TempDir
    Path dir;

    @Test
    void anErrorReachesTheLogFileWhileQuestDbRunsWithoutItsWriterThread() throws Exception {
        Path root = dir.resolve("questdb");
        String marker = "yizhan-log-check-" + UUID.randomUUID();
        Path out = dir.resolve("probe.out");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Probe.class.getName(), root.toString(),
                marker));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(read(out)).as("the probe started QuestDB").contains("threads "));
            String threads = read(out).lines().filter(l -> l.startsWith("threads ")).findFirst().orElseThrow();
            assertThat(threads).contains(QuestDbLog.THREAD_NAME).doesNotContain("logging_0");
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(logText(root.resolve("log"))).contains(marker));
            assertThat(p.isAlive()).as("written while QuestDB runs, not at its close: " + read(out)).isTrue();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String logText(Path logDir) throws IOException {
        if (!Files.isDirectory(logDir)) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path f : files.toList()) {
                text.append(read(f));
            }
        }
        return text.toString();
    }

    /** Starts QuestDB at the given root, logs one QuestDB error, names its threads, then waits to be killed. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            try (EmbeddedQuestDb db = EmbeddedQuestDb.start(Path.of(args[0]), 0)) {
                LogFactory.getLog("yizhan-log-check").error().$(args[1]).$();
                System.out.println("threads " + Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                        .sorted().toList());
                System.out.flush();
                Thread.sleep(120_000);
            }
        }
    }
}
