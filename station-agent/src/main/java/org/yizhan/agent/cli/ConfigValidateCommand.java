package org.yizhan.agent.cli;

import org.yizhan.config.ConfigException;
import org.yizhan.config.StationConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** {@code yizhan-agent config validate FILE}: prints OK, or every problem of the station configuration in FILE. */
public final class ConfigValidateCommand {

    private final PrintStream out;
    private final PrintStream err;

    public ConfigValidateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Checks the configuration in {@code file}; returns the exit code. */
    public int run(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println("Error: " + file + " does not exist");
            return ExitCode.USAGE;
        } catch (IOException e) {
            err.println("Error: cannot read " + file + ": " + e.getMessage());
            return ExitCode.USAGE;
        }
        try {
            StationConfig.parse(text);
            out.println("OK");
            return ExitCode.OK;
        } catch (ConfigException e) {
            err.println(file + " has " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s") + ":");
            e.problems().forEach(p -> err.println("  " + p));
            return ExitCode.USAGE;
        }
    }
}
