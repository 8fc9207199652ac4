package org.yizhan.hub.timeseries;

/**
 * How much a telemetry reading must move before it is written again, and how long an unchanged reading may go
 * unwritten. A station reports every few seconds whether or not anything changed; most of a room's readings (an
 * idle charger port, a closed door, a steady room) repeat, and writing each repeat costs the time-series store
 * as much as a change does.
 *
 * <p>A series (one station's occupancy, door, room climate, or one charger port) is written when any field moved by
 * at least its band since the last write, when {@code keepMillis} passed since that write (so charts and "last
 * value" queries never look at a gap longer than that), or when the reading's time went backwards. Whole-number
 * and state fields (counts, door open/locked, a port's state) are written on every change. When a change follows
 * skipped readings, the last skipped time is written first with the values last written, so a chart shows the
 * step where it happened rather than a slope across the skipped stretch.
 *
 * @param keepMillis the longest an unchanged series goes unwritten; 0 writes every reading (no dead band)
 * @param powerW     a port's power, in W
 * @param energyWh   a port's energy counter, in Wh
 * @param tempC      a port's or the room's temperature, in °C
 * @param humidity   the room's relative humidity, in %
 */
public record DeadBands(long keepMillis, double powerW, double energyWh, double tempC, double humidity) {

    /** Every reading written. */
    public static final DeadBands OFF = new DeadBands(0, 0, 0, 0, 0);
    /** The hub's defaults: a minute at most between writes of an unchanged series. */
    public static final DeadBands DEFAULTS = new DeadBands(60_000, 2.0, 1.0, 0.2, 1.0);

    public DeadBands {
        if (keepMillis < 0 || !(powerW >= 0) || !(energyWh >= 0) || !(tempC >= 0) || !(humidity >= 0)) {
            throw new IllegalArgumentException("dead bands must be zero or more: " + this);
        }
    }

    public boolean on() {
        return keepMillis > 0;
    }

    @Override
    public String toString() {
        return on() ? "unchanged written every " + keepMillis / 1000 + " s, bands power " + powerW + " W, energy "
                + energyWh + " Wh, temperature " + tempC + " °C, humidity " + humidity + " %" : "every reading written";
    }
}
