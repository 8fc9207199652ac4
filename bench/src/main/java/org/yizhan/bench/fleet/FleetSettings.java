package org.yizhan.bench.fleet;

/**
 * How the simulated stations behave: contract rates ({@code heartbeatSeconds}, {@code telemetrySeconds}),
 * how fast they connect, their MQTT keep-alive and how many tries a connect gets.
 */
public record FleetSettings(int heartbeatSeconds, int telemetrySeconds, int connectsPerSecond, int keepAliveSeconds,
                            int connectAttempts) {

    public FleetSettings {
        require(heartbeatSeconds, "heartbeatSeconds", 1, 3600);
        require(telemetrySeconds, "telemetrySeconds", 1, 3600);
        require(connectsPerSecond, "connectsPerSecond", 1, 100_000);
        require(keepAliveSeconds, "keepAliveSeconds", 5, 3600);
        require(connectAttempts, "connectAttempts", 1, 10);
    }

    /** Contract defaults: heartbeat every 10 s, telemetry every 30 s, 200 connects/s. */
    public static FleetSettings defaults() {
        return new FleetSettings(10, 30, 200, 60, 3);
    }

    /** Messages per second that {@code stations} stations send in steady state. */
    public double expectedRate(int stations) {
        return stations * (1.0 / heartbeatSeconds + 1.0 / telemetrySeconds);
    }

    private static void require(int v, String name, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", was " + v);
        }
    }
}
