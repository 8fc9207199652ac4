package org.yizhan.hub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub's Prometheus metrics. Names follow Prometheus conventions; scraped at {@code GET /metrics}.
 */
public final class HubMetrics {

    /** Reasons that are shown at zero from the start; others appear when first counted. */
    private static final List<String> REJECT_REASONS = List.of("bad-password", "unknown-station",
            "acl", "malformed", "too-large", "topic");
    /** The {@code pool_name} of Vert.x worker pools of station agents in the hub's process (demo mode). */
    static final String IN_PROCESS_AGENTS = "in-process-agents";
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    /** yizhan_mqtt_messages_in by channel (the contract's few up channels). */
    private final Map<String, Counter> messagesIn = new ConcurrentHashMap<>();
    private final Timer ingestLatency;
    /** The JVM binders that hold listeners (GC notifications) until closed; empty while unbound. */
    private final List<AutoCloseable> jvmBinders = new ArrayList<>();
    private boolean jvmBound;

    public HubMetrics() {
        // before any meter: pools of in-process agents are named after their state files (station ids, paths)
        registry.config().meterFilter(MeterFilter.replaceTagValues("pool_name",
                name -> name.contains("/") ? IN_PROCESS_AGENTS : name));
        registry.gauge("yizhan_mqtt_connections", connections);
        ingestLatency = Timer.builder("yizhan_ingest_latency")
                .description("Time from receiving an MQTT PUBLISH to having handled it (events: committed)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        // Counters that alerting rules watch exist from the start, at zero, so rate() works before the first error.
        registry.counter("yizhan_timeseries_write_errors");
        registry.counter("yizhan_dead_letters");
        for (String reason : REJECT_REASONS) {
            registry.counter("yizhan_mqtt_rejects", "reason", reason);
        }
    }

    /**
     * Adds the JVM and process meters (memory, GC, threads, class loading, CPU, uptime, file descriptors) to this
     * registry. A running hub binds them once at start and {@link #unbindJvm() unbinds} them at stop, so a JVM that
     * starts many hubs in turn keeps no GC listeners of stopped ones.
     */
    public synchronized void bindJvm() {
        if (jvmBound) {
            return;
        }
        jvmBound = true;
        new ClassLoaderMetrics().bindTo(registry);
        JvmMemoryMetrics memory = new JvmMemoryMetrics();
        memory.bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        jvmBinders.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Releases what {@link #bindJvm()} holds; the meters stay registered with their last values. */
    public synchronized void unbindJvm() {
        for (AutoCloseable c : jvmBinders) {
            try {
                c.close();
            } catch (Exception e) {
                // a binder that cannot close holds nothing more than before
            }
        }
        jvmBinders.clear();
        jvmBound = false;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public int connections() {
        return connections.get();
    }

    /** A message received from a station, by channel ({@code heartbeat}, {@code telemetry}, ...). */
    /** Counts a message by channel; the counter is looked up once per channel, not built from its tags per message. */
    public void messageIn(String type) {
        Counter c = messagesIn.get(type);
        if (c == null) {
            c = messagesIn.computeIfAbsent(type, t -> registry.counter("yizhan_mqtt_messages_in", "type", t));
        }
        c.increment();
    }

    /** A message or connection refused, by reason ({@code malformed}, {@code acl}, {@code bad-password}, ...). */
    public void rejected(String reason) {
        registry.counter("yizhan_mqtt_rejects", "reason", reason).increment();
    }

    public void ingestLatencyNanos(long nanos) {
        ingestLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A rejected message kept in the dead-letter table. */
    public void deadLetterKept() {
        registry.counter("yizhan_dead_letters").increment();
    }

    public void timeSeriesWriteError() {
        registry.counter("yizhan_timeseries_write_errors").increment();
    }

    public void counter(String name, String... tags) {
        registry.counter(name, tags).increment();
    }
}
