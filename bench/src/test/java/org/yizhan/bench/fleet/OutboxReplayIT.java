package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox replay bench end to end at a small size: an agent outbox of 3,000 events replayed into the hub jar,
 * every event found once in the hub's registry afterwards, and the figures written.
 */
class OutboxReplayIT {

    private static final Path HUB_JAR = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("hub-server/target/yizhan-hub.jar");

    @TempDir
    Path out;

    @Test
    void aBacklogIsReplayedIntoTheHubAndEveryEventIsStoredOnce() throws Exception {
        assertThat(HUB_JAR).as("the hub jar is built before the bench's integration tests").isRegularFile();
        boolean ok = OutboxReplay.run(3_000, HUB_JAR, out, List.of("-Xmx384m"));
        assertThat(ok).isTrue();
        String table = Files.readString(out.resolve("replay.md"));
        assertThat(table.lines().toList()).hasSize(3);
        String[] cells = table.lines().toList().get(2).split("\\|");
        assertThat(cells[1].trim()).isEqualTo("3000");
        assertThat(cells[6].trim()).as("stored at the hub").isEqualTo("3000");
        assertThat(cells[7].trim()).as("lost").isEqualTo("0");
        assertThat(cells[8].trim()).as("duplicated").isEqualTo("0");
        assertThat(Double.parseDouble(cells[3].trim())).as("events/s").isPositive();
    }
}
