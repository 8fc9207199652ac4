package org.yizhan.hub.timeseries;

import org.junit.jupiter.api.Test;
import org.yizhan.hub.metrics.HubMetrics;
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

    private static Telemetry reading(long ts, int count, double powerW, double energyWh, double roomC) {
        return new Telemetry(ts, Optional.of(new Telemetry.Occupancy(count, 20)),
                Optional.of(new Telemetry.Door(false, true)),
                List.of(new Telemetry.Charger(1, ChargerState.CHARGING, powerW, energyWh, OptionalDouble.of(30)),
                        new Telemetry.Charger(2, ChargerState.AVAILABLE, 0, 500, OptionalDouble.empty())),
                Optional.of(new Telemetry.Env(OptionalDouble.of(roomC), OptionalDouble.of(55))));
    }

    private static final DeadBands BANDS = new DeadBands(60_000, 2.0, 1.0, 0.2, 1.0);

    @Test
    void withDeadBandsARepeatIsNotWrittenUntilItsKeepTimeAndTheFirstReadingIsWrittenInFull() {
        HubMetrics metrics = new HubMetrics();
        LastWritten last = new LastWritten(metrics);
        assertThat(StationPoints.telemetry("st-a", reading(T0, 3, 150, 1000, 22.5), T0, BANDS, last)).hasSize(5);
        assertThat(StationPoints.telemetry("st-a", reading(T0 + 5_000, 3, 150, 1000, 22.5), T0 + 5_000, BANDS, last))
                .isEmpty();
        assertThat(StationPoints.telemetry("st-b", reading(T0 + 5_000, 3, 150, 1000, 22.5), T0 + 5_000, BANDS, last))
                .as("another station's series are its own").hasSize(5);
        assertThat(StationPoints.telemetry("st-a", reading(T0 + 59_999, 3, 150, 1000, 22.5), T0 + 59_999, BANDS, last))
                .isEmpty();
        assertThat(StationPoints.telemetry("st-a", reading(T0 + 60_000, 3, 150, 1000, 22.5), T0 + 60_000, BANDS, last))
                .as("an unchanged series is written again once its keep time has passed, without an extra point")
                .hasSize(5).allMatch(l -> l.endsWith(" " + (T0 + 60_000)));
        assertThat(metrics.registry().get("yizhan_timeseries_readings_skipped").functionCounter().count())
                .as("two readings of five series each were skipped").isEqualTo(10);
    }

    @Test
    void aMoveWithinTheBandIsSkippedAndOneAtTheBandIsWrittenAfterTheLastSkippedTime() {
        LastWritten last = new LastWritten(new HubMetrics());
        StationPoints.telemetry("st-a", reading(T0, 3, 150, 1000, 22.5), T0, BANDS, last);
        assertThat(StationPoints.telemetry("st-a", reading(T0 + 5_000, 3, 151.9, 1000.9, 22.6), T0 + 5_000, BANDS, last))
                .as("power, energy and room temperature moved less than their bands").isEmpty();
        assertThat(StationPoints.telemetry("st-a", reading(T0 + 10_000, 3, 151, 1000.5, 22.7), T0 + 10_000, BANDS, last))
                .as("22.7 - 22.5 is 0.2 in decimal though a hair less in binary")
                .containsExactly(
                        "env,station=st-a humidity=55.0,temp_c=22.5 " + (T0 + 5_000),
                        "env,station=st-a humidity=55.0,temp_c=22.7 " + (T0 + 10_000));
        assertThat(StationPoints.telemetry("st-a", reading(T0 + 15_000, 4, 152.1, 1000.9, 22.7), T0 + 15_000, BANDS, last))
                .as("a count changes by any amount; power moved 2.1 W from the 150 written")
                .containsExactly(
                        "occupancy,station=st-a capacity=20i,count=3i " + (T0 + 10_000),
                        "occupancy,station=st-a capacity=20i,count=4i " + (T0 + 15_000),
                        "charger,port=1,station=st-a energy_wh=1000.0,power_w=150.0,state=\"charging\",temp_c=30.0 "
                                + (T0 + 10_000),
                        "charger,port=1,station=st-a energy_wh=1000.9,power_w=152.1,state=\"charging\",temp_c=30.0 "
                                + (T0 + 15_000));
    }

    @Test
    void aStateChangeOrAClockGoingBackIsWrittenAtOnceAndWithoutBandsEveryReadingIs() {
        LastWritten last = new LastWritten(new HubMetrics());
        StationPoints.telemetry("st-a", reading(T0, 3, 150, 1000, 22.5), T0, BANDS, last);
        Telemetry finishing = new Telemetry(T0 + 5_000, Optional.empty(), Optional.empty(),
                List.of(new Telemetry.Charger(1, ChargerState.FINISHING, 150, 1000, OptionalDouble.of(30))),
                Optional.empty());
        assertThat(StationPoints.telemetry("st-a", finishing, T0 + 5_000, BANDS, last)).containsExactly(
                "charger,port=1,station=st-a energy_wh=1000.0,power_w=150.0,state=\"finishing\",temp_c=30.0 "
                        + (T0 + 5_000));
        assertThat(StationPoints.telemetry("st-a", reading(T0 - 1_000, 3, 150, 1000, 22.5), T0 + 6_000, BANDS, last))
                .as("the station's clock went back: every series is written again").hasSize(5);
        LastWritten none = new LastWritten(new HubMetrics());
        for (int i = 0; i < 3; i++) {
            assertThat(StationPoints.telemetry("st-a", reading(T0 + i, 3, 150, 1000, 22.5), T0 + i, DeadBands.OFF, none))
                    .hasSize(5);
        }
    }

    @Test
    void anOptionalFieldThatAppearsOrGoesIsAChange() {
        LastWritten last = new LastWritten(new HubMetrics());
        StationPoints.telemetry("st-a", reading(T0, 3, 150, 1000, 22.5), T0, BANDS, last);
        Telemetry noHumidity = new Telemetry(T0 + 5_000, Optional.empty(), Optional.empty(), List.of(),
                Optional.of(new Telemetry.Env(OptionalDouble.of(22.5), OptionalDouble.empty())));
        assertThat(StationPoints.telemetry("st-a", noHumidity, T0 + 5_000, BANDS, last))
                .containsExactly("env,station=st-a temp_c=22.5 " + (T0 + 5_000));
    }
}
