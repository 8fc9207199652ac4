package org.yizhan.agent.loads;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Telemetry;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The room's switched loads (lights, water heater, air conditioning): on by day; inside the night hours (in the
 * station's time zone) switched off once the room has been empty (occupancy 0) for {@code emptyMinutes}, and on
 * again at the first entry (the count rising above 0, or access granted at the door) or when the night ends. The
 * empty time counts from the moment the room emptied, or the last entry granted, whichever is later, even if that was
 * before the night began. Relays are switched through the GPIO worker; a switch that fails is tried again at the next
 * {@link #evaluate}. Runs on the station's context; {@code clock} is epoch ms.
 */
public final class RoomLoads {

    private static final Logger LOG = LoggerFactory.getLogger(RoomLoads.class);

    /** One load's state as last switched. */
    private static final class State {
        final StationConfig.Load load;
        final Relay relay;
        boolean on = true;
        long since;
        boolean applied;

        State(StationConfig.Load load, Relay relay, long since) {
            this.load = load;
            this.relay = relay;
            this.since = since;
        }
    }

    private final Gpio gpio;
    private final IntSupplier occupancy;
    private final Runnable changed;
    private final LongSupplier clock;
    private final Map<String, State> states = new LinkedHashMap<>();
    private volatile String nightHours;
    private volatile int emptyMinutes;
    private volatile ZoneId zone;
    /** When the room last became empty or an entry was granted; -1 while people are in. */
    private long emptySince;

    /**
     * Loads of {@code config} on their {@code relays} (by name, as {@code StationHardware.loadRelays()} gives them),
     * night hours read in {@code zone}, the room's count from {@code occupancy}.
     */
    public RoomLoads(Gpio gpio, Map<String, Relay> relays, StationConfig.RoomLoads config, ZoneId zone,
                     IntSupplier occupancy, Runnable changed, LongSupplier clock) {
        this.gpio = gpio;
        this.occupancy = occupancy;
        this.changed = changed;
        this.clock = clock;
        this.nightHours = config.nightHours();
        this.emptyMinutes = config.emptyMinutes();
        this.zone = zone;
        long now = clock.getAsLong();
        this.emptySince = now;
        for (StationConfig.Load l : config.loads()) {
            Relay r = relays.get(l.name());
            if (r == null) {
                throw new IllegalArgumentException("no relay wired for load " + l.name());
            }
            states.put(l.name(), new State(l, r, now));
        }
    }

    public boolean isEmpty() {
        return states.isEmpty();
    }

    /** Puts every load in its state for now (on, unless the room is already empty long enough at night). */
    public void start() {
        evaluate();
    }

    /** Takes new night hours, delay and time zone; the loads themselves are wired at start. */
    public void configure(StationConfig.RoomLoads config, ZoneId zone) {
        this.nightHours = config.nightHours();
        this.emptyMinutes = config.emptyMinutes();
        this.zone = zone;
        evaluate();
    }

    /** Access was granted at the door: someone is coming in, so the loads come on now. */
    public void entry() {
        if (emptySince >= 0) {
            emptySince = clock.getAsLong();
        }
        switchAll(true, "entry granted");
    }

    /** Applies the rule for the current count and time; call on every occupancy change and periodically. */
    public void evaluate() {
        long now = clock.getAsLong();
        if (occupancy.getAsInt() > 0) {
            emptySince = -1;
            switchAll(true, "someone is in the room");
            return;
        }
        if (emptySince < 0) {
            emptySince = now;
        }
        if (!isNight(now)) {
            switchAll(true, "day");
            return;
        }
        long emptyFor = now - emptySince;
        if (emptyFor >= emptyMinutes * 60_000L) {
            switchAll(false, "room empty for " + emptyFor / 60_000 + " min at night");
        } else {
            switchAll(null, null);
        }
    }

    /** Whether {@code at} falls inside the night hours, read in the station's time zone; a night may span midnight. */
    boolean isNight(long at) {
        String hours = nightHours;
        int start = minutes(hours.substring(0, 5));
        int end = minutes(hours.substring(6));
        LocalTime t = Instant.ofEpochMilli(at).atZone(zone).toLocalTime();
        int m = t.getHour() * 60 + t.getMinute();
        return start < end ? m >= start && m < end : m >= start || m < end;
    }

    private static int minutes(String hhmm) {
        return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3));
    }

    /** Switches every load to {@code on} ({@code null}: keeps each as it is, re-applying one that failed). */
    private void switchAll(Boolean on, String why) {
        long now = clock.getAsLong();
        boolean any = false;
        for (State s : states.values()) {
            boolean want = on == null ? s.on : on;
            if (want == s.on && s.applied) {
                continue;
            }
            if (want != s.on) {
                s.on = want;
                s.since = now;
                any = true;
                LOG.info("Room load {} switched {}: {}", s.load.name(), want ? "on" : "off", why);
            }
            s.applied = true;
            gpio.set(s.relay, s.load.energisedWhen(want)).onFailure(err -> {
                s.applied = false;
                LOG.warn("Could not switch room load {} {}: {}", s.load.name(), want ? "on" : "off", err.toString());
            });
        }
        if (any) {
            changed.run();
        }
    }

    /** The loads as telemetry reports them. */
    public List<Telemetry.Load> telemetry() {
        List<Telemetry.Load> out = new ArrayList<>();
        states.values().forEach(s -> out.add(new Telemetry.Load(s.load.name(), s.on, s.since)));
        return out;
    }

    /** The {@code roomLoads} block of {@code GET /status}. */
    public JsonObject status() {
        JsonArray loads = new JsonArray();
        states.values().forEach(s -> loads.add(new JsonObject().put("name", s.load.name()).put("on", s.on)
                .put("since", s.since)));
        return new JsonObject().put("loads", loads).put("nightHours", nightHours).put("emptyMinutes", emptyMinutes)
                .put("night", isNight(clock.getAsLong())).put("emptySince", emptySince < 0 ? null : emptySince);
    }
}
