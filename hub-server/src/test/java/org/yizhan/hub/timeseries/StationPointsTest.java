package org.yizhan.hub.timeseries;

import org.junit.jupiter.api.Test;
import org.yizhan.protocol.ChargerState;
import org.yizhan.protocol.Heartbeat;
import org.yizhan.protocol.Telemetry;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/** The line-protocol records both stores receive (and the disk buffer keeps), one per point, ms precision. */
class StationPointsTest {

    private static final long T0 = 1_750_000_020_000L;

    @Test
    void telemetryBecomesOneRecordPerMeasurementAndChargerPort() {
        Telemetry t = new Telemetry(T0, Optional.of(new Telemetry.Occupancy(3, 20)),
                Optional.of(new Telemetry.Door(true, false)),
                List.of(new Telemetry.Charger(2, ChargerState.CHARGING, 150.5, 1200, OptionalDouble.of(31.5))),
                Optional.of(new Telemetry.Env(OptionalDouble.of(22.5), OptionalDouble.empty())));
        assertThat(StationPoints.telemetry("st-a", t, T0 + 1000)).containsExactly(
                "occupancy,station=st-a capacity=20i,count=3i 1750000020000",
                "door,station=st-a locked=0i,open=1i 1750000020000",
                "charger,port=2,station=st-a energy_wh=1200.0,power_w=150.5,state=\"charging\",temp_c=31.5 1750000020000",
                "env,station=st-a temp_c=22.5 1750000020000");
    }

    @Test
    void heartbeatsAndPresenceUseTheHubsClock() {
        assertThat(StationPoints.heartbeat("st-a", new Heartbeat(T0, 7, 100, 2), T0 + 5))
                .containsExactly("heartbeat,station=st-a outbox=2i,seq=7i,uptime_s=100i 1750000020005");
        assertThat(StationPoints.presence("st-b", false, T0))
                .containsExactly("presence,station=st-b online=0i 1750000020000");
    }

    @Test
    void escapesTagValuesSoARecordStaysOneLine() {
        List<String> lines = StationPoints.presence("st a,b=c", true, T0);
        assertThat(lines).containsExactly("presence,station=st\\ a\\,b\\=c online=1i 1750000020000");
    }
}
