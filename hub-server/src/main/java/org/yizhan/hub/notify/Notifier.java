package org.yizhan.hub.notify;

import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.metrics.HubMetrics;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns alerts into messages and delivers them: every {@link #TICK_MS}, and at once when an alert changes (a live
 * {@code alert} message), one {@link #pass}: plan ({@link NotifyStore#plan}), then send what is due. Each message is
 * claimed before it is sent, so hubs on one registry share the work and never send one twice; a failed try is
 * tried again with growing delays ({@link NotifyStore#RETRY_DELAYS_MS}) up to {@link NotifyStore#MAX_ATTEMPTS},
 * then shown as failed. Counted in {@code yizhan_notify_deliveries{channel,outcome=sent|retry|failed}}; the
 * messages pending and given up are the gauge {@code yizhan_notify_outbox{status}}. Time comes from the clock given,
 * so the rules can be tested with a clock that is moved by hand.
 */
public final class Notifier implements HubFeature {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    public static final long TICK_MS = 1_000;
    /** How long a claim keeps other hubs off a message: far longer than a try may take. */
    static final long CLAIM_MS = 120_000;
    static final int DELIVERIES_PER_PASS = 20;
    /** How often (in passes) the gauges are read from the registry. */
    private static final int COUNT_EVERY = 10;

    private final Vertx vertx;
    private final NotifyStore store;
    private final Sender sender;
    private final Clock clock;
    private final HubMetrics metrics;
    private final String holder = "hub-" + UUID.randomUUID();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long timer = -1;
    private MessageConsumer<JsonObject> consumer;
    private boolean running;
    private boolean again;
    private int passes;
    private Future<Void> current = Future.succeededFuture();

    public Notifier(Vertx vertx, NotifyStore store, Sender sender, Clock clock, HubMetrics metrics) {
        this.vertx = vertx;
        this.store = store;
        this.sender = sender;
        this.clock = clock;
        this.metrics = metrics;
        metrics.registry().gauge("yizhan_notify_outbox", Tags.of("status", NotifyStore.PENDING), pending);
        metrics.registry().gauge("yizhan_notify_outbox", Tags.of("status", NotifyStore.FAILED), failed);
    }

    @Override
    public Future<Void> start() {
        consumer = vertx.eventBus().<JsonObject>consumer(Bus.LIVE, m -> {
            if ("alert".equals(m.body().getString("kind"))) {
                wake();
            }
        });
        timer = vertx.setPeriodic(TICK_MS, t -> wake());
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
        consumer = null;
        // a pass under way finishes (its claims recorded) before the database closes
        return unregistered.transform(x -> current).otherwiseEmpty().eventually(sender::close);
    }

    private void wake() {
        if (running) {
            again = true;
            return;
        }
        running = true;
        current = pass().onComplete(ar -> {
            running = false;
            if (ar.failed()) {
                LOG.warn("Notification pass failed: {}", ar.cause().toString());
            }
            if (again && timer >= 0) {
                again = false;
                wake();
            }
        });
    }

    /** One pass at the clock's time: plan, then deliver what is due (at most {@link #DELIVERIES_PER_PASS}). */
    public Future<Void> pass() {
        long now = clock.millis();
        return store.plan(now).compose(queued -> store.due(now, DELIVERIES_PER_PASS))
                .compose(ids -> Future.join(ids.stream().map(this::deliver).toList()))
                .compose(v -> ++passes % COUNT_EVERY == 1 ? store.counts().map(this::gauges) : Future.succeededFuture())
                .mapEmpty();
    }

    private Void gauges(Map<String, Long> counts) {
        pending.set(counts.getOrDefault(NotifyStore.PENDING, 0L));
        failed.set(counts.getOrDefault(NotifyStore.FAILED, 0L));
        return null;
    }

    private Future<Void> deliver(long id) {
        long now = clock.millis();
        return store.claim(id, holder, now, now + CLAIM_MS).compose(claimed -> {
            if (claimed.isEmpty()) {
                return Future.succeededFuture();
            }
            NotifyStore.Delivery d = claimed.get();
            Future<Void> sent = d.channel().map(ch -> sender.send(ch, d.message()))
                    .orElseGet(() -> Future.failedFuture(new Sender.DeliveryFailed("the channel was deleted")));
            return sent.transform(ar -> {
                Optional<String> error = ar.succeeded() ? Optional.empty() : Optional.of(reason(d, ar.cause()));
                return store.finish(id, holder, clock.millis(), error).map(status -> {
                    String channel = d.channel().map(c -> c.kind().wireName()).orElse("deleted");
                    String outcome = error.isEmpty() ? "sent" : NotifyStore.FAILED.equals(status) ? "failed" : "retry";
                    metrics.counter("yizhan_notify_deliveries", "channel", channel, "outcome", outcome);
                    String who = d.channel().map(Channel::toString).orElse("a deleted channel");
                    if (error.isEmpty()) {
                        LOG.info("Notification {} ({}) sent to {}", id, d.kind(), who);
                    } else if (outcome.equals("failed")) {
                        LOG.error("Notification {} ({}) to {} failed {} times, given up: {}", id, d.kind(), who,
                                d.attempts() + 1, error.get());
                    } else {
                        LOG.warn("Notification {} ({}) to {} failed (try {}), will try again: {}", id, d.kind(), who,
                                d.attempts() + 1, error.get());
                    }
                    return (Void) null;
                });
            });
        });
    }

    private static String reason(NotifyStore.Delivery d, Throwable cause) {
        String text = cause instanceof Sender.DeliveryFailed ? cause.getMessage() : cause.toString();
        return d.channel().map(ch -> ch.scrub(text)).orElse(text);
    }
}
