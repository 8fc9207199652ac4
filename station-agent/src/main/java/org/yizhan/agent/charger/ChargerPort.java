package org.yizhan.agent.charger;

import io.vertx.core.json.JsonObject;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.EventType;
import org.yizhan.protocol.Telemetry;

import java.util.OptionalDouble;

/**
 * One charger port's state machine: available, occupied when a bike is plugged in, charging while it draws
 * power, back to available when unplugged; disabled by the hub; faulted while a safety cut-off holds. A
 * session starts when a bike is plugged in and ends with its energy when unplugged, stopped, disabled or cut off.
 * Pure logic: {@link #update} says whether the relay must be closed, the owner drives it.
 */
public final class ChargerPort {

    /** Above this a plugged bike counts as charging. */
    static final double CHARGING_THRESHOLD_W = 5.0;

    /** What the caller must do after an update: emit events (already done) and set the relay. */
    public record Decision(boolean relayClosed) {
    }

    /** Receives the events a port raises. */
    public interface Events {
        void emit(String type, JsonObject data);
    }

    private final int port;
    private ChargerState state = ChargerState.AVAILABLE;
    private boolean enabled = true;
    private boolean faulted;
    /** Set by stop, disable or a cut-off: the relay stays open until the bike is unplugged. */
    private boolean held;
    private boolean sessionActive;
    private long sessionStartedAt;
    private double energyWh;
    private double powerW;
    private OptionalDouble tempC = OptionalDouble.empty();
    private boolean plugged;
    private long lastSampleAt;

    public ChargerPort(int port) {
        this.port = port;
    }

    public int port() {
        return port;
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

    public Telemetry.Charger telemetry() {
        return new Telemetry.Charger(port, state, round(powerW), round(energyWh), tempC);
    }

    /** Applies a meter reading taken at {@code now}; returns whether the relay should be closed. */
    public Decision update(PowerReading r, long now, Events events) {
        if (sessionActive && lastSampleAt > 0) {
            energyWh += powerW * Math.max(0, now - lastSampleAt) / 3_600_000.0;
        }
        lastSampleAt = now;
        plugged = r.plugged();
        tempC = r.tempC();
        powerW = r.plugged() ? r.powerW() : 0;
        if (!plugged) {
            held = false;
            endSession("unplugged", now, events);
        }
        return evaluate(now, events);
    }

    private Decision evaluate(long now, Events events) {
        if (faulted) {
            state = ChargerState.FAULTED;
            return new Decision(false);
        }
        if (!enabled) {
            state = ChargerState.DISABLED;
            return new Decision(false);
        }
        if (!plugged) {
            state = ChargerState.AVAILABLE;
            return new Decision(false);
        }
        if (held) {
            state = ChargerState.OCCUPIED;
            return new Decision(false);
        }
        if (!sessionActive) {
            sessionActive = true;
            sessionStartedAt = now;
            energyWh = 0;
            events.emit(EventType.CHARGER_SESSION_STARTED, new JsonObject().put("port", port));
        }
        state = powerW > CHARGING_THRESHOLD_W ? ChargerState.CHARGING : ChargerState.OCCUPIED;
        return new Decision(true);
    }

    /** Ends the session and keeps the relay open until the bike is unplugged. */
    public Decision stop(String reason, long now, Events events) {
        if (plugged) {
            held = true;
        }
        endSession(reason, now, events);
        powerW = 0;
        return evaluate(now, events);
    }

    public Decision setEnabled(boolean on, long now, Events events) {
        if (!on) {
            endSession("disabled", now, events);
            if (plugged) {
                held = true;
            }
            powerW = 0;
        }
        enabled = on;
        return evaluate(now, events);
    }

    /** A safety cut-off (smoke): the port is faulted until the cause clears, and stays off until re-plugged. */
    public Decision cutOff(String reason, long now, Events events) {
        faulted = true;
        if (sessionActive) {
            events.emit(EventType.CHARGER_SAFETY_CUTOFF, new JsonObject().put("port", port).put("reason", reason));
        }
        endSession(reason, now, events);
        if (plugged) {
            held = true;
        }
        powerW = 0;
        return evaluate(now, events);
    }

    public Decision clearFault(long now, Events events) {
        faulted = false;
        return evaluate(now, events);
    }

    public boolean enabled() {
        return enabled;
    }

    private void endSession(String reason, long now, Events events) {
        if (!sessionActive) {
            return;
        }
        sessionActive = false;
        events.emit(EventType.CHARGER_SESSION_ENDED, new JsonObject().put("port", port)
                .put("energyWh", round(energyWh)).put("durationS", Math.max(0, now - sessionStartedAt) / 1000)
                .put("reason", reason));
    }

    private static double round(double v) {
        return Math.round(v * 10.0) / 10.0;
    }
}
