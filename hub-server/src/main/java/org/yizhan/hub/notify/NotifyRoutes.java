package org.yizhan.hub.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.audit.AuditEntry;
import org.yizhan.hub.audit.AuditLog;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.hub.http.ApiException;
import org.yizhan.hub.http.Authenticator;
import org.yizhan.hub.http.JsonBody;
import org.yizhan.hub.http.QueryParams;
import org.yizhan.hub.http.Reply;
import org.yizhan.hub.http.Role;
import org.yizhan.protocol.Topics;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The notification settings and what became of each message:
 * <ul>
 *   <li>{@code GET|POST /api/v1/notify/channels}, {@code PUT|DELETE /api/v1/notify/channels/{id}} (admin): group
 *   robots and e-mail accounts ({@link Channel}); answers show secrets masked, and a masked or left-out secret in a
 *   PUT keeps the stored one; a channel a route uses cannot be deleted (409 {@code channel-in-use});</li>
 *   <li>{@code POST /api/v1/notify/channels/{id}/test} (admin): sends a test message at once; 200
 *   {@code {"delivered":true}}, or 502 {@code delivery-failed} with the robot's or server's answer;</li>
 *   <li>{@code GET|POST /api/v1/notify/routes}, {@code PUT|DELETE /api/v1/notify/routes/{id}} (admin):
 *   {@link Route}s;</li>
 *   <li>{@code GET /api/v1/notify/maintenance} (operator+) the windows not yet over; {@code POST} (technician+)
 *   {@code {"stationId","from","to","note"}} (epoch ms, at most {@value #MAX_WINDOW_DAYS} days, ending in the
 *   future); {@code DELETE /api/v1/notify/maintenance/{id}} (technician+);</li>
 *   <li>{@code GET /api/v1/notify/deliveries?status=pending|sent|failed&alertId=&limit=} (operator+): the newest
 *   messages with status, attempts, when due again and the last error.</li>
 * </ul>
 * Every change and test is audited ({@code notify.*}), with names and ids, never a secret.
 */
public final class NotifyRoutes implements HubFeature {

    static final int MAX_WINDOW_DAYS = 31;
    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,17}");
    private static final Logger LOG = LoggerFactory.getLogger(NotifyRoutes.class);
    private static final String CHANNELS = "/api/v1/notify/channels";
    private static final String ROUTES = "/api/v1/notify/routes";
    private static final String MAINTENANCE = "/api/v1/notify/maintenance";

    private final NotifyStore store;
    private final Sender sender;
    private final Clock clock;
    private final Authenticator auth;
    private final AuditLog audit;

    public NotifyRoutes(NotifyStore store, Sender sender, Clock clock, Authenticator auth, AuditLog audit) {
        this.store = store;
        this.sender = sender;
        this.clock = clock;
        this.auth = auth;
        this.audit = audit;
    }

    @Override
    public void mount(Router router) {
        auth.json(router.get(CHANNELS), Role.ADMIN, ctx -> store.channels().map(list -> Reply.ok(new JsonObject()
                .put("channels", new JsonArray(list.stream().map(Channel::view).toList())))));
        auth.json(router.post(CHANNELS), Role.ADMIN, refusals("notify.channel.create", "-"),
                audited("notify.channel.create", ctx -> "-", this::createChannel));
        auth.json(router.put(CHANNELS + "/:id"), Role.ADMIN, refusals("notify.channel.update", null),
                audited("notify.channel.update", ctx -> ctx.pathParam("id"), this::updateChannel));
        auth.json(router.delete(CHANNELS + "/:id"), Role.ADMIN, refusals("notify.channel.delete", null),
                audited("notify.channel.delete", ctx -> ctx.pathParam("id"), this::deleteChannel));
        auth.json(router.post(CHANNELS + "/:id/test"), Role.ADMIN, refusals("notify.channel.test", null),
                audited("notify.channel.test", ctx -> ctx.pathParam("id"), this::test));

        auth.json(router.get(ROUTES), Role.ADMIN, ctx -> store.routes().map(list -> Reply.ok(new JsonObject()
                .put("routes", new JsonArray(list.stream().map(Route::toJson).toList())))));
        auth.json(router.post(ROUTES), Role.ADMIN, refusals("notify.route.create", "-"),
                audited("notify.route.create", ctx -> "-", this::createRoute));
        auth.json(router.put(ROUTES + "/:id"), Role.ADMIN, refusals("notify.route.update", null),
                audited("notify.route.update", ctx -> ctx.pathParam("id"), this::updateRoute));
        auth.json(router.delete(ROUTES + "/:id"), Role.ADMIN, refusals("notify.route.delete", null),
                audited("notify.route.delete", ctx -> ctx.pathParam("id"), this::deleteRoute));

        auth.json(router.get(MAINTENANCE), Role.OPERATOR, ctx -> store.maintenance(clock.millis())
                .map(list -> Reply.ok(new JsonObject().put("maintenance", list))));
        auth.json(router.post(MAINTENANCE), Role.TECHNICIAN, refusals("notify.maintenance.create", "-"),
                audited("notify.maintenance.create", ctx -> "-", this::createWindow));
        auth.json(router.delete(MAINTENANCE + "/:id"), Role.TECHNICIAN, refusals("notify.maintenance.delete", null),
                audited("notify.maintenance.delete", ctx -> ctx.pathParam("id"), this::deleteWindow));

        auth.json(router.get("/api/v1/notify/deliveries"), Role.OPERATOR, this::deliveries);
    }

    /** The part of a request that runs once its audit entry is made; fails as {@link AuditLog#failures} says. */
    @FunctionalInterface
    private interface Audited {
        Future<Reply> run(RoutingContext ctx, AuditEntry entry);
    }

    private Function<RoutingContext, Future<Reply>> audited(String action, Function<RoutingContext, String> target,
                                                            Audited logic) {
        return ctx -> {
            String id = target.apply(ctx);
            AuditEntry entry = AuditEntry.by(ctx, action, kind(action), id == null || id.isEmpty() ? "-" : id);
            return audit.failures(entry, () -> logic.run(ctx, entry));
        };
    }

    private Authenticator.Refusals refusals(String action, String fixedTarget) {
        return fixedTarget == null ? audit.refusals(action, kind(action))
                : audit.refusals(action, kind(action), ctx -> fixedTarget);
    }

    private static String kind(String action) {
        return action.startsWith("notify.channel") ? "notify-channel"
                : action.startsWith("notify.route") ? "notify-route" : "maintenance";
    }

    // ---- channels ------------------------------------------------------------------------------------------

    private Future<Reply> createChannel(RoutingContext ctx, AuditEntry entry) {
        Channel ch = Channel.parse(0, JsonBody.of(ctx).json(), Optional.empty());
        return store.createChannel(ch, clock.millis(), audit.step(c -> entry.with("id", c.id()).with("name", c.name())
                .with("kind", c.kind().wireName()))).map(c -> {
                    LOG.info("User '{}' added notification channel {}", entry.actor(), c);
                    return new Reply(201, c.view());
                });
    }

    private Future<Reply> updateChannel(RoutingContext ctx, AuditEntry entry) {
        long id = id(ctx, "channel");
        JsonObject body = JsonBody.of(ctx).json();
        return store.channel(id).compose(old -> {
            Channel previous = old.orElseThrow(() -> notFound("channel"));
            Channel ch = Channel.parse(id, body, Optional.of(previous));
            return store.updateChannel(ch, clock.millis(), audit.step(c -> entry.with("name", c.name())
                    .with("kind", c.kind().wireName())));
        }).map(updated -> {
            Channel c = updated.orElseThrow(() -> notFound("channel"));
            LOG.info("User '{}' changed notification channel {}", entry.actor(), c);
            return Reply.ok(c.view());
        });
    }

    private Future<Reply> deleteChannel(RoutingContext ctx, AuditEntry entry) {
        long id = id(ctx, "channel");
        return store.deleteChannel(id, audit.step(x -> entry)).map(deleted -> {
            if (!deleted) {
                throw notFound("channel");
            }
            LOG.info("User '{}' deleted notification channel {}", entry.actor(), id);
            return Reply.ok(new JsonObject().put("id", id).put("deleted", true));
        });
    }

    private Future<Reply> test(RoutingContext ctx, AuditEntry entry) {
        long id = id(ctx, "channel");
        String by = Authenticator.principal(ctx).username();
        return store.channel(id).compose(found -> {
            Channel ch = found.orElseThrow(() -> notFound("channel"));
            long now = clock.millis();
            Message m = Messages.test(ch.name(), by, now, Route.DEFAULT_ZONE);
            return sender.send(ch, m).transform(ar -> {
                Optional<String> error = ar.succeeded() ? Optional.empty() : Optional.of(ch.scrub(
                        ar.cause() instanceof Sender.DeliveryFailed ? ar.cause().getMessage() : ar.cause().toString()));
                return store.record(ch.id(), m, error, now).compose(delivery -> {
                    if (error.isPresent()) {
                        LOG.warn("Test message to {} failed: {}", ch, error.get());
                        return Future.failedFuture(ApiException.of(502, "delivery-failed",
                                "The test message was not delivered: " + error.get()));
                    }
                    LOG.info("User '{}' sent a test message to {}", by, ch);
                    return audit.write(entry.with("delivered", true)).map(v -> Reply.ok(new JsonObject()
                            .put("delivered", true).put("deliveryId", delivery)));
                });
            });
        });
    }

    // ---- routes --------------------------------------------------------------------------------------------

    private Future<Reply> createRoute(RoutingContext ctx, AuditEntry entry) {
        Route r = Route.parse(0, JsonBody.of(ctx).json());
        return store.createRoute(r, clock.millis(), audit.step(s -> entry.with("id", s.id()).with("name", s.name())
                .with("channelId", s.channelId()))).map(s -> new Reply(201, s.toJson()));
    }

    private Future<Reply> updateRoute(RoutingContext ctx, AuditEntry entry) {
        long id = id(ctx, "route");
        Route r = Route.parse(id, JsonBody.of(ctx).json());
        return store.updateRoute(r, clock.millis(), audit.step(s -> entry.with("name", s.name())
                .with("channelId", s.channelId()).with("enabled", s.enabled())))
                .map(s -> Reply.ok(s.orElseThrow(() -> notFound("route")).toJson()));
    }

    private Future<Reply> deleteRoute(RoutingContext ctx, AuditEntry entry) {
        long id = id(ctx, "route");
        return store.deleteRoute(id, audit.step(x -> entry)).map(deleted -> {
            if (!deleted) {
                throw notFound("route");
            }
            return Reply.ok(new JsonObject().put("id", id).put("deleted", true));
        });
    }

    // ---- maintenance ---------------------------------------------------------------------------------------

    private Future<Reply> createWindow(RoutingContext ctx, AuditEntry entry) {
        JsonBody b = JsonBody.of(ctx);
        String station = b.string("stationId", 1, 40);
        if (!Topics.isValidStationId(station)) {
            throw ApiException.badField("stationId", "is not a station id");
        }
        long now = clock.millis();
        long from = epochMillis(b.json(), "from", now);
        long to = epochMillis(b.json(), "to", -1);
        if (to <= from) {
            throw ApiException.badField("to", "must be after from");
        }
        if (to <= now) {
            throw ApiException.badField("to", "is in the past");
        }
        if (to - from > MAX_WINDOW_DAYS * 86_400_000L) {
            throw ApiException.badField("to", "a window lasts at most " + MAX_WINDOW_DAYS + " days");
        }
        String note = b.optionalString("note", 0, 500).orElse("").strip();
        String by = Authenticator.principal(ctx).username();
        return store.createWindow(station, from, to, note, by, now, audit.step(w -> entry.with("id", w.getLong("id"))
                .with("stationId", station).with("from", from).with("to", to))).map(w -> new Reply(201, w));
    }

    private static long epochMillis(JsonObject body, String field, long dflt) {
        Object v = body.getValue(field);
        if (v == null && dflt >= 0) {
            return dflt;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0
                || n.doubleValue() > 8.64e15) {
            throw ApiException.badField(field, "must be a time in epoch milliseconds");
        }
        return n.longValue();
    }

    private Future<Reply> deleteWindow(RoutingContext ctx, AuditEntry entry) {
        long id = id(ctx, "maintenance window");
        return store.deleteWindow(id, audit.step(x -> entry)).map(deleted -> {
            if (!deleted) {
                throw notFound("maintenance window");
            }
            return Reply.ok(new JsonObject().put("id", id).put("deleted", true));
        });
    }

    // ---- deliveries ----------------------------------------------------------------------------------------

    private Future<Reply> deliveries(RoutingContext ctx) {
        QueryParams q = new QueryParams(ctx);
        Optional<String> status = q.matching("status", Pattern.compile("pending|sent|failed"),
                "must be pending, sent or failed");
        Optional<Long> alertId = q.string("alertId", 20).map(a -> {
            if (!ID.matcher(a).matches()) {
                throw ApiException.badField("alertId", "must be an alert id");
            }
            return Long.parseLong(a);
        });
        int limit = q.intValue("limit", 1, NotifyStore.MAX_LIMIT, 100);
        return store.deliveries(status, alertId, limit).map(d -> Reply.ok(new JsonObject().put("deliveries", d)));
    }

    private static long id(RoutingContext ctx, String what) {
        String id = ctx.pathParam("id");
        if (id == null || !ID.matcher(id).matches()) {
            throw notFound(what);
        }
        return Long.parseLong(id);
    }

    private static ApiException notFound(String what) {
        return ApiException.of(404, "not-found", "No such " + what);
    }
}
