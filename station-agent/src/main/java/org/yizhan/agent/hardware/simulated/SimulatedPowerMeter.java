package org.yizhan.agent.hardware.simulated;

import org.yizhan.agent.hardware.MeterException;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.agent.hardware.Relay;

import java.util.OptionalDouble;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A simulated per-port power meter with a plausible e-bike charge curve: constant current at about 180 W
 * until the battery is about 80 % full, then tapering to a trickle under 30 W, then a few watts. Battery
 * charge runs {@link #TIME_SCALE} times faster than the clock so a demo shows the whole curve. A fixed
 * power set through the simulator API replaces the curve. Draws power only while the port's relay is closed.
 */
public final class SimulatedPowerMeter implements PowerMeter {

    static final double TIME_SCALE = 30;
    static final double BATTERY_WH = 600;

    private final Relay relay;
    private volatile boolean plugged;
    private volatile double fixedPowerW = Double.NaN;
    private volatile double tempC = Double.NaN;
    private volatile double currentA = Double.NaN;
    private volatile boolean silent;
    private double soc;
    private long lastReadAt;

    public SimulatedPowerMeter(Relay relay) {
        this.relay = relay;
    }

    /** Plugs a bike in (with a random state of charge) or unplugs it. */
    public synchronized void plug(boolean in) {
        if (in && !plugged) {
            soc = 0.2 + ThreadLocalRandom.current().nextDouble(0.4);
            lastReadAt = 0;
        }
        plugged = in;
        if (!in) {
            fixedPowerW = Double.NaN;
            currentA = Double.NaN;
        }
    }

    public boolean plugged() {
        return plugged;
    }

    /** Fixes the drawn power (NaN returns to the charge curve). */
    public void fixPower(double watts) {
        this.fixedPowerW = watts;
    }

    public void setTemperature(double celsius) {
        this.tempC = celsius;
    }

    /** Fixes the measured current (NaN: the meter reports no current). */
    public void fixCurrent(double amps) {
        this.currentA = amps;
    }

    /** A silent meter throws on every read, as a meter whose I2C line broke would. */
    public void setSilent(boolean silent) {
        this.silent = silent;
    }

    @Override
    public synchronized PowerReading read() {
        if (silent) {
            throw new MeterException("simulated meter does not answer");
        }
        long now = System.currentTimeMillis();
        OptionalDouble amps = Double.isNaN(currentA) ? OptionalDouble.empty() : OptionalDouble.of(currentA);
        OptionalDouble temp = Double.isNaN(tempC) ? OptionalDouble.empty() : OptionalDouble.of(tempC);
        if (!plugged) {
            lastReadAt = now;
            return new PowerReading(false, 0, OptionalDouble.empty(), temp);
        }
        if (!relay.isClosed()) {
            lastReadAt = now;
            return new PowerReading(true, 0, amps.isPresent() ? OptionalDouble.of(0) : amps, temp);
        }
        double watts = Double.isNaN(fixedPowerW) ? curve(soc) : fixedPowerW;
        if (lastReadAt > 0) {
            soc = Math.min(1.0, soc + watts * (now - lastReadAt) / 3_600_000.0 * TIME_SCALE / BATTERY_WH);
        }
        lastReadAt = now;
        if (temp.isEmpty()) {
            temp = OptionalDouble.of(Math.round((24 + watts / 25) * 10) / 10.0);
        }
        return new PowerReading(true, watts, amps, temp);
    }

    static double curve(double soc) {
        double noise = ThreadLocalRandom.current().nextDouble(-2, 2);
        if (soc < 0.8) {
            return 180 + noise;
        }
        if (soc < 0.99) {
            return Math.max(25, 180 - (soc - 0.8) / 0.19 * 155) + noise / 2;
        }
        return 2.5;
    }
}
