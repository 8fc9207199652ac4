package org.yizhan.bench.fleet;

import org.junit.jupiter.api.Test;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Codec;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.StateMessage;
import org.yizhan.protocol.Telemetry;

import static org.assertj.core.api.Assertions.assertThat;

class StationModelTest {

    @Test
    void payloadsPassTheContractCodecWithTheBenchTimestampIgnored() throws Exception {
        StationModel m = new StationModel(7, 1_700_000_000_000L);

        for (int step = 0; step < 200; step++) {
            long now = 1_700_000_000_000L + step * 30_000L;
            Telemetry t = Codec.decode(Channel.TELEMETRY, SimStation.payload(m.telemetry(now, 30)).getBytes(),
                    Telemetry.class);
            assertThat(t.chargers()).as("four charger ports").hasSize(StationModel.PORTS);
            assertThat(t.occupancy().orElseThrow().count()).isBetween(0, StationModel.CAPACITY);
            assertThat(t.occupancy().orElseThrow().capacity()).isEqualTo(StationModel.CAPACITY);
            assertThat(t.door()).isPresent();
            assertThat(t.env().orElseThrow().tempC()).isPresent();
            assertThat(t.ts()).isEqualTo(now);
        }
        Heartbeat h1 = Codec.decode(Channel.HEARTBEAT, SimStation.payload(m.heartbeat(1_700_000_010_000L)).getBytes(),
                Heartbeat.class);
        Heartbeat h2 = Codec.decode(Channel.HEARTBEAT, SimStation.payload(m.heartbeat(1_700_000_020_000L)).getBytes(),
                Heartbeat.class);
        assertThat(h2.seq()).isEqualTo(h1.seq() + 1);
        assertThat(h2.uptimeS()).isEqualTo(20);
        StateMessage birth = Codec.decode(Channel.STATE, SimStation.payload(m.birth(1L, 3)).getBytes(),
                StateMessage.class);
        assertThat(birth.online()).isTrue();
        assertThat(birth.session()).isEqualTo(3);
        StateMessage will = Codec.decode(Channel.STATE, SimStation.payload(m.will(1L, 3)).getBytes(),
                StateMessage.class);
        assertThat(will.reason()).contains(StateMessage.REASON_LOST);
    }

    @Test
    void chargersStartAndFinishSessionsOverTime() {
        StationModel m = new StationModel(11, 0);
        java.util.Set<org.yizhan.protocol.ChargerState> seen = new java.util.HashSet<>();
        double firstEnergy = m.telemetry(0, 30).chargers().stream().mapToDouble(Telemetry.Charger::energyWh).sum();
        double lastEnergy = firstEnergy;
        for (int i = 1; i < 500; i++) {
            Telemetry t = m.telemetry(i * 30_000L, 30);
            t.chargers().forEach(c -> seen.add(c.state()));
            lastEnergy = t.chargers().stream().mapToDouble(Telemetry.Charger::energyWh).sum();
        }
        assertThat(seen).contains(org.yizhan.protocol.ChargerState.AVAILABLE,
                org.yizhan.protocol.ChargerState.CHARGING, org.yizhan.protocol.ChargerState.FINISHING);
        assertThat(lastEnergy).as("energy meters only count up").isGreaterThan(firstEnergy);
    }
}
