package org.yizhan.hub.commands;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.live.Bus;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;

/**
 * Moves commands through their life: delivers a new command when {@link Bus#COMMAND_DISPATCH} names it, and a
 * station's pending commands when it (re)subscribes to its {@code cmd} topic; marks them delivered on PUBACK,
 * records results, and expires those not done in time. Every status change is published on {@link Bus#LIVE}
 * as kind {@code command} with {@code {"id","status"}} (and {@code "result"} for a result).
 */
public final class CommandDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
    private static final long EXPIRE_EVERY_MILLIS = 1000;

    private final Vertx vertx;
    private final CommandStore store;
    private final CommandChannel channel;
    private MessageConsumer<Object> consumer;
    private long expireTimer = -1;
    private boolean expiring;

    public CommandDispatcher(Vertx vertx, CommandStore store, CommandChannel channel) {
        this.vertx = vertx;
        this.store = store;
        this.channel = channel;
    }

    public Future<Void> start() {
        consumer = vertx.eventBus().consumer(Bus.COMMAND_DISPATCH, msg -> {
            if (msg.body() instanceof String id) {
                dispatch(id);
            }
        });
        expireTimer = vertx.setPeriodic(EXPIRE_EVERY_MILLIS, t -> expireDue());
        return consumer.completion();
    }

    public Future<Void> stop() {
        vertx.cancelTimer(expireTimer);
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    /** Delivers one stored command if it is still pending and its station is reachable. */
    public Future<Void> dispatch(String id) {
        return store.pending(id).compose(p -> p.isPresent()
                ? send(p.get().stationId(), p.get().command())
                : Future.<Void>succeededFuture());
    }

    /** Delivers all of the station's pending, unexpired commands, oldest first. */
    public Future<Void> deliverPending(String stationId) {
        return store.pendingFor(stationId, System.currentTimeMillis()).compose(list -> {
            Future<Void> chain = Future.succeededFuture();
            for (Command c : list) {
                chain = chain.compose(v -> {
                    send(stationId, c);
                    return Future.<Void>succeededFuture();
                });
            }
            return chain;
        }).onFailure(err -> LOG.warn("Loading pending commands of {} failed: {}", stationId, err.getMessage()));
    }

    private Future<Void> send(String stationId, Command c) {
        if (c.isExpired(System.currentTimeMillis())) {
            return Future.succeededFuture();
        }
        return channel.deliver(stationId, c).compose(acked -> {
            if (!acked) {
                return Future.<Void>succeededFuture();
            }
            return store.markDelivered(c.id(), System.currentTimeMillis()).map(changed -> {
                if (changed) {
                    live(stationId, new JsonObject().put("id", c.id()).put("name", c.name()).put("status", CommandStore.DELIVERED));
                }
                return (Void) null;
            });
        }).onFailure(err -> LOG.warn("Delivering command {} to {} failed: {}", c.id(), stationId, err.getMessage()));
    }

    /** Records a station's {@code cmd/res}; false when the command is unknown, another station's, or already done. */
    public Future<Boolean> result(String stationId, CommandResult result, long at) {
        return store.complete(stationId, result, at).onSuccess(recorded -> {
            if (recorded) {
                JsonObject r = new JsonObject().put("ok", result.ok());
                result.error().ifPresent(e -> r.put("error", new JsonObject().put("code", e.code()).put("message", e.message())));
                if (!result.data().isEmpty()) {
                    r.put("data", result.data());
                }
                live(stationId, new JsonObject().put("id", result.id())
                        .put("status", result.ok() ? CommandStore.SUCCEEDED : CommandStore.FAILED).put("result", r));
            }
        });
    }

    /** Expires commands past their {@code expiresAt}; runs every second, never twice at once. */
    Future<Void> expireDue() {
        if (expiring) {
            return Future.succeededFuture();
        }
        expiring = true;
        return store.expire(System.currentTimeMillis())
                .map(list -> {
                    for (JsonObject c : list) {
                        live(c.getString("stationId"), new JsonObject().put("id", c.getString("id"))
                                .put("status", CommandStore.EXPIRED));
                    }
                    return (Void) null;
                })
                .onFailure(err -> LOG.warn("Expiring commands failed: {}", err.getMessage()))
                .eventually(() -> {
                    expiring = false;
                    return Future.succeededFuture();
                });
    }

    private void live(String stationId, JsonObject data) {
        vertx.eventBus().publish(Bus.LIVE, new JsonObject().put("kind", "command").put("stationId", stationId).put("data", data));
    }
}
