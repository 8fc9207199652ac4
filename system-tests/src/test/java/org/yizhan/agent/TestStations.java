package org.yizhan.agent;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import org.yizhan.agent.hardware.Pi4jRelay;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.config.StationConfig;

/** Station configurations and hardware probes for tests. */
final class TestStations {

    private TestStations() {
    }

    static StationConfig config(String stationId, int mqttPort, int ports, int capacity) throws Exception {
        StationConfig c = StationConfig.defaults(stationId, "Test " + stationId, "http://127.0.0.1:9",
                new StationConfig.Mqtt("127.0.0.1", mqttPort, false, stationId, "s3cret-" + stationId, 30),
                "simulated", ports, capacity, 1, 30);
        return c.withHttp(new StationConfig.LocalHttp("127.0.0.1", 0));
    }

    /** The Pi4J mock output behind a relay. */
    static MockDigitalOutput mockOutput(Relay relay) {
        return (MockDigitalOutput) ((Pi4jRelay) relay).output();
    }

    static DigitalState state(Relay relay) {
        return mockOutput(relay).state();
    }
}
