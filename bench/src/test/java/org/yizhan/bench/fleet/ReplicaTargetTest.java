package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the broker-mode target reads from cluster.sh and which parts it measures, without starting a cluster. */
class ReplicaTargetTest {

    @Test
    void readsThePidFilesClusterShWrites(@TempDir Path pids) throws Exception {
        Files.writeString(pids.resolve("mosquitto.pid"), "4101 mosquitto\n");
        Files.writeString(pids.resolve("hub-1.pid"), "4230 java\n");
        Files.writeString(pids.resolve("postgres.pid"), "4150 postgres\n");
        Files.writeString(pids.resolve("notes.txt"), "not a pid file\n");

        assertThat(ReplicaTarget.pidFiles(pids))
                .isEqualTo(Map.of("mosquitto", 4101L, "hub-1", 4230L, "postgres", 4150L));
    }

    @Test
    void measuresTheBrokerEachHubAndBothStoresAndRefusesOtherReplicaCounts() {
        ReplicaTarget two = new ReplicaTarget(Path.of("cluster.sh"), Path.of("hub.jar"), Path.of("w"), 2, List.of());
        ReplicaTarget one = new ReplicaTarget(Path.of("cluster.sh"), Path.of("hub.jar"), Path.of("w"), 1, List.of());

        assertThat(two.name()).isEqualTo("hub-broker-2");
        assertThat(two.parts()).containsExactly("mosquitto", "hub-1", "hub-2", "questdb", "postgres");
        assertThat(one.name()).isEqualTo("hub-broker-1");
        assertThat(one.parts()).containsExactly("mosquitto", "hub-1", "questdb", "postgres");
        assertThatThrownBy(() -> new ReplicaTarget(Path.of("c"), Path.of("j"), Path.of("w"), 3, List.of()))
                .hasMessageContaining("1 or 2");
        one.close();
    }

    @Test
    void failsBeforeStartingAnythingWhenTheScriptIsMissing(@TempDir Path dir) {
        ReplicaTarget t = new ReplicaTarget(dir.resolve("none.sh"), dir.resolve("hub.jar"), dir, 1, List.of());

        assertThatThrownBy(() -> t.prepare(1, s -> { })).hasMessageContaining("none.sh not found");
        t.close();
    }
}
