package org.yizhan.agent.uplink;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.ProtocolException;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Decodes commands from {@code .../cmd}, refuses expired ones without running them, runs each id at most
 * once (a QoS 1 redelivery gets the same answer again), and answers every command that has an id on
 * {@code .../cmd/res}. Commands without a handler are answered {@code unsupported}. Runs on one context.
 */
public final class CommandDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
    private static final int REMEMBERED = 1000;

    private final Map<String, CommandHandler> handlers = new HashMap<>();
    private final Consumer<CommandResult> replies;
    private final LongSupplier clock;
    private final AtomicLong rejected = new AtomicLong();
    private final Map<String, Future<CommandResult>> seen = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Future<CommandResult>> eldest) {
            return size() > REMEMBERED;
        }
    };

    public CommandDispatcher(Consumer<CommandResult> replies, LongSupplier clock) {
        this.replies = replies;
        this.clock = clock;
    }

    public CommandDispatcher on(String name, CommandHandler handler) {
        handlers.put(name, handler);
        return this;
    }

    /** Malformed or refused commands so far. */
    public long rejected() {
        return rejected.get();
    }

    public void accept(Buffer payload) {
        Command cmd;
        try {
            cmd = Codec.decode(Channel.COMMAND, payload.getBytes(), Command.class);
        } catch (ProtocolException e) {
            rejected.incrementAndGet();
            String id = idOf(payload);
            LOG.warn("Rejected a command{}: {}", id.isEmpty() ? "" : " " + id, e.getMessage());
            if (!id.isEmpty()) {
                boolean unknownName = "name".equals(e.field()) && "range".equals(e.reason());
                replies.accept(CommandResult.failed(clock.getAsLong(), id, unknownName ? "unsupported" : "invalid",
                        e.getMessage()));
            }
            return;
        }
        Future<CommandResult> earlier = seen.get(cmd.id());
        if (earlier != null) {
            LOG.info("Command {} ({}) delivered again; answering without running it twice", cmd.id(), cmd.name());
            earlier.onSuccess(replies::accept);
            return;
        }
        Future<CommandResult> result = run(cmd);
        seen.put(cmd.id(), result);
        result.onSuccess(replies::accept);
    }

    private Future<CommandResult> run(Command cmd) {
        long now = clock.getAsLong();
        if (cmd.isExpired(now)) {
            rejected.incrementAndGet();
            LOG.warn("Command {} ({}) expired {} ms ago; not run", cmd.id(), cmd.name(), now - cmd.expiresAt());
            return Future.succeededFuture(CommandResult.failed(now, cmd.id(), "expired",
                    "the command expired at " + cmd.expiresAt() + " and was not carried out"));
        }
        CommandHandler h = handlers.get(cmd.name());
        if (h == null) {
            return Future.succeededFuture(CommandResult.failed(now, cmd.id(), "unsupported",
                    "this station does not support '" + cmd.name() + "'"));
        }
        LOG.info("Running command {} ({})", cmd.id(), cmd.name());
        Future<JsonObject> f;
        try {
            f = h.handle(cmd);
        } catch (CommandFailure e) {
            f = Future.failedFuture(e);
        } catch (RuntimeException e) {
            LOG.error("Command {} ({}) failed", cmd.id(), cmd.name(), e);
            f = Future.failedFuture(new CommandFailure("internal", "the station could not carry out the command"));
        }
        return f.map(data -> CommandResult.ok(clock.getAsLong(), cmd.id(), data))
                .recover(err -> {
                    String code = err instanceof CommandFailure cf ? cf.code() : "failed";
                    String msg = err.getMessage() == null ? err.toString() : err.getMessage();
                    return Future.succeededFuture(CommandResult.failed(clock.getAsLong(), cmd.id(), code, msg));
                });
    }

    private static String idOf(Buffer payload) {
        try {
            Object id = new JsonObject(payload).getValue("id");
            return id instanceof String s && !s.isBlank() && s.length() <= 64 ? s : "";
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** An integer argument in a range, or the default when absent. */
    public static int intArg(Command c, String name, int min, int max, int dflt) {
        Object v = c.args().getValue(name);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Integer || v instanceof Long)) {
            throw new CommandFailure("invalid", "args." + name + " must be a whole number");
        }
        long n = ((Number) v).longValue();
        if (n < min || n > max) {
            throw new CommandFailure("invalid", "args." + name + " must be " + min + " to " + max + ", was " + n);
        }
        return (int) n;
    }

    /** A required integer argument in a range. */
    public static int requiredIntArg(Command c, String name, int min, int max) {
        if (c.args().getValue(name) == null) {
            throw new CommandFailure("invalid", "args." + name + " is required");
        }
        return intArg(c, name, min, max, min);
    }
}
