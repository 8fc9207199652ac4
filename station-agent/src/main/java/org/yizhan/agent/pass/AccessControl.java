package org.yizhan.agent.pass;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.OpeningHours;
import org.yizhan.access.RiderPass;
import org.yizhan.agent.uplink.EventSink;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.EventType;

import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Decides at the door, on the station and offline, whether a presented rider pass lets its holder in. The
 * checks run in this order and the first that fails names the refusal: the text is a pass
 * ({@code unreadable}), its key id is one of the hub keys in the configuration ({@code unknown-key}), the
 * signature holds ({@code bad-signature}), now is inside its slot give or take the clock skew
 * ({@code expired}), the member is not on the revocation list ({@code revoked}), the member has not entered
 * with a pass of this slot here before ({@code replayed}, durable), the room has space ({@code room-full}) and
 * the station is open ({@code closed}). A grant releases the door. Every decision is an
 * {@code access.granted}/{@code access.denied} event with the method, the member pseudonym once the signature
 * is proven, and the reason.
 *
 * <p>Call {@link #present} on the station's context; presentations are decided one after another, so one pass
 * shown twice at once is granted at most once. Signature checks and storage run on worker threads.
 */
public final class AccessControl {

    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    private static final long PRUNE_EVERY_MS = 60_000;

    /** Releases the door for a granted entry; {@code method} says how ({@code "qr"}). */
    @FunctionalInterface
    public interface DoorRelease {
        Future<Void> release(String method);
    }

    private final Vertx vertx;
    private final AccessStore store;
    private final EventSink events;
    private final BooleanSupplier roomFull;
    private final DoorRelease door;
    private final Clock clock;
    private final Map<String, Long> counts = new TreeMap<>();
    private volatile PassKeys keys;
    private volatile StationConfig.Access config;
    private volatile OpeningHours hours;
    private volatile Optional<AccessDecision> last = Optional.empty();
    private Future<?> tail = Future.succeededFuture();
    private long pruneTimer = -1;

    public AccessControl(Vertx vertx, AccessStore store, StationConfig.Access config, EventSink events,
                         BooleanSupplier roomFull, DoorRelease door, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.events = events;
        this.roomFull = roomFull;
        this.door = door;
        this.clock = clock;
        configure(config);
    }

    /** Takes new hub keys, clock skew and opening hours (a configuration applied live). */
    public void configure(StationConfig.Access access) {
        this.hours = OpeningHours.parse(access.openingHours(), access.timeZone());
        this.keys = PassKeys.of(access);
        this.config = access;
        if (keys.size() == 0) {
            LOG.warn("No hub pass keys configured: rider passes cannot be accepted until the hub sends them");
        }
    }

    public Future<Void> start() {
        pruneTimer = vertx.setPeriodic(PRUNE_EVERY_MS, t -> store.prune(clock.millis())
                .onFailure(err -> LOG.warn("Pruning used passes failed: {}", err.toString())));
        return store.prune(clock.millis()).mapEmpty();
    }

    public void stop() {
        if (pruneTimer >= 0) {
            vertx.cancelTimer(pruneTimer);
            pruneTimer = -1;
        }
    }

    /** The latest decision, if any since start. */
    public Optional<AccessDecision> last() {
        return last;
    }

    /** Decisions since start by reason ({@code "ok"} for grants). */
    public synchronized JsonObject counts() {
        JsonObject o = new JsonObject();
        counts.forEach(o::put);
        return o;
    }

    /** Replaces the revocation list unless {@code version} is older than the one held; completes with whether it did. */
    public Future<Boolean> syncRevoked(List<String> pseudonyms, long version) {
        return store.replaceRevoked(pseudonyms, version).onSuccess(applied -> {
            if (applied) {
                LOG.info("Revocation list version {} applied: {} members", version, pseudonyms.size());
            } else {
                LOG.info("Revocation list version {} is older than {}; ignored", version, store.revocationVersion());
            }
        });
    }

    /** Applies a delta of the revocation list when the list held is of a version from {@code from} to {@code to}. */
    public Future<AccessStore.DeltaOutcome> applyRevokedDelta(long from, long to, List<String> add, List<String> remove) {
        return store.applyDelta(from, to, add, remove).onSuccess(outcome -> {
            switch (outcome) {
                case APPLIED -> LOG.info("Revocation list version {} applied: {} added, {} removed, {} members", to,
                        add.size(), remove.size(), store.revokedCount());
                case STALE -> LOG.info("Revocation delta to version {} ignored: version {} is held", to,
                        store.revocationVersion());
                case GAP -> LOG.warn("Revocation delta from version {} refused: only version {} is held", from,
                        store.revocationVersion());
                default -> {
                }
            }
        });
    }

    public long revocationVersion() {
        return store.revocationVersion();
    }

    /** How many members the revocation list held names. */
    public int revokedCount() {
        return store.revokedCount();
    }

    /** Decides on the text of a QR code shown at the door. */
    public Future<AccessDecision> present(String text, String method) {
        Future<AccessDecision> f = tail.transform(x -> decide(text, method));
        tail = f;
        return f;
    }

    /**
     * A pass that passed the checks every use of a pass shares, or the refusal: {@code refusal} empty means the
     * pass is genuine, current, not revoked and not yet used for the purpose in its slot; then {@code member},
     * {@code slot} and {@code keepUntil} (how long its use must be remembered) are set.
     */
    public record PassCheck(Optional<String> refusal, Optional<String> member, long slot, long keepUntil) {
        static PassCheck refused(String reason, Optional<String> member) {
            return new PassCheck(Optional.of(reason), member, 0, 0);
        }

        public boolean ok() {
            return refusal.isEmpty();
        }
    }

    /**
     * Checks a pass for {@code purpose} without using it: readable, known key, signature, validity window with the
     * clock skew, not revoked, not used for {@code purpose} in its slot. Door-only checks (room, hours) are not
     * made. Record the use with {@link #markUsed}.
     */
    public Future<PassCheck> check(String text, AccessStore.Purpose purpose) {
        long now = clock.millis();
        Optional<RiderPass> parsed = RiderPass.parse(text);
        if (parsed.isEmpty()) {
            return Future.succeededFuture(PassCheck.refused(AccessDecision.UNREADABLE, Optional.empty()));
        }
        RiderPass pass = parsed.get();
        Optional<PublicKey> key = keys.key(pass.kid());
        if (key.isEmpty()) {
            return Future.succeededFuture(PassCheck.refused(AccessDecision.UNKNOWN_KEY, Optional.empty()));
        }
        long skewMs = config.clockSkewSeconds() * 1000L;
        return vertx.executeBlocking(() -> pass.verify(key.get()), false).compose(valid -> {
            if (!valid) {
                return Future.succeededFuture(PassCheck.refused(AccessDecision.BAD_SIGNATURE, Optional.empty()));
            }
            Optional<String> member = Optional.of(pass.pseudonym());
            if (now < pass.notBeforeMillis() - skewMs || now >= pass.expiresAtMillis() + skewMs) {
                return Future.succeededFuture(PassCheck.refused(AccessDecision.EXPIRED, member));
            }
            if (store.isRevoked(pass.pseudonym())) {
                return Future.succeededFuture(PassCheck.refused(AccessDecision.REVOKED, member));
            }
            return store.used(pass.pseudonym(), pass.slot(), purpose).map(used -> used
                    ? PassCheck.refused(AccessDecision.REPLAYED, member)
                    : new PassCheck(Optional.empty(), member, pass.slot(), pass.expiresAtMillis() + skewMs));
        });
    }

    /** Records the use of a checked pass for {@code purpose}; completes with false when it was used already. */
    public Future<Boolean> markUsed(PassCheck checked, AccessStore.Purpose purpose) {
        if (!checked.ok()) {
            return Future.failedFuture(new IllegalArgumentException("the pass was refused: " + checked.refusal()));
        }
        return store.markUsed(checked.member().orElseThrow(), checked.slot(), checked.keepUntil(), purpose);
    }

    /**
     * Decides for someone identified without a pass (by face): {@code refusal} when the identification itself
     * failed ({@code no-match}, {@code not-live}); otherwise the member is checked against the revocation list,
     * the room and the opening hours, and a grant releases the door. Decided in turn with pass presentations.
     */
    public Future<AccessDecision> presentIdentified(String method, Optional<String> member, Optional<String> refusal) {
        Future<AccessDecision> f = tail.transform(x -> decideIdentified(method, member, refusal));
        tail = f;
        return f;
    }

    /**
     * Why the door stays shut now for a member already identified: {@code revoked}, {@code room-full} or
     * {@code closed}; empty when it may open.
     */
    public Optional<String> refusalFor(String member) {
        if (store.isRevoked(member)) {
            return Optional.of(AccessDecision.REVOKED);
        }
        if (roomFull.getAsBoolean()) {
            return Optional.of(AccessDecision.ROOM_FULL);
        }
        if (!hours.isOpen(clock.instant())) {
            return Optional.of(AccessDecision.CLOSED);
        }
        return Optional.empty();
    }

    private Future<AccessDecision> decideIdentified(String method, Optional<String> member, Optional<String> refusal) {
        long now = clock.millis();
        if (refusal.isPresent() || member.isEmpty()) {
            return finish(AccessDecision.denied(refusal.orElse(AccessDecision.UNREADABLE), method, member, now));
        }
        Optional<String> refused = refusalFor(member.get());
        if (refused.isPresent()) {
            return finish(AccessDecision.denied(refused.get(), method, member, now));
        }
        return door.release(method).transform(ar -> {
            if (ar.failed()) {
                LOG.error("Door release for {} failed: {}", member.get(), ar.cause().toString());
            }
            return finish(AccessDecision.granted(method, member.get(), now));
        });
    }

    private Future<AccessDecision> decide(String text, String method) {
        long now = clock.millis();
        return check(text, AccessStore.Purpose.ENTRY).compose(c -> {
            if (!c.ok()) {
                return finish(AccessDecision.denied(c.refusal().get(), method, c.member(), now));
            }
            Optional<String> member = c.member();
            if (roomFull.getAsBoolean()) {
                return finish(AccessDecision.denied(AccessDecision.ROOM_FULL, method, member, now));
            }
            if (!hours.isOpen(clock.instant())) {
                return finish(AccessDecision.denied(AccessDecision.CLOSED, method, member, now));
            }
            return markUsed(c, AccessStore.Purpose.ENTRY).compose(fresh -> {
                if (!fresh) {
                    return finish(AccessDecision.denied(AccessDecision.REPLAYED, method, member, now));
                }
                // the decision is told once the relay has been commanded, so whoever sees "granted" finds the door open
                return door.release(method).transform(ar -> {
                    if (ar.failed()) {
                        LOG.error("Door release for {} failed: {}", member.orElse("?"), ar.cause().toString());
                    }
                    return finish(AccessDecision.granted(method, member.orElseThrow(), now));
                });
            });
        });
    }

    private Future<AccessDecision> finish(AccessDecision d) {
        last = Optional.of(d);
        synchronized (this) {
            counts.merge(d.reason(), 1L, Long::sum);
        }
        events.emit(d.granted() ? EventType.ACCESS_GRANTED : EventType.ACCESS_DENIED, d.eventData());
        if (d.granted()) {
            LOG.info("Access granted to {} ({})", d.member().orElse("?"), d.method());
        } else {
            LOG.info("Access denied ({}, {}){}", d.reason(), d.method(), d.member().map(m -> " to " + m).orElse(""));
        }
        return Future.succeededFuture(d);
    }
}
