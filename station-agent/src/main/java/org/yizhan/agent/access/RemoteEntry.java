package org.yizhan.agent.access;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.event.EventSink;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.EventType;

import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Scan-to-enter on the station's side: the hub checked the member and the kiosk's nonce and sent
 * {@code door.unlock} with {@code args.member}; the station still refuses a member on its revocation list
 * ({@code revoked}), a full room ({@code room-full}) and closed hours ({@code closed}), and otherwise releases
 * the door. Each decision is an {@code access.granted}/{@code access.denied} event with method {@code remote}.
 * Call on the station's context.
 */
public final class RemoteEntry {

    public static final String METHOD = "remote";
    private static final Logger LOG = LoggerFactory.getLogger(RemoteEntry.class);

    /** Releases the door for {@code seconds}; {@code method} says why. */
    @FunctionalInterface
    public interface Door {
        Future<Void> unlock(int seconds, String method);
    }

    private final AccessStore store;
    private final EventSink events;
    private final BooleanSupplier roomFull;
    private final Door door;
    private final Clock clock;
    private volatile OpeningHours hours;

    public RemoteEntry(AccessStore store, StationConfig.Access config, EventSink events, BooleanSupplier roomFull,
                       Door door, Clock clock) {
        this.store = store;
        this.events = events;
        this.roomFull = roomFull;
        this.door = door;
        this.clock = clock;
        configure(config);
    }

    public void configure(StationConfig.Access access) {
        this.hours = OpeningHours.parse(access.openingHours(), access.timeZone());
    }

    /** Decides on a remote entry of {@code member} (a pseudonym) and releases the door for {@code seconds} on a grant. */
    public Future<AccessDecision> enter(String member, int seconds) {
        long now = clock.millis();
        Optional<String> who = Optional.of(member);
        AccessDecision d;
        if (store.isRevoked(member)) {
            d = AccessDecision.denied(AccessDecision.REVOKED, METHOD, who, now);
        } else if (roomFull.getAsBoolean()) {
            d = AccessDecision.denied(AccessDecision.ROOM_FULL, METHOD, who, now);
        } else if (!hours.isOpen(clock.instant())) {
            d = AccessDecision.denied(AccessDecision.CLOSED, METHOD, who, now);
        } else {
            AccessDecision granted = AccessDecision.granted(METHOD, member, now);
            return door.unlock(seconds, METHOD).map(v -> {
                emit(granted);
                return granted;
            });
        }
        emit(d);
        return Future.succeededFuture(d);
    }

    private void emit(AccessDecision d) {
        events.emit(d.granted() ? EventType.ACCESS_GRANTED : EventType.ACCESS_DENIED, d.eventData());
        if (d.granted()) {
            LOG.info("Remote entry granted to {}", d.member().orElse("?"));
        } else {
            LOG.info("Remote entry denied ({}) to {}", d.reason(), d.member().orElse("?"));
        }
    }
}
