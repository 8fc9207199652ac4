package org.yizhan.hub.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class HubVertxTest {

    private final HubMetrics metrics = new HubMetrics();
    private final Vertx vertx = HubVertx.create(metrics);

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        metrics.unbindJvm();
    }

    @Test
    void reportsWorkerPoolsIntoTheHubsRegistryWithoutStationsInTheirNames() throws Exception {
        WorkerExecutor db = vertx.createSharedWorkerExecutor("yizhan-db");
        WorkerExecutor outbox = vertx.createSharedWorkerExecutor("yizhan-outbox-/srv/demo/st-abc123/outbox.db");
        db.executeBlocking(() -> 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        outbox.executeBlocking(() -> 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        String scrape = metrics.scrape();

        assertThat(scrape).contains("vertx_pool_completed_total{pool_name=\"yizhan-db\",pool_type=\"worker\"} 1.0")
                .contains("pool_name=\"" + HubMetrics.IN_PROCESS_AGENTS + "\"")
                .doesNotContain("st-abc123");
    }

    @Test
    void bindsTheJvmAndProcessMetersOnceAndReleasesThemAtUnbind() {
        metrics.bindJvm();
        metrics.bindJvm();

        assertThat(metrics.scrape()).contains("jvm_memory_used_bytes{area=\"heap\"", "jvm_gc_", "jvm_threads_live_threads",
                "process_cpu_usage", "process_uptime_seconds", "process_files_open_files", "jvm_classes_loaded_classes");
        metrics.unbindJvm();
        assertThat(metrics.scrape()).as("the meters stay, with their last values").contains("jvm_memory_used_bytes");
    }
}
