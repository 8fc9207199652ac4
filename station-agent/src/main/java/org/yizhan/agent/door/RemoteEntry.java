package org.yizhan.agent.door;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.pass.AccessControl;
import org.yizhan.agent.pass.AccessDecision;
import org.yizhan.agent.uplink.EventSink;
import org.yizhan.protocol.EventType;

import java.time.Clock;
import java.util.Optional;

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

    private final AccessControl access;
    private final EventSink events;
    private final Door door;
    private final Clock clock;

    /** {@code access} makes the checks every identified entry gets (revocation, room, hours). */
    public RemoteEntry(AccessControl access, EventSink events, Door door, Clock clock) {
        this.access = access;
        this.events = events;
        this.door = door;
        this.clock = clock;
    }

    /** Decides on a remote entry of {@code member} (a pseudonym) and releases the door for {@code seconds} on a grant. */
    public Future<AccessDecision> enter(String member, int seconds) {
        long now = clock.millis();
        Optional<String> who = Optional.of(member);
        Optional<String> refused = access.refusalFor(member);
        if (refused.isEmpty()) {
            AccessDecision granted = AccessDecision.granted(METHOD, member, now);
            return door.unlock(seconds, METHOD).map(v -> {
                emit(granted);
                return granted;
            });
        }
        AccessDecision d = AccessDecision.denied(refused.get(), METHOD, who, now);
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
