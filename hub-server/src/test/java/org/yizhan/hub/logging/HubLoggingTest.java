package org.yizhan.hub.logging;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hub's logging as the jar runs it: {@link LogProbe} in its own JVM with this module's class path (logback.xml,
 * Logback, jul-to-slf4j), in each format, its stderr read back.
 */
class HubLoggingTest {

    /** The text line that operators and the system tests read: time with offset, thread, level, short logger name. */
    private static final String TEXT_LINE =
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}[+-]\\d{4} \\[main] \\[%s] %s - %s";

    @TempDir
    Path dir;

    @Test
    void writesTextLinesByDefault() throws Exception {
        List<String> lines = probe(Map.of(), List.of());
        assertThat(lines.get(0)).as("%s", lines)
                .matches(String.format(TEXT_LINE, "INFO", "LogProbe", "HTTP listening on port 8080"));
        assertThat(lines.get(1)).matches(String.format(TEXT_LINE, "WARN", "LogProbe", "time series store down"));
        assertThat(lines).as("the stack trace follows its line")
                .contains("java.lang.IllegalStateException: questdb gone", "Caused by: java.io.IOException: refused")
                .anyMatch(l -> l.startsWith("\tat org.yizhan.hub.logging.LogProbe.main("));
        assertThat(lines).as("java.util.logging is routed")
                .anyMatch(l -> l.matches(String.format(TEXT_LINE, "INFO", "jul", "through java.util.logging")));
        assertThat(String.join("\n", lines)).as("levels as before").doesNotContain("not at info", "flyway is quiet")
                .contains("驿站 two\nlines \"quoted\"");
    }

    @Test
    void writesOneJsonObjectPerLineWithTheEnvironmentVariable() throws Exception {
        List<JsonObject> entries = json(probe(Map.of("YIZHAN_LOG_FORMAT", "json"), List.of()));
        assertThat(entries).hasSize(4);

        JsonObject listening = entries.get(0);
        assertThat(listening.getString("level")).isEqualTo("INFO");
        assertThat(listening.getString("logger_name")).isEqualTo(LogProbe.class.getName());
        assertThat(listening.getString("thread_name")).isEqualTo("main");
        assertThat(listening.getString("message")).isEqualTo("HTTP listening on port 8080");
        assertThat(listening.getJsonObject("mdc")).isEqualTo(new JsonObject().put("stationId", "st-0001"));
        assertThat(listening.getString("@timestamp")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(Instant.parse(listening.getString("@timestamp")))
                .isBetween(Instant.now().minusSeconds(120), Instant.now().plusSeconds(1));
        assertThat(listening.containsKey("stack_trace")).as("no exception, no stack trace").isFalse();

        JsonObject down = entries.get(1);
        assertThat(down.getString("level")).isEqualTo("WARN");
        assertThat(down.getString("message")).isEqualTo("time series store down");
        assertThat(down.containsKey("mdc")).as("MDC cleared").isFalse();
        assertThat(down.getString("stack_trace"))
                .startsWith("java.lang.IllegalStateException: questdb gone")
                .contains("\tat org.yizhan.hub.logging.LogProbe.main(", "Caused by: java.io.IOException: refused");

        assertThat(entries.get(2).getString("logger_name")).as("java.util.logging is routed").isEqualTo("org.yizhan.jul");
        assertThat(entries.get(2).getString("message")).isEqualTo("through java.util.logging");
        assertThat(entries.get(3).getString("message")).as("a line break stays inside its entry")
                .isEqualTo("驿站 two\nlines \"quoted\"");
    }

    @Test
    void systemPropertyChoosesTheFormatBeforeTheEnvironment() throws Exception {
        List<JsonObject> entries = json(probe(Map.of("YIZHAN_LOG_FORMAT", "text"), List.of("-Dyizhan.log.format=JSON")));
        assertThat(entries).hasSize(4);
        assertThat(probe(Map.of("YIZHAN_LOG_FORMAT", "json"), List.of("-Dyizhan.log.format=text")).get(0))
                .matches(String.format(TEXT_LINE, "INFO", "LogProbe", "HTTP listening on port 8080"));
    }

    @Test
    void unknownFormatLogsTextAfterOneWarningNamingIt() throws Exception {
        List<String> lines = probe(Map.of("YIZHAN_LOG_FORMAT", "xml"), List.of());
        assertThat(lines.get(0)).as("%s", lines).matches(String.format(TEXT_LINE, "WARN", "LogFormat",
                "YIZHAN_LOG_FORMAT=xml is neither text nor json: logging as text"));
        assertThat(lines.get(1)).matches(String.format(TEXT_LINE, "INFO", "LogProbe", "HTTP listening on port 8080"));
        assertThat(lines).filteredOn(l -> l.contains("neither text nor json")).hasSize(1);
    }

    @Test
    void operatorsOwnConfigurationFileReplacesTheHubs() throws Exception {
        Path own = dir.resolve("logback.xml");
        Files.writeString(own, """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>OWN %level %msg%n</pattern></encoder>
                  </appender>
                  <root level="DEBUG"><appender-ref ref="out"/></root>
                </configuration>
                """);
        List<String> lines = probe(Map.of("YIZHAN_LOG_FORMAT", "json"), List.of("-Dlogback.configurationFile=" + own));
        assertThat(lines).contains("OWN INFO HTTP listening on port 8080", "OWN DEBUG not at info");
    }

    private static List<JsonObject> json(List<String> lines) {
        List<JsonObject> entries = new ArrayList<>();
        for (String line : lines) {
            try {
                entries.add(new JsonObject(line));
            } catch (DecodeException e) {
                throw new AssertionError("not a JSON object: " + line + "\nin:\n" + String.join("\n", lines), e);
            }
        }
        return entries;
    }

    /** Runs {@link LogProbe} with this environment (and no inherited log format) and JVM options; its stderr. */
    private List<String> probe(Map<String, String> env, List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx64m");
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LogProbe.class.getName());
        Path err = Files.createTempFile(dir, "probe", ".err");
        Path out = Files.createTempFile(dir, "probe", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile());
        pb.environment().remove(LogFormat.ENV);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the probe ends").isTrue();
        String log = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(Files.readString(out, StandardCharsets.UTF_8)).as("nothing on stdout, such as Logback's status")
                .isEmpty();
        return log.lines().toList();
    }
}
