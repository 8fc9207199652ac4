package org.yizhan.agent.selftest;

import org.yizhan.agent.camera.FrameWatch;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.hardware.StationHardware;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.agent.uplink.Uplink;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.EventType;

import java.util.Optional;
import java.util.function.Supplier;

/** The self-test as a station feature: {@code selftest.run} checks the hardware and reports a {@code selftest.result}. */
public final class SelfTestFeature implements AgentFeature {

    private final Gpio gpio;
    private final StationHardware hardware;
    private final Uplink uplink;
    private final Supplier<Optional<FrameWatch>> camera;
    private final boolean simulate;

    public SelfTestFeature(Gpio gpio, StationHardware hardware, Uplink uplink, Supplier<Optional<FrameWatch>> camera,
                           boolean simulate) {
        this.gpio = gpio;
        this.hardware = hardware;
        this.uplink = uplink;
        this.camera = camera;
        this.simulate = simulate;
    }

    @Override
    public void commands(CommandDispatcher commands) {
        commands.on(Command.SELFTEST_RUN, c -> {
            SelfTest.Station st = new SelfTest.Station(uplink::connected, uplink::session, uplink::outboxSize,
                    camera.get(), simulate);
            return new SelfTest(gpio, hardware, st).run().map(data -> {
                uplink.emit(EventType.SELFTEST_RESULT, data.copy());
                return data;
            });
        });
    }
}
