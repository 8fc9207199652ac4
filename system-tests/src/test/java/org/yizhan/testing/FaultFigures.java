package org.yizhan.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The fault suite's figures: each run appends one line to {@code target/fault-figures.txt} (and logs it), which
 * {@code bench/RESULTS.md} quotes with the command that produced it.
 */
public final class FaultFigures {

    private static final Logger LOG = LoggerFactory.getLogger(FaultFigures.class);
    private static final Path FILE = Path.of("target", "fault-figures.txt");

    private FaultFigures() {
    }

    /** Whether the long mode ({@code -Dyizhan.fault.long=true}) asks for the full counts. */
    public static boolean longMode() {
        return Boolean.getBoolean("yizhan.fault.long");
    }

    /** A count: {@code -D<property>} if given, else the long or the short default. */
    public static int count(String property, int shortMode, int longMode) {
        return Integer.getInteger(property, longMode() ? longMode : shortMode);
    }

    public static synchronized void record(String test, String figures) {
        String line = Instant.now() + " " + test + ": " + figures;
        LOG.info("FAULT {}", line);
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
