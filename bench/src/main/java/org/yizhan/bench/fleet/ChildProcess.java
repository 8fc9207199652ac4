package org.yizhan.bench.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server started by the bench, with its output in a log file. Closing it asks it to stop (SIGTERM), then kills
 * it after a timeout; a JVM shutdown hook closes any still running, so no server outlives the bench.
 */
final class ChildProcess implements AutoCloseable {

    private static final Set<ChildProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(RUNNING).forEach(ChildProcess::close),
                "yizhan-bench-children"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log)
            throws IOException {
        return start(name, command, env, log, null);
    }

    /** As {@link #start(String, List, Map, Path)}, in the working directory {@code dir} (null: this process's). */
    static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log, Path dir)
            throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        ChildProcess child = new ChildProcess(name, pb.start(), log);
        RUNNING.add(child);
        return child;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** The last lines of the log, for error messages. */
    String logTail(int lines) {
        return tail(log, lines);
    }

    /** The last lines of a log file, for error messages; says so when there is none. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Throws, with the log's tail, if the process has exited. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with status " + process.exitValue() + "; log " + log
                    + ":\n" + logTail(30));
        }
    }

    @Override
    public void close() {
        RUNNING.remove(this);
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
