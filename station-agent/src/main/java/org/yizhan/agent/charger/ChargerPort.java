package org.yizhan.agent.charger;

import io.vertx.core.json.JsonObject;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.Telemetry;
import org.yizhan.protocol.Ulid;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One charger port's state machine. Without a session: {@code available}, or {@code occupied} when a bike is
 * plugged in. A session (started by {@link #start}) closes the relay: {@code occupied} until the bike draws
 * power, then {@code charging}; when power stays under {@code fullThresholdW} for {@code fullAfterSeconds} the
 * battery is full and the port is {@code finishing} (float charge) for up to {@code floatMaxSeconds}, after
 * which the session ends as {@code full} and the relay opens. Unplugging ends a session as {@code unplugged}; the
 * session's time limit as {@code time-limit}. {@code disabled} (operator) and {@code faulted} (safety cut-off,
 * cleared only by an operator) apply from any state and end a running session.
 * <p>
 * Pure logic on the caller's clock ({@code now}, epoch ms, passed in, so tests run minutes in microseconds):
 * every call returns whether the relay must be closed, and the owner drives it.
 */
public final class ChargerPort {

    /** Above this a plugged bike counts as drawing power. */
    static final double DRAWING_W = 5.0;
    /** A session started before the bike is plugged in ends as unplugged if no bike comes within this time. */
    static final long PLUG_GRACE_MS = 120_000;

    /** What the caller must do after a call: set the relay. */
    public record Decision(boolean relayClosed) {
    }

    /** Receives what a port reports: events, and each ended session (for quotas). */
    public interface Events {
        void emit(String type, JsonObject data);

        default void ended(Session.Ended session) {
        }
    }

    private final int port;
    private volatile StationConfig.Rules rules;
    private ChargerState state = ChargerState.AVAILABLE;
    private boolean enabled = true;
    private Optional<String> fault = Optional.empty();
    private boolean plugged;
    private double powerW;
    private OptionalDouble currentA = OptionalDouble.empty();
    private OptionalDouble tempC = OptionalDouble.empty();
    private long lastSampleAt;

    private Optional<Session> session = Optional.empty();
    private double energyWh;
    private boolean bikeSeen;
    private boolean drew;
    private long belowSince = -1;
    private long finishingSince = -1;

    public ChargerPort(int port, StationConfig.Rules rules) {
        this.port = port;
        this.rules = rules;
    }

    public int port() {
        return port;
    }

    public void setRules(StationConfig.Rules rules) {
        this.rules = rules;
    }

    public ChargerState state() {
        return state;
    }

    public double powerW() {
        return powerW;
    }

    public double energyWh() {
        return energyWh;
    }

    public boolean plugged() {
        return plugged;
    }

    public boolean enabled() {
        return enabled;
    }

    public Optional<String> fault() {
        return fault;
    }

    public Optional<Session> session() {
        return session;
    }

    public Telemetry.Charger telemetry() {
        return new Telemetry.Charger(port, state, round(powerW), round(energyWh), tempC);
    }

    /** Status for the local page: state, readings, the running session and the fault cause. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject().put("port", port).put("state", state.wireName()).put("plugged", plugged)
                .put("powerW", round(powerW)).put("energyWh", round(energyWh));
        currentA.ifPresent(a -> o.put("currentA", Math.round(a * 1000) / 1000.0));
        tempC.ifPresent(t -> o.put("tempC", t));
        session.ifPresent(s -> o.put("session", s.toJson()));
        fault.ifPresent(f -> o.put("fault", f));
        return o;
    }

    /** Applies a meter reading taken at {@code now}. */
    public Decision update(PowerReading r, long now, Events events) {
        if (session.isPresent() && lastSampleAt > 0) {
            energyWh += powerW * Math.max(0, now - lastSampleAt) / 3_600_000.0;
        }
        lastSampleAt = now;
        plugged = r.plugged();
        tempC = r.tempC();
        currentA = r.currentA();
        powerW = r.plugged() ? r.powerW() : 0;
        if (session.isPresent()) {
            progress(now, events);
        }
        return evaluate();
    }

    private void progress(long now, Events events) {
        Session s = session.orElseThrow();
        if (plugged) {
            bikeSeen = true;
        } else if (bikeSeen || now - s.startedAt() >= PLUG_GRACE_MS) {
            end(Session.UNPLUGGED, now, events);
            return;
        }
        if (now >= s.endsBy()) {
            end(Session.TIME_LIMIT, now, events);
            return;
        }
        if (!plugged) {
            return;
        }
        if (powerW > DRAWING_W) {
            drew = true;
        }
        StationConfig.Rules r = rules;
        if (finishingSince < 0) {
            if (powerW < r.fullThresholdW()) {
                if (belowSince < 0) {
                    belowSince = now;
                }
                if (now - belowSince >= r.fullAfterSeconds() * 1000L) {
                    finishingSince = now;
                }
            } else {
                belowSince = -1;
            }
        }
        if (finishingSince >= 0 && now - finishingSince >= r.floatMaxSeconds() * 1000L) {
            end(Session.FULL, now, events);
        }
    }

    /**
     * Starts a session for {@code member} that ends by itself after {@code minutes} at the latest.
     *
     * @throws ChargerException {@code faulted}, {@code disabled} or {@code busy} when the port cannot start one
     */
    public Session start(String member, int minutes, long now, Events events) {
        if (fault.isPresent()) {
            throw new ChargerException("faulted", "port " + port + " is faulted (" + fault.get()
                    + ") until an operator clears it");
        }
        if (!enabled) {
            throw new ChargerException("disabled", "port " + port + " is disabled");
        }
        if (session.isPresent()) {
            throw new ChargerException("busy", "port " + port + " already has a session running");
        }
        int capped = Math.min(minutes, StationConfig.Rules.FORCED_END_MINUTES);
        Session s = new Session(Ulid.next(now), port, member, now, now + capped * 60_000L);
        session = Optional.of(s);
        energyWh = 0;
        lastSampleAt = now;
        bikeSeen = plugged;
        drew = false;
        belowSince = -1;
        finishingSince = -1;
        events.emit(EventType.CHARGER_SESSION_STARTED, s.toJson());
        evaluate();
        return s;
    }

    /** Ends the running session (if any) for {@code reason}; the relay opens. */
    public Decision stop(String reason, long now, Events events) {
        end(reason, now, events);
        return evaluate();
    }

    /** An operator disables or enables the port; disabling ends the session as stopped by the operator. */
    public Decision setEnabled(boolean on, long now, Events events) {
        if (!on) {
            end(Session.STOPPED_BY_OPERATOR, now, events);
        }
        enabled = on;
        return evaluate();
    }

    /** A safety cut-off: the session ends and the port stays faulted until {@link #clearFault}. */
    public Decision fault(String cause, long now, Events events) {
        boolean first = fault.isEmpty();
        fault = Optional.of(cause);
        end(Session.SAFETY_CUTOFF, now, events);
        if (first) {
            events.emit(EventType.CHARGER_FAULT, new JsonObject().put("port", port).put("cause", cause)
                    .put("active", true));
        }
        return evaluate();
    }

    /** An operator cleared the fault (the caller checked that its cause is gone). */
    public Decision clearFault(long now, Events events) {
        if (fault.isPresent()) {
            events.emit(EventType.CHARGER_FAULT, new JsonObject().put("port", port).put("cause", fault.get())
                    .put("active", false).put("clearedBy", "operator"));
        }
        fault = Optional.empty();
        return evaluate();
    }

    private void end(String reason, long now, Events events) {
        if (session.isEmpty()) {
            return;
        }
        if (lastSampleAt > 0 && now > lastSampleAt) {
            energyWh += powerW * (now - lastSampleAt) / 3_600_000.0;
            lastSampleAt = now;
        }
        Session.Ended e = new Session.Ended(session.get(), now, energyWh, reason);
        session = Optional.empty();
        belowSince = -1;
        finishingSince = -1;
        events.emit(EventType.CHARGER_SESSION_ENDED, e.toJson());
        events.ended(e);
    }

    private Decision evaluate() {
        if (fault.isPresent()) {
            state = ChargerState.FAULTED;
        } else if (!enabled) {
            state = ChargerState.DISABLED;
        } else if (session.isEmpty()) {
            state = plugged ? ChargerState.OCCUPIED : ChargerState.AVAILABLE;
        } else if (finishingSince >= 0) {
            state = ChargerState.FINISHING;
        } else if (powerW > DRAWING_W || drew) {
            state = ChargerState.CHARGING;
        } else {
            state = ChargerState.OCCUPIED;
        }
        return new Decision(session.isPresent() && fault.isEmpty() && enabled);
    }

    private static double round(double v) {
        return Math.round(v * 10.0) / 10.0;
    }
}
