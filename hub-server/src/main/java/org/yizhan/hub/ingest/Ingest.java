package org.yizhan.hub.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.commands.CommandDispatcher;
import org.yizhan.hub.deadletter.DeadLetterStore;
import org.yizhan.hub.events.EventStore;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.live.Bus;
import org.yizhan.hub.live.StationLive;
import org.yizhan.hub.metrics.HubMetrics;
import org.yizhan.hub.presence.PresenceTracker;
import org.yizhan.hub.timeseries.TimeSeries;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventsMessage;
import org.yizhan.protocol.Limits;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Message;
import org.yizhan.protocol.ProtocolException;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Telemetry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the hub does with each message a station sends, whatever transport brought it. Heartbeats and
 * telemetry stay in memory and go to the time series (no registry write); events are committed, and their ids
 * handed to {@link EventAcks}, before {@link #accept} completes, so the transport acknowledges them only then; a payload that breaks the contract
 * is counted and dead-lettered, and completes normally so it is acknowledged and cannot loop. So is each event of a
 * batch that breaks the contract or that the registry refuses for its content: the rest of its batch is stored. Only
 * a registry that cannot be written (a transient failure) fails {@link #accept}, so nothing is acknowledged.
 */
public final class Ingest {

    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
    /** Dead letters kept per station and minute; beyond that bad messages are only counted. */
    static final int DEAD_LETTERS_PER_MINUTE = 60;

    private final Vertx vertx;
    private final HubMetrics metrics;
    private final StationLive live;
    private final TimeSeries timeSeries;
    private final EventStore events;
    private final DeadLetterStore deadLetters;
    private final PresenceTracker presence;
    private final CommandDispatcher commands;
    private final EventEffects effects;
    private final Map<String, long[]> deadLetterBudget = new ConcurrentHashMap<>();
    private volatile EventAcks acks = EventAcks.NONE;
    private volatile boolean liveElsewhere;
    private volatile Births births = (stationId, agentVersion, at) -> { };
    private volatile Positions positions = (stationId, position, at) -> { };

    /** Told the position each stored telemetry carries (mobile stations follow it). */
    @FunctionalInterface
    public interface Positions {
        void position(String stationId, Telemetry.Position position, long at);
    }

    /** Told the agent version each stored birth names (agent updates keep what every station runs). */
    @FunctionalInterface
    public interface Births {
        void birth(String stationId, String agentVersion, long at);
    }

    public Ingest(Vertx vertx, HubMetrics metrics, StationLive live, TimeSeries timeSeries, EventStore events,
                  DeadLetterStore deadLetters, PresenceTracker presence, CommandDispatcher commands) {
        this(vertx, metrics, live, timeSeries, events, deadLetters, presence, commands, EventEffects.NONE);
    }

    /** With {@code effects} deriving sessions, alerts and the like from events and command results. */
    public Ingest(Vertx vertx, HubMetrics metrics, StationLive live, TimeSeries timeSeries, EventStore events,
                  DeadLetterStore deadLetters, PresenceTracker presence, CommandDispatcher commands,
                  EventEffects effects) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.live = live;
        this.timeSeries = timeSeries;
        this.events = events;
        this.deadLetters = deadLetters;
        this.presence = presence;
        this.commands = commands;
        this.effects = effects;
    }

    /**
     * Where acknowledgements of events go ({@code .../events/ack}); none until set. Every events payload is
     * acknowledged once its ids are settled: committed, already stored (a resend after a lost acknowledgement), or
     * dead-lettered (as far as its ids can be read), so a bad event cannot jam a station's outbox.
     */
    public void acknowledgeWith(EventAcks acks) {
        this.acks = acks;
    }

    /**
     * Handles a payload the station published on one of its up channels. Completes when the message may be
     * acknowledged; fails only when an event could not be stored (then it must not be acknowledged).
     */
    public Future<Void> accept(String stationId, Channel channel, String topic, byte[] payload, long receivedAt,
                               long startNanos) {
        metrics.messageIn(channel.suffix());
        presence.seen(stationId, receivedAt);
        Message m;
        try {
            m = Codec.decode(channel, payload);
        } catch (ProtocolException e) {
            return rejectAndAcknowledge(stationId, channel, topic, e.reason(), e.getMessage(), payload, receivedAt);
        } catch (RuntimeException e) {
            return rejectAndAcknowledge(stationId, channel, topic, "malformed", "$: " + e.getMessage(), payload,
                    receivedAt);
        }
        Future<Void> done = m instanceof EventsMessage em
                ? storeEvents(stationId, topic, em, receivedAt).map(settled -> {
                    acknowledge(stationId, settled);
                    return (Void) null;
                })
                : m instanceof CommandResult
                // a command's outcome is acknowledged (PUBACK) only once it would survive the hub being killed
                ? handle(stationId, m, receivedAt).compose(v -> events.durable())
                : handle(stationId, m, receivedAt);
        return done.onSuccess(v -> metrics.ingestLatencyNanos(System.nanoTime() - startNanos))
                .onFailure(err -> LOG.error("Storing {} from {} failed: {}", channel.suffix(), stationId, err.getMessage()));
    }

    private Future<Void> rejectAndAcknowledge(String stationId, Channel channel, String topic, String reason,
                                              String error, byte[] payload, long receivedAt) {
        Future<Void> kept = reject(Optional.of(stationId), topic, reason, error, payload, receivedAt);
        if (channel != Channel.EVENTS) {
            return kept;
        }
        return kept.compose(v -> events.durable()).map(v -> {
            acknowledge(stationId, EventsMessage.idsIn(payload));
            return v;
        });
    }

    /** Acknowledges the ids, at most {@link Limits#ACK_IDS} to an acknowledgement. */
    private void acknowledge(String stationId, List<String> ids) {
        for (int from = 0; from < ids.size(); from += Limits.ACK_IDS) {
            List<String> some = ids.subList(from, Math.min(ids.size(), from + Limits.ACK_IDS));
            try {
                acks.acknowledge(stationId, List.copyOf(some));
            } catch (RuntimeException e) {
                LOG.warn("Acknowledging {} events of {} failed: {}", some.size(), stationId, e.toString());
            }
        }
    }

    public void births(Births births) {
        this.births = births;
    }

    public void positions(Positions positions) {
        this.positions = positions;
    }

    /**
     * In broker mode every replica sees every station's telemetry, births and events through a subscription of its
     * own ({@code broker/LiveFeed}) and shows them with {@link #showLive}; what this replica stores through the
     * shared subscription is then not shown a second time from here.
     */
    public void liveElsewhere(boolean elsewhere) {
        this.liveElsewhere = elsewhere;
    }

    /**
     * Shows a validated telemetry or birth message on this replica's live view ({@link StationLive} and
     * {@link Bus#LIVE}): memory and the event bus only, nothing stored.
     */
    public void showLive(String stationId, Message m, long receivedAt) {
        if (m instanceof Telemetry t) {
            live.telemetry(stationId, t);
            live("telemetry", stationId, t.toJson());
        } else if (m instanceof StateMessage s && s.online()) {
            live.reportedConfig(stationId, s.configVersion(), receivedAt);
        }
    }

    /** Shows the station's events on this replica's live stream (each once: the caller leaves out repeats). */
    public void showEvents(String stationId, List<Event> events) {
        for (Event e : events) {
            live("event", stationId, new JsonObject().put("id", e.id()).put("stationId", stationId)
                    .put("ts", e.ts()).put("type", e.type()).put("data", e.data()));
        }
    }

    /**
     * Stores the events and dead-letters those that cannot be stored: the ones the codec rejected within the batch,
     * and the ones the registry refused for their content. Completes with every id that is settled (stored now or
     * before, or dead-lettered); fails, settling nothing, when the registry cannot be written.
     */
    private Future<List<String>> storeEvents(String stationId, String topic, EventsMessage em, long receivedAt) {
        Future<EventStore.Inserted<List<JsonObject>>> stored = em.events().isEmpty()
                ? Future.succeededFuture(new EventStore.Inserted<>(List.of(), List.of(), List.of()))
                : events.insertNew(stationId, em.events(), receivedAt, (c, fresh) -> effects.onEvents(c, stationId, fresh));
        return stored.compose(inserted -> {
            List<Event> fresh = inserted.fresh();
            if (!liveElsewhere) {
                showEvents(stationId, fresh);
            }
            if (fresh.size() + inserted.unstorable().size() < em.events().size()) {
                metrics.counter("yizhan_events_duplicates");
            }
            inserted.derived().forEach(this::publish);
            List<Future<Void>> kept = new ArrayList<>();
            for (EventsMessage.Rejected r : em.rejected()) {
                kept.add(reject(Optional.of(stationId), topic, r.error().reason(), r.error().getMessage(), r.payload(),
                        receivedAt));
            }
            for (EventStore.Unstorable u : inserted.unstorable()) {
                LOG.warn("Event {} from {} cannot be stored: {}", u.event().id(), stationId, u.error());
                kept.add(reject(Optional.of(stationId), topic, "unstorable",
                        "event " + u.event().id() + " cannot be stored: " + u.error(),
                        u.event().toJson().encode().getBytes(StandardCharsets.UTF_8), receivedAt));
            }
            // what is acknowledged must survive the hub being killed the next moment
            return Future.all(kept).compose(v -> events.durable()).map(v -> settledIds(em));
        });
    }

    /**
     * The ids of the payload once each: its events (stored now or before, or refused by the registry), then its
     * rejected events that have an id.
     */
    private static List<String> settledIds(EventsMessage em) {
        Set<String> ids = new LinkedHashSet<>();
        em.events().forEach(e -> ids.add(e.id()));
        em.rejected().forEach(r -> r.id().ifPresent(ids::add));
        return List.copyOf(ids);
    }

    private Future<Void> handle(String stationId, Message m, long receivedAt) {
        if (m instanceof Heartbeat h) {
            timeSeries.heartbeat(stationId, h, receivedAt);
            return Future.succeededFuture();
        }
        if (m instanceof Telemetry t) {
            timeSeries.telemetry(stationId, t, receivedAt);
            t.position().ifPresent(p -> positions.position(stationId, p, receivedAt));
            if (!liveElsewhere) {
                showLive(stationId, t, receivedAt);
            }
            return Future.succeededFuture();
        }
        if (m instanceof StateMessage s) {
            if (s.online()) {
                if (!liveElsewhere) {
                    showLive(stationId, s, receivedAt);
                }
                presence.birth(stationId, s.session(), receivedAt);
                births.birth(stationId, s.agent(), receivedAt);
            } else {
                presence.stateOffline(stationId, s.session(), s.reason().orElse(PresenceTracker.REASON_LOST), receivedAt);
            }
            return Future.succeededFuture();
        }
        if (m instanceof CommandResult r) {
            return commands.result(stationId, r, receivedAt)
                    .compose(recorded -> {
                        if (!recorded) {
                            metrics.rejected("command-unknown");
                            return Future.<Void>succeededFuture();
                        }
                        return effects.onCommandResult(stationId, r, receivedAt)
                                .map(list -> {
                                    list.forEach(this::publish);
                                    return (Void) null;
                                })
                                .recover(err -> {
                                    LOG.warn("Reacting to result of command {} from {} failed: {}", r.id(), stationId,
                                            err.getMessage());
                                    return Future.succeededFuture();
                                });
                    })
                    .recover(err -> {
                        LOG.warn("Recording result of command {} from {} failed: {}", r.id(), stationId, err.getMessage());
                        return Future.succeededFuture();
                    });
        }
        metrics.rejected("direction");
        return Future.succeededFuture();
    }

    /**
     * Counts a bad message by reason and keeps it in the dead-letter table (at most
     * {@value #DEAD_LETTERS_PER_MINUTE} a minute per station). Completes when it was kept, or could not be.
     */
    public Future<Void> reject(Optional<String> stationId, String topic, String reason, String error, byte[] payload,
                               long receivedAt) {
        metrics.rejected(reason);
        if (!withinBudget(stationId.orElse(""), receivedAt)) {
            return Future.succeededFuture();
        }
        return deadLetters.add(stationId, topic, error, payload, receivedAt)
                .onSuccess(v -> metrics.deadLetterKept())
                .recover(err -> {
                    LOG.warn("Keeping a dead letter from {} failed: {}", stationId.orElse("?"), err.getMessage());
                    return Future.succeededFuture();
                });
    }

    private boolean withinBudget(String stationId, long now) {
        long minute = now / 60_000;
        long[] b = deadLetterBudget.computeIfAbsent(stationId, k -> new long[]{minute, 0});
        synchronized (b) {
            if (b[0] != minute) {
                b[0] = minute;
                b[1] = 0;
            }
            return ++b[1] <= DEAD_LETTERS_PER_MINUTE;
        }
    }

    private void publish(JsonObject liveMessage) {
        Bus.publishLive(vertx, liveMessage);
    }

    private void live(String kind, String stationId, JsonObject data) {
        Bus.publishLive(vertx, new JsonObject().put("kind", kind).put("stationId", stationId).put("data", data));
    }
}
