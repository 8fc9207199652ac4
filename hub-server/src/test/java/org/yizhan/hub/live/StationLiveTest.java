package org.yizhan.hub.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Telemetry;
import org.yizhan.protocol.Telemetry.Charger;

class StationLiveTest {

    private static Telemetry reading(long ts, int count, double port2Energy, double roomTemp) {
        return new Telemetry(ts, Optional.of(new Telemetry.Occupancy(count, 12)),
                Optional.of(new Telemetry.Door(false, true)),
                List.of(new Charger(1, ChargerState.AVAILABLE, 0, 410.5, OptionalDouble.of(21.5)),
                        new Charger(2, ChargerState.CHARGING, 240, port2Energy, OptionalDouble.of(30.1))),
                Optional.of(new Telemetry.Env(OptionalDouble.of(roomTemp), OptionalDouble.of(55))));
    }

    @Test
    void theLatestReadingEqualsWhatArrivedAndKeepsThePreviousObjectsOfItsUnchangedParts() {
        StationLive live = new StationLive();
        Telemetry first = reading(1_000, 3, 100.0, 22.0);
        live.telemetry("st-1", first);
        Telemetry second = reading(6_000, 3, 100.4, 22.5);
        live.telemetry("st-1", second);

        Telemetry kept = live.slot("st-1").telemetry();
        assertThat(kept).isEqualTo(second);
        assertThat(kept.occupancy()).isSameAs(first.occupancy());
        assertThat(kept.door()).isSameAs(first.door());
        assertThat(kept.chargers().get(0)).isSameAs(first.chargers().get(0));
        assertThat(kept.chargers().get(1)).isSameAs(second.chargers().get(1)).isNotEqualTo(first.chargers().get(1));
        assertThat(kept.env()).isSameAs(second.env());
        assertThat(live.telemetry("st-1")).contains(second.toJson());
    }

    @Test
    void anUnchangedReadingKeepsAllThePreviousPartsAndTheNewTime() {
        StationLive live = new StationLive();
        Telemetry first = reading(1_000, 3, 100.0, 22.0);
        live.telemetry("st-1", first);
        live.telemetry("st-1", reading(6_000, 3, 100.0, 22.0));

        Telemetry kept = live.slot("st-1").telemetry();
        assertThat(kept.ts()).isEqualTo(6_000);
        assertThat(kept.chargers()).isSameAs(first.chargers());
        assertThat(kept.env()).isSameAs(first.env());
    }

    @Test
    void aReadingWithFewerOrOtherPortsIsKeptAsItArrived() {
        StationLive live = new StationLive();
        live.telemetry("st-1", reading(1_000, 3, 100.0, 22.0));
        Telemetry onePort = new Telemetry(2_000, Optional.empty(), Optional.empty(),
                List.of(new Charger(2, ChargerState.FAULTED, 0, 100.0, OptionalDouble.empty())), Optional.empty());
        live.telemetry("st-1", onePort);

        assertThat(live.slot("st-1").telemetry()).isEqualTo(onePort);
        assertThat(live.telemetry("st-1")).contains(onePort.toJson());
        assertThat(live.telemetry("st-2")).isEmpty();
    }
}
