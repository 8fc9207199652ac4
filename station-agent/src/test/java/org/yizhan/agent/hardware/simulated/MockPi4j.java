package org.yizhan.agent.hardware.simulated;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;

/** A fresh Pi4J context on the mock platform, as the agent builds one when simulating, and its pins by id. */
public final class MockPi4j {

    private MockPi4j() {
    }

    public static Context context() {
        return Pi4J.newContextBuilder()
                .add(new MockPlatform())
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance(),
                        MockI2CProvider.newInstance())
                .build();
    }

    /** The mock output the hardware opened as {@code id} ("door-relay", "charger-relay-1", ...). */
    public static MockDigitalOutput output(Context pi4j, String id) {
        return (MockDigitalOutput) pi4j.registry().get(id, DigitalOutput.class);
    }
}
