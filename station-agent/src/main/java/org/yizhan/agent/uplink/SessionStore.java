package org.yizhan.agent.uplink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The MQTT session number, kept in the state directory so it grows across restarts: a late will from an
 * old session then never marks a reconnected station offline. Blocking file I/O: call from a worker.
 */
public final class SessionStore {

    private final Path file;

    public SessionStore(Path stateDir) {
        this.file = stateDir.resolve("session");
    }

    /** The last session number used, 0 when none. An unreadable file counts as 0 and is rewritten. */
    public long last() {
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            return Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Takes the next session number and makes it durable before returning it. */
    public long next() throws IOException {
        long n = last() + 1;
        Path tmp = file.resolveSibling("session.tmp");
        Files.writeString(tmp, Long.toString(n), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return n;
    }
}
