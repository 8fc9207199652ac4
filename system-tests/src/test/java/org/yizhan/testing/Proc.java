package org.yizhan.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** A hub or agent started as its own JVM from the built jar, with its output in a log file. */
public final class Proc implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private Proc(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static Path jar(String module, String jarName) {
        Path here = Path.of("").toAbsolutePath();
        Path p = here.getParent().resolve(module).resolve("target").resolve(jarName);
        if (!Files.exists(p)) {
            throw new IllegalStateException(p + " is missing: run the build through 'package' first");
        }
        return p;
    }

    public static Proc start(String name, Path jar, List<String> args, Map<String, String> env, Path logDir)
            throws IOException {
        return start(name, jar, List.of("-Xmx256m"), args, env, logDir);
    }

    /** Starts the jar in a JVM with the given options (a packaged unit's {@code JAVA_OPTS}, say). */
    public static Proc start(String name, Path jar, List<String> jvmOptions, List<String> args,
                             Map<String, String> env, Path logDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return new Proc(name, pb.start(), log);
    }

    /** Runs a command to completion and returns its exit code. */
    public static int run(String name, Path jar, List<String> args, Map<String, String> env, Path logDir)
            throws IOException, InterruptedException {
        try (Proc p = start(name, jar, args, env, logDir)) {
            if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not finish in 60 s");
            }
            return p.process.exitValue();
        }
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the process gets no chance to say goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** SIGTERM: a clean shutdown through the shutdown hook. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public static JsonObject awaitPorts(Path dir, Proc p) {
        Path ports = dir.resolve("ports.json");
        await(p.name + " writes ports.json").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException(p.name + " exited:\n" + p.output());
                    }
                    return Files.exists(ports) && Files.size(ports) > 2;
                });
        try {
            return new JsonObject(Files.readString(ports));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
