package org.yizhan.agent.cli;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;

/** The running agent's local HTTP port, from {@code ports.json} in its state directory, for the CLI's commands. */
final class LocalAgent {

    private LocalAgent() {
    }

    /** The port, or empty (said on {@code err}) when the agent does not run or the file cannot be read. */
    static OptionalInt port(Path dir, PrintStream err) {
        try {
            JsonObject ports = new JsonObject(Files.readString(dir.resolve("ports.json"), StandardCharsets.UTF_8));
            return OptionalInt.of(ports.getInteger("http"));
        } catch (NoSuchFileException e) {
            err.println("The agent is not running (no " + dir.resolve("ports.json") + ").");
        } catch (IOException | RuntimeException e) {
            err.println("Cannot read " + dir.resolve("ports.json") + ": " + e.getMessage());
        }
        return OptionalInt.empty();
    }
}
