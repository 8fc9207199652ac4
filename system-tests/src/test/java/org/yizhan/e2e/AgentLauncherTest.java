package org.yizhan.e2e;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher ({@code /usr/bin/yizhan-agent}) choosing which agent jar runs: the packaged one, an update in
 * {@code updates/current}, and giving up on an update on trial that is past its deadline, was started too often
 * or lost its jar. A stand-in {@code java} on the PATH prints what it would run.
 */
class AgentLauncherTest {

    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent()
            .resolve("firmware-config/os/bin/yizhan-agent");

    @TempDir
    Path tmp;
    private Path dir;
    private Path updates;

    @BeforeEach
    void standInJava() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"java $*\"\necho \"launcher=$YIZHAN_AGENT_LAUNCHER\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        dir = Files.createDirectories(tmp.resolve("state"));
        updates = Files.createDirectories(dir.resolve("updates"));
    }

    private String launch(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
        pb.environment().put("YIZHAN_AGENT_JAR", "/opt/yizhan/yizhan-agent.jar");
        pb.environment().remove("YIZHAN_AGENT_DIR");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private Path version(String v) throws Exception {
        Path jar = Files.createDirectories(updates.resolve("versions").resolve(v)).resolve("yizhan-agent.jar");
        Files.writeString(jar, "jar of " + v);
        return jar;
    }

    private void pending(String version, String previous, long deadline) throws Exception {
        Files.writeString(updates.resolve("pending"), "version=" + version + "\nprevious=" + previous
                + "\nrestored=" + (previous.isEmpty() ? "0.1.0" : previous) + "\ndeadline=" + deadline
                + "\nrollout=01ROLLOUT\ncommand=01COMMAND\n");
        Files.writeString(updates.resolve("current"), version + "\n");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void withoutAnUpdateThePackagedJarRunsAndTheAgentKnowsItsLauncher() throws Exception {
        String out = launch("run", "--dir", dir.toString(), "--simulate");
        assertThat(out).contains("-jar /opt/yizhan/yizhan-agent.jar run --dir " + dir + " --simulate")
                .contains("launcher=1");
    }

    @Test
    void anInstalledUpdateRunsOnlyForRun() throws Exception {
        Path jar = version("0.2.0");
        Files.writeString(updates.resolve("current"), "0.2.0\n");
        assertThat(launch("run", "--dir", dir.toString())).contains("-jar " + jar + " run");
        assertThat(launch("status", "--dir", dir.toString())).contains("-jar /opt/yizhan/yizhan-agent.jar status");
    }

    @Test
    void anUpdateOnTrialRunsAndEachStartIsCounted() throws Exception {
        Path jar = version("0.2.0");
        pending("0.2.0", "", now() + 600);
        assertThat(launch("run", "--dir", dir.toString())).contains("-jar " + jar);
        assertThat(launch("run", "--dir", dir.toString())).contains("-jar " + jar);
        assertThat(Files.readString(updates.resolve("attempts")).strip()).isEqualTo("2");
        assertThat(updates.resolve("pending")).exists();
    }

    @Test
    void anUpdateStartedThreeTimesIsGivenUpForThePreviousOne() throws Exception {
        Path previous = version("0.2.0");
        version("0.3.0");
        pending("0.3.0", "0.2.0", now() + 600);
        Files.writeString(updates.resolve("attempts"), "3\n");
        String out = launch("run", "--dir", dir.toString());
        assertThat(out).contains("giving up agent version 0.3.0").contains("-jar " + previous);
        assertThat(Files.readString(updates.resolve("current")).strip()).isEqualTo("0.2.0");
        assertThat(updates.resolve("pending")).doesNotExist();
        assertThat(updates.resolve("attempts")).doesNotExist();
        JsonObject result = new JsonObject(Files.readString(updates.resolve("result.json")));
        assertThat(result.getString("version")).isEqualTo("0.3.0");
        assertThat(result.getString("restored")).isEqualTo("0.2.0");
        assertThat(result.getString("rollout")).isEqualTo("01ROLLOUT");
        assertThat(result.getString("reason")).contains("started 3 times");
    }

    @Test
    void anUpdatePastItsDeadlineIsGivenUpForThePackagedJar() throws Exception {
        version("0.3.0");
        pending("0.3.0", "", now() - 1);
        String out = launch("run", "--dir", dir.toString());
        assertThat(out).contains("-jar /opt/yizhan/yizhan-agent.jar run");
        assertThat(updates.resolve("current")).doesNotExist();
        assertThat(new JsonObject(Files.readString(updates.resolve("result.json"))).getString("reason"))
                .contains("deadline");
    }

    @Test
    void anUpdateWhoseJarIsGoneIsGivenUp() throws Exception {
        Path previous = version("0.2.0");
        pending("0.3.0", "0.2.0", now() + 600);
        assertThat(launch("run", "--dir", dir.toString())).contains("-jar " + previous);
        assertThat(new JsonObject(Files.readString(updates.resolve("result.json"))).getString("reason"))
                .contains("jar is missing");
    }
}
