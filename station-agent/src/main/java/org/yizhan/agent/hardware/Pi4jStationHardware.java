package org.yizhan.agent.hardware;

import org.yizhan.agent.hardware.board.Ds18b20;
import org.yizhan.agent.hardware.board.Ina226;
import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import com.pi4j.plugin.mock.Mock;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The station's GPIO through Pi4J 2, on the real board (auto-detected platform: Raspberry Pi or gpiod)
 * or on Pi4J's mock platform for simulation. Each instance owns its own Pi4J context, so several
 * simulated stations can live in one JVM. All relays start open (LOW). Construction blocks.
 */
public final class Pi4jStationHardware implements StationHardware {

    private static final Logger LOG = LoggerFactory.getLogger(Pi4jStationHardware.class);

    private final Context context;
    private final boolean mock;
    private final Relay doorRelay;
    private final BinaryInput doorContact;
    private final BinaryInput exitButton;
    private final BinaryInput beamOuter;
    private final BinaryInput beamInner;
    private final BinaryInput pir;
    private final BinaryInput smoke;
    private final Map<Integer, Relay> chargerRelays;
    private final Map<Integer, PowerMeter> meters;
    private final Thermometers thermometers;

    private Pi4jStationHardware(Context context, boolean mock, HardwareProfile profile, StationConfig config,
                                Function<Integer, PowerMeter> meterFactory, Thermometers thermometers) {
        this.context = context;
        this.thermometers = thermometers;
        this.mock = mock;
        this.doorRelay = output("door-relay", profile.doorRelayPin());
        this.doorContact = input("door-contact", profile.doorContactPin());
        this.exitButton = input("exit-button", profile.exitButtonPin());
        this.beamOuter = input("beam-outer", profile.beamOuterPin());
        this.beamInner = input("beam-inner", profile.beamInnerPin());
        this.pir = input("pir", profile.pirPin());
        this.smoke = input("smoke", profile.smokePin());
        Map<Integer, Relay> relays = new LinkedHashMap<>();
        Map<Integer, PowerMeter> m = new LinkedHashMap<>();
        for (StationConfig.Port p : config.charger().ports()) {
            relays.put(p.port(), output("charger-relay-" + p.port(), p.relayPin()));
            m.put(p.port(), meterFactory.apply(p.port()));
        }
        this.chargerRelays = Collections.unmodifiableMap(relays);
        this.meters = Collections.unmodifiableMap(m);
    }

    /**
     * Opens the real GPIO of the board this runs on, with each port's INA226 on I2C when the configuration
     * wires them ({@code charger.meter.type = "ina226"}); without meters ports read nothing. The configured
     * DS18B20 temperature sensors are read from the kernel's 1-Wire devices ({@code dtoverlay=w1-gpio}).
     */
    public static Pi4jStationHardware onBoard(HardwareProfile profile, StationConfig config) {
        Context ctx = Pi4J.newAutoContext();
        return new Pi4jStationHardware(ctx, false, profile, config, port -> meterOf(ctx, config, port),
                Thermometers.ds18b20(Ds18b20.SYSFS, config.charger()));
    }

    private static PowerMeter meterOf(Context ctx, StationConfig config, int port) {
        StationConfig.Meter m = config.charger().meter();
        if (!"ina226".equals(m.type())) {
            return () -> PowerReading.NOTHING;
        }
        int address = config.charger().ports().stream().filter(p -> p.port() == port).findFirst()
                .orElseThrow().meterAddress().orElseThrow();
        I2C i2c = ctx.create(I2C.newConfigBuilder(ctx).id("meter-" + port).name("INA226 port " + port)
                .bus(m.i2cBus()).device(address).build());
        return Ina226.forMaxCurrent(i2c, m.shuntOhms(), m.maxCurrentA(), m.busScale());
    }

