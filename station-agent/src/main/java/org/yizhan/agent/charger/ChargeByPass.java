package org.yizhan.agent.charger;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.pass.AccessControl;
import org.yizhan.agent.pass.AccessDecision;
import org.yizhan.agent.pass.AccessStore;
import org.yizhan.agent.uplink.EventSink;
import org.yizhan.protocol.EventType;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Starts a charging session for the rider who shows a pass at a charger (the charger's own camera names the
 * port) or at the kiosk after choosing a port there ({@link #arm}: the next pass scanned within
 * {@link #ARMED_MILLIS} goes to that port). The pass goes through the same checks as at the door (signature,
 * validity, revocation) with a replay guard of its own, so the pass slot that opened the door can also start
 * one session; it never opens the door. Then the chargers start a session for the pass's member on the port,
 * with their own refusals ({@code busy}, {@code faulted}, {@code disabled}, {@code quota-exceeded},
 * {@code cabinet-limit}). A session started this way raises {@code charger.session_started} like the
 * {@code charger.start} command; a refused pass raises {@code access.denied} with {@code purpose: "charging"}.
 * Call on the station's context; presentations are decided one after another.
 */
public final class ChargeByPass {

    private static final Logger LOG = LoggerFactory.getLogger(ChargeByPass.class);
    /** How long a port chosen at the kiosk waits for a pass. */
    public static final long ARMED_MILLIS = 20_000;

    /** What showing a pass for a port led to; {@code sessionId} when a session started. */
    public record Decision(boolean granted, String reason, int port, Optional<String> sessionId,
                           Optional<String> member, long at) {
        public String decision() {
            return granted ? "granted" : "denied";
        }

        /** {@code {"decision","reason","port","sessionId"?}}: what the camera route answers and /status shows. */
        public JsonObject toJson() {
            JsonObject o = new JsonObject().put("decision", decision()).put("reason", reason).put("port", port)
                    .put("at", at);
            sessionId.ifPresent(id -> o.put("sessionId", id));
            return o;
        }
    }

    private final AccessControl access;
    private final Chargers chargers;
    private final EventSink events;
    private final LongSupplier clock;
    private final Map<String, Long> counts = new TreeMap<>();
    private Future<?> tail = Future.succeededFuture();
    private volatile Optional<Decision> last = Optional.empty();
    private int armedPort;
    private long armedUntil;

    public ChargeByPass(AccessControl access, Chargers chargers, EventSink events, LongSupplier clock) {
        this.access = access;
        this.chargers = chargers;
        this.events = events;
        this.clock = clock;
    }

    public boolean hasPort(int port) {
        return chargers.port(port).isPresent();
    }

    /** The next pass scanned within {@link #ARMED_MILLIS} starts a session on {@code port}; returns until when. */
    public synchronized long arm(int port) {
        if (!hasPort(port)) {
            throw new IllegalArgumentException("this station has no charger port " + port);
        }
        armedPort = port;
        armedUntil = clock.getAsLong() + ARMED_MILLIS;
        return armedUntil;
    }

    /** The port chosen at the kiosk, if still waiting for a pass; taking it disarms. */
    public synchronized Optional<Integer> takeArmed() {
        if (armedPort == 0) {
            return Optional.empty();
        }
        int port = armedPort;
        armedPort = 0;
        return clock.getAsLong() < armedUntil ? Optional.of(port) : Optional.empty();
    }

    /** The port waiting for a pass and until when, for the kiosk. */
    public synchronized Optional<JsonObject> armed() {
        return armedPort != 0 && clock.getAsLong() < armedUntil
                ? Optional.of(new JsonObject().put("port", armedPort).put("until", armedUntil)) : Optional.empty();
    }

    public Optional<Decision> last() {
        return last;
    }

    /** Decisions since start by reason ({@code "ok"} for sessions started). */
    public synchronized JsonObject counts() {
        JsonObject o = new JsonObject();
        counts.forEach(o::put);
        return o;
    }

    /** Decides on the text of a QR code shown for charging on {@code port}. */
    public Future<Decision> present(String text, int port) {
        Future<Decision> f = tail.transform(x -> decide(text, port));
        tail = f;
        return f;
    }

    private Future<Decision> decide(String text, int port) {
        long now = clock.getAsLong();
        return access.check(text, AccessStore.Purpose.CHARGING).compose(c -> {
            if (!c.ok()) {
                JsonObject data = new JsonObject().put("method", "qr").put("reason", c.refusal().get())
                        .put("purpose", "charging").put("port", port);
                c.member().ifPresent(m -> data.put("member", m));
                events.emit(EventType.ACCESS_DENIED, data);
                return finish(new Decision(false, c.refusal().get(), port, Optional.empty(), c.member(), now));
            }
            String member = c.member().orElseThrow();
            return chargers.startSession(port, member, chargers.rules().sessionLimitMinutes())
                    .compose(session -> access.markUsed(c, AccessStore.Purpose.CHARGING)
                            .recover(err -> {
                                LOG.error("Could not record the charging pass of {}: {}", member, err.toString());
                                return Future.succeededFuture(true);
                            })
                            .compose(x -> finish(new Decision(true, AccessDecision.GRANTED_REASON, port,
                                    Optional.of(session.id()), c.member(), now))))
                    .recover(err -> err instanceof ChargerException ce
                            ? finish(new Decision(false, ce.code(), port, Optional.empty(), c.member(), now))
                            : Future.failedFuture(err));
        });
    }

    private Future<Decision> finish(Decision d) {
        last = Optional.of(d);
        synchronized (this) {
            counts.merge(d.reason(), 1L, Long::sum);
        }
        if (d.granted()) {
            LOG.info("Charging on port {} started for {} by pass", d.port(), d.member().orElse("?"));
        } else {
            LOG.info("Charging on port {} by pass refused ({}){}", d.port(), d.reason(),
                    d.member().map(m -> " for " + m).orElse(""));
        }
        return Future.succeededFuture(d);
    }
}
