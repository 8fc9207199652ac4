package org.yizhan.agent.hardware.simulated;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.Mock;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Pi4jInput;
import org.yizhan.agent.hardware.Pi4jPins;
import org.yizhan.agent.hardware.Pi4jRelay;
import org.yizhan.agent.hardware.PowerMeter;
import org.yizhan.agent.hardware.Relay;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.config.HardwareProfile;
import org.yizhan.config.StationConfig;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The station's hardware on Pi4J's mock platform, as the board would wire it, for running off the Pi: the
 * caller builds the mock context (mock platform with the mock digital and I2C providers), passes it in and
 * shuts it down. Inputs are driven with {@link #drive}, the way the world would drive the real ones; every
 * charger port has a {@link SimulatedPowerMeter} that draws power while its relay is closed. No temperature
 * sensors. All relays start open (LOW). Construction blocks.
 */
public final class SimulatedHardware implements StationHardware {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedHardware.class);

    private final Map<BinaryInput, MockDigitalInput> mocks = new IdentityHashMap<>();
    private final Relay doorRelay;
    private final BinaryInput doorContact;
    private final BinaryInput exitButton;
    private final BinaryInput beamOuter;
    private final BinaryInput beamInner;
    private final BinaryInput pir;
    private final BinaryInput smoke;
    private final Map<Integer, Relay> chargerRelays;
    private final Map<String, Relay> loadRelays;
    private final Map<Integer, SimulatedPowerMeter> meters;

    public SimulatedHardware(Context pi4j, HardwareProfile profile, StationConfig config) {
        this.doorRelay = relay(pi4j, "door-relay", profile.doorRelayPin(), config.door().relayActiveLow());
        this.doorContact = input(pi4j, "door-contact", profile.doorContactPin());
        this.exitButton = input(pi4j, "exit-button", profile.exitButtonPin());
        this.beamOuter = input(pi4j, "beam-outer", profile.beamOuterPin());
        this.beamInner = input(pi4j, "beam-inner", profile.beamInnerPin());
        this.pir = input(pi4j, "pir", profile.pirPin());
        this.smoke = input(pi4j, "smoke", profile.smokePin());
        Map<Integer, Relay> relays = new LinkedHashMap<>();
        Map<Integer, SimulatedPowerMeter> m = new LinkedHashMap<>();
        for (StationConfig.Port p : config.charger().ports()) {
            Relay r = relay(pi4j, "charger-relay-" + p.port(), p.relayPin(), p.relayActiveLow());
            relays.put(p.port(), r);
            m.put(p.port(), new SimulatedPowerMeter(r));
        }
        this.chargerRelays = Collections.unmodifiableMap(relays);
        Map<String, Relay> loads = new LinkedHashMap<>();
        for (StationConfig.Load l : config.roomLoads().loads()) {
            loads.put(l.name(), relay(pi4j, "load-" + l.name(), l.relayPin(), l.relayActiveLow()));
        }
        this.loadRelays = Collections.unmodifiableMap(loads);
        this.meters = Collections.unmodifiableMap(m);
    }

    private static Relay relay(Context pi4j, String id, int pin, boolean activeLow) {
        return new Pi4jRelay(id, Pi4jPins.output(pi4j, id, pin, activeLow, Optional.of(Mock.DIGITAL_OUTPUT_PROVIDER_ID)));
    }

    private BinaryInput input(Context pi4j, String id, int pin) {
        MockDigitalInput in = (MockDigitalInput) Pi4jPins.input(pi4j, id, pin,
                Optional.of(Mock.DIGITAL_INPUT_PROVIDER_ID));
        BinaryInput b = new Pi4jInput(in);
        mocks.put(b, in);
        return b;
    }

    /**
     * Sets one of this station's inputs as a person, a door or a smoke detector would; listeners hear of it as
     * from the board. Blocking: call it where relay calls go (the GPIO worker).
     *
     * @throws IllegalArgumentException for an input that is not this station's
     */
    public void drive(BinaryInput input, boolean active) {
        MockDigitalInput in = mocks.get(input);
        if (in == null) {
            throw new IllegalArgumentException("not an input of this simulated station: " + input);
        }
        in.mockState(active ? DigitalState.HIGH : DigitalState.LOW);
    }

    /** Each charger port's simulated meter, by port. */
    public Map<Integer, SimulatedPowerMeter> simulatedMeters() {
        return meters;
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
    public Map<String, Relay> loadRelays() {
        return loadRelays;
    }

    @Override
    public Map<Integer, PowerMeter> powerMeters() {
        return Collections.unmodifiableMap(meters);
    }

    @Override
    public void close() {
        try {
            doorRelay.set(false);
            chargerRelays.values().forEach(r -> r.set(false));
            loadRelays.values().forEach(r -> r.set(false));
        } catch (RuntimeException e) {
            LOG.warn("Could not open every relay before shutdown: {}", e.toString());
        }
    }
}
