package org.yizhan.agent.update;

import io.vertx.core.json.JsonObject;
import org.yizhan.protocol.UpdateBundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent versions a station keeps, in {@code <state dir>/updates}, shared with the launcher
 * ({@code /usr/bin/yizhan-agent}), which reads the same files at every start:
 * <ul>
 * <li>{@code versions/<version>/yizhan-agent.jar}: installed updates (the current one and the one before);</li>
 * <li>{@code current}: the version the launcher runs; without it, the packaged jar;</li>
 * <li>{@code pending}: an update on trial, {@code key=value} lines: {@code version}, {@code previous} (the slot
 * to go back to, empty for the packaged jar), {@code restored} (the version that was running), {@code deadline}
 * (epoch seconds), {@code rollout}, {@code command}; {@code attempts} counts the launcher's starts of it;</li>
 * <li>{@code result.json}: how the last trial ended, for the next agent to report to the hub;</li>
 * <li>{@code last-command}: the id of the last {@code agent.update} taken, so a command delivered again after the
 * restart is not carried out twice.</li>
 * </ul>
 * The launcher gives up on a version that was started {@value #MAX_ATTEMPTS} times, or is past its deadline,
 * without passing its trial, and goes back to {@code previous}. All methods block (files): call them on a worker.
 */
public final class UpdateSlots {

    public static final int MAX_ATTEMPTS = 3;
    private static final Pattern TOKEN = Pattern.compile("[0-9A-Za-z._+~-]{0,64}");

    /** An update on trial. */
    public record Pending(String version, String previous, String restored, long deadlineSeconds, String rollout,
                          String command) {
    }

    private final Path dir;

    public UpdateSlots(Path stateDir) {
        this.dir = stateDir.resolve("updates");
    }

    public Path dir() {
        return dir;
    }

    /** Where the jar of {@code version} lives. */
    public Path jar(String version) {
        return dir.resolve("versions").resolve(checked(version)).resolve(UpdateBundle.JAR);
    }

    /** The slot the launcher runs, empty for the packaged jar. */
    public Optional<String> current() throws IOException {
        Path f = dir.resolve("current");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        String v = Files.readString(f, StandardCharsets.UTF_8).strip();
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    public Optional<Pending> pending() throws IOException {
        Path f = dir.resolve("pending");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        long deadline;
        try {
            deadline = Long.parseLong(kv.getOrDefault("deadline", "0"));
        } catch (NumberFormatException e) {
            deadline = 0;
        }
        return Optional.of(new Pending(kv.getOrDefault("version", ""), kv.getOrDefault("previous", ""),
                kv.getOrDefault("restored", ""), deadline, kv.getOrDefault("rollout", ""),
                kv.getOrDefault("command", "")));
    }

    /** Puts {@code p.version} on trial: the launcher runs it from the next start. */
    public void startTrial(Pending p) throws IOException {
        String body = "version=" + checked(p.version()) + "\nprevious=" + checked(p.previous()) + "\nrestored="
                + checked(p.restored()) + "\ndeadline=" + p.deadlineSeconds() + "\nrollout=" + checked(p.rollout())
                + "\ncommand=" + checked(p.command()) + "\n";
        Files.deleteIfExists(dir.resolve("attempts"));
        Files.deleteIfExists(dir.resolve("result.json"));
        write("pending", body);
        write("current", p.version() + "\n");
    }

    /** The trial passed: the version stays; versions other than it and the one before are deleted. */
    public void commit(Pending p) throws IOException {
        Files.deleteIfExists(dir.resolve("pending"));
        Files.deleteIfExists(dir.resolve("attempts"));
        Set<String> keep = p.previous().isEmpty() ? Set.of(p.version()) : Set.of(p.version(), p.previous());
        Path versions = dir.resolve("versions");
        if (Files.isDirectory(versions)) {
            try (DirectoryStream<Path> all = Files.newDirectoryStream(versions)) {
                for (Path v : all) {
                    if (!keep.contains(v.getFileName().toString())) {
                        deleteTree(v);
                    }
                }
            }
        }
    }

    /** The trial failed: the previous version runs from the next start, and the result waits to be reported. */
    public void rollBack(Pending p, String reason) throws IOException {
        writeResult(new JsonObject().put("version", p.version()).put("restored", p.restored())
                .put("reason", reason).put("rollout", p.rollout()));
        if (p.previous().isEmpty()) {
            Files.deleteIfExists(dir.resolve("current"));
        } else {
            write("current", p.previous() + "\n");
        }
        Files.deleteIfExists(dir.resolve("pending"));
        Files.deleteIfExists(dir.resolve("attempts"));
    }

    /** How the last trial that rolled back ended, not reported yet. */
    public Optional<JsonObject> result() throws IOException {
        Path f = dir.resolve("result.json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new JsonObject(Files.readString(f, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return Optional.of(new JsonObject().put("reason", "the launcher's result could not be read"));
        }
    }

    public void resultReported() throws IOException {
        Files.deleteIfExists(dir.resolve("result.json"));
    }

    private void writeResult(JsonObject result) throws IOException {
        write("result.json", result.encode() + "\n");
    }

    public Optional<String> lastCommand() throws IOException {
        Path f = dir.resolve("last-command");
        return Files.isRegularFile(f) ? Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip())
                : Optional.empty();
    }

    public void lastCommand(String id) throws IOException {
        write("last-command", checked(id) + "\n");
    }

    /** Free bytes where the versions are kept. */
    public long usableSpace() throws IOException {
        Files.createDirectories(dir);
        return Files.getFileStore(dir).getUsableSpace();
    }

    private void write(String name, String body) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, body, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Values go into a file the launcher's shell reads: only plain tokens. */
    private static String checked(String token) {
        if (!TOKEN.matcher(token).matches() || token.startsWith(".")) {
            throw new IllegalArgumentException("'" + token + "' is not a plain version or id");
        }
        return token;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path x : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