    /**
     * Opens a fresh Pi4J mock context; inputs are driven with {@code MockDigitalInput.mockState}.
     * {@code meterFactory} gives each port its (simulated) power meter.
     */
    public static Pi4jStationHardware mock(HardwareProfile profile, StationConfig config,
                                           Function<Integer, PowerMeter> meterFactory) {
        Context ctx = Pi4J.newContextBuilder()
                .add(new MockPlatform())
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance(),
                        MockI2CProvider.newInstance())
                .build();
        return new Pi4jStationHardware(ctx, true, profile, config, meterFactory, Thermometers.NONE);
    }

    /** The Pi4J context, for the simulator to reach the mock inputs. */
    public Context context() {
        return context;
    }

    private Relay output(String id, int pin) {
        DigitalOutputConfigBuilder b = DigitalOutput.newConfigBuilder(context).id(id).name(id).address(pin)
                .initial(DigitalState.LOW).shutdown(DigitalState.LOW);
        if (mock) {
            b.provider(Mock.DIGITAL_OUTPUT_PROVIDER_ID);
        }
        DigitalOutput out = context.create(b);
        return new Pi4jRelay(id, out);
    }

    private BinaryInput input(String id, int pin) {
        DigitalInputConfigBuilder b = DigitalInput.newConfigBuilder(context).id(id).name(id).address(pin)
                .pull(PullResistance.PULL_DOWN).debounce(3000L);
        if (mock) {
            b.provider(Mock.DIGITAL_INPUT_PROVIDER_ID);
        }
        DigitalInput in = context.create(b);
        return new Pi4jInput(in);
    }

    @Override
    public Relay doorRelay() {
        return doorRelay;
    }

    @Override
    public BinaryInput doorContact() {
        return doorContact;
    }

    @Override
    public BinaryInput exitButton() {
        return exitButton;
    }

    @Override
    public BinaryInput beamOuter() {
        return beamOuter;
    }

    @Override
    public BinaryInput beamInner() {
        return beamInner;
    }

    @Override
    public BinaryInput pir() {
        return pir;
    }

    @Override
    public BinaryInput smoke() {
        return smoke;
    }

    @Override
    public Map<Integer, Relay> chargerRelays() {
        return chargerRelays;
    }

    @Override
    public Map<Integer, PowerMeter> powerMeters() {
        return meters;
    }

    @Override
    public Thermometers thermometers() {
        return thermometers;
    }

    @Override
    public void close() {
        try {
            doorRelay.set(false);
            chargerRelays.values().forEach(r -> r.set(false));
        } catch (RuntimeException e) {
            LOG.warn("Could not open every relay before shutdown: {}", e.toString());
        }
        try {
            context.shutdown();
        } catch (Exception e) {
            LOG.warn("Pi4J shutdown failed: {}", e.toString());
        }
    }

    /** A relay on a Pi4J digital output; HIGH energises the relay. */
    public static final class Pi4jRelay implements Relay {
        private final String id;
        private final DigitalOutput out;

        Pi4jRelay(String id, DigitalOutput out) {
            this.id = id;
            this.out = out;
        }

        /** The underlying output (a {@code MockDigitalOutput} on the mock platform). */
        public DigitalOutput output() {
            return out;
        }

        @Override
        public void set(boolean closed) {
            out.state(closed ? DigitalState.HIGH : DigitalState.LOW);
            LOG.debug("{} -> {}", id, closed ? "closed" : "open");
        }

        @Override
        public boolean isClosed() {
            return out.isHigh();
        }
    }

    /** An input on a Pi4J digital input; HIGH is active. */
    public static final class Pi4jInput implements BinaryInput {
        private final DigitalInput in;

        Pi4jInput(DigitalInput in) {
            this.in = in;
        }

        /** The underlying input (a {@code MockDigitalInput} on the mock platform). */
        public DigitalInput input() {
            return in;
        }

        @Override
        public boolean isActive() {
            return in.isHigh();
        }

        @Override
        public void onChange(Consumer<Boolean> listener) {
            in.addListener(e -> listener.accept(e.state() == DigitalState.HIGH));
        }
    }
}
