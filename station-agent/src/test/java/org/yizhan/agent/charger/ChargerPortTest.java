package org.yizhan.agent.charger;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.yizhan.agent.hardware.PowerReading;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.ChargerState;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The port state machine on a test clock, with the trade's default rules (30 W, 10 min, 60 min, 4 h). */
class ChargerPortTest {

    private static final long MIN = 60_000;
    private final List<String> types = new ArrayList<>();
    private final List<JsonObject> data = new ArrayList<>();
    private final List<Session.Ended> ended = new ArrayList<>();
    private final ChargerPort.Events events = new ChargerPort.Events() {
        @Override
        public void emit(String type, JsonObject d) {
            types.add(type);
            data.add(d);
        }

        @Override
        public void ended(Session.Ended s) {
            ended.add(s);
        }
    };
    private final ChargerPort port = new ChargerPort(3, StationConfig.Rules.DEFAULTS);
    private long now = 1_700_000_000_000L;

    private ChargerPort.Decision reading(double watts) {
        return port.update(new PowerReading(true, watts, OptionalDouble.empty()), now, events);
    }

    /** Feeds one reading a minute at {@code watts} for {@code minutes}. */
    private ChargerPort.Decision minutes(int minutes, double watts) {
        ChargerPort.Decision d = null;
        for (int i = 0; i < minutes; i++) {
            now += MIN;
            d = reading(watts);
        }
        return d;
    }

    @Test
    void plugWithoutSessionIsOccupiedWithTheRelayOpen() {
        assertThat(port.state()).isEqualTo(ChargerState.AVAILABLE);
        assertThat(reading(0).relayClosed()).isFalse();
        assertThat(port.state()).isEqualTo(ChargerState.OCCUPIED);
        assertThat(port.update(PowerReading.NOTHING, now, events).relayClosed()).isFalse();
        assertThat(port.state()).isEqualTo(ChargerState.AVAILABLE);
        assertThat(types).isEmpty();
    }

    @Test
    void batteryUnderThirtyWattsForTenMinutesFinishesThenEndsFullAfterAnHourOfFloat() {
        reading(0);
        Session s = port.start("m-anna", 240, now, events);
        assertThat(types).containsExactly("charger.session_started");
        assertThat(data.get(0).getMap()).containsEntry("port", 3).containsEntry("member", "m-anna")
                .containsEntry("sessionId", s.id()).containsEntry("startedAt", now);
        assertThat(minutes(60, 180).relayClosed()).isTrue();
        assertThat(port.state()).isEqualTo(ChargerState.CHARGING);
        // tapering: a dip under 30 W that recovers does not count
        minutes(5, 25);
        minutes(1, 60);
        minutes(10, 25);
        assertThat(port.state()).as("9 min since the first reading under 30 W").isEqualTo(ChargerState.CHARGING);
        minutes(1, 25);
        assertThat(port.state()).as("10 min since the first reading under 30 W").isEqualTo(ChargerState.FINISHING);
        assertThat(minutes(59, 4).relayClosed()).as("float charge").isTrue();
        assertThat(port.state()).isEqualTo(ChargerState.FINISHING);
        ChargerPort.Decision end = minutes(1, 4);
        assertThat(end.relayClosed()).as("relay opens at the end of the float").isFalse();
        assertThat(types).containsExactly("charger.session_started", "charger.session_ended");
        JsonObject e = data.get(1);
        assertThat(e.getString("reason")).isEqualTo("full");
        assertThat(e.getString("sessionId")).isEqualTo(s.id());
        assertThat(e.getString("member")).isEqualTo("m-anna");
        assertThat(e.getLong("endedAt") - e.getLong("startedAt")).isEqualTo((60 + 17 + 60) * MIN);
        // each minute is charged at the power read at its start: 60 × 180 W, 17 min of 25/60 W, 59 × 4 W
        double wh = (60 * 180 + 5 * 25 + 60 + 11 * 25 + 59 * 4) / 60.0;
        assertThat(e.getDouble("energyWh")).isEqualTo(Math.round(wh * 10) / 10.0);
        assertThat(ended).singleElement().extracting(Session.Ended::reason).isEqualTo("full");
        assertThat(port.state()).as("still plugged after the session").isEqualTo(ChargerState.OCCUPIED);
        port.update(PowerReading.NOTHING, now, events);
        assertThat(port.state()).isEqualTo(ChargerState.AVAILABLE);
    }

    @Test
    void unpluggingEndsTheSessionAsUnplugged() {
        reading(0);
        port.start("m-bo", 240, now, events);
        minutes(10, 150);
        now += 5_000;
        assertThat(port.update(PowerReading.NOTHING, now, events).relayClosed()).isFalse();
        assertThat(port.state()).isEqualTo(ChargerState.AVAILABLE);
        assertThat(data.get(1).getString("reason")).isEqualTo("unplugged");
        assertThat(data.get(1).getDouble("energyWh")).as("9 min and 5 s at 150 W").isEqualTo(22.7);
    }

    @Test
    void sessionStartedBeforeThePlugWaitsForTheBikeThenGivesUp() {
        Session s = port.start("m-cy", 240, now, events);
        now += 60_000;
        assertThat(port.update(PowerReading.NOTHING, now, events).relayClosed()).as("within the grace").isTrue();
        now += 61_000;
        assertThat(port.update(PowerReading.NOTHING, now, events).relayClosed()).isFalse();
        assertThat(data.get(1).getString("reason")).isEqualTo("unplugged");
        assertThat(data.get(1).getString("sessionId")).isEqualTo(s.id());
    }

    @Test
    void endsAtTheSessionLimitAndNeverLaterThanTwelveHours() {
        reading(0);
        port.start("m-di", 240, now, events);
        minutes(239, 200);
        assertThat(port.session()).isPresent();
        minutes(1, 200);
        assertThat(port.session()).isEmpty();
        assertThat(data.get(1).getString("reason")).isEqualTo("time-limit");
        Session longOne = port.start("m-di", 24 * 60, now, events);
        assertThat(longOne.endsBy() - longOne.startedAt()).isEqualTo(12 * 60 * MIN);
    }

    @Test
    void faultEndsTheSessionAsSafetyCutoffAndRefusesANewOneUntilCleared() {
        reading(0);
        port.start("m-ed", 240, now, events);
        minutes(3, 180);
        assertThat(port.fault("over-temperature", now, events).relayClosed()).isFalse();
        assertThat(port.state()).isEqualTo(ChargerState.FAULTED);
        assertThat(types).containsExactly("charger.session_started", "charger.session_ended", "charger.fault");
        assertThat(data.get(1).getString("reason")).isEqualTo("safety-cutoff");
        assertThat(minutes(1, 0).relayClosed()).isFalse();
        assertThat(port.state()).as("faulted from any state, whatever the meter says").isEqualTo(ChargerState.FAULTED);
        assertThatThrownBy(() -> port.start("m-ed", 240, now, events)).isInstanceOf(ChargerException.class)
                .extracting(e -> ((ChargerException) e).code()).isEqualTo("faulted");
        port.clearFault(now, events);
        assertThat(port.state()).isEqualTo(ChargerState.OCCUPIED);
        assertThat(port.start("m-ed", 240, now, events)).isNotNull();
    }

    @Test
    void disablingEndsTheSessionAsStoppedByOperatorAndStopsCanComeFromTheRider() {
        reading(0);
        port.start("m-fu", 240, now, events);
        assertThat(port.stop(Session.STOPPED_BY_RIDER, now, events).relayClosed()).isFalse();
        assertThat(data.get(1).getString("reason")).isEqualTo("stopped-by-rider");
        port.start("m-fu", 240, now, events);
        assertThatThrownBy(() -> port.start("m-gu", 240, now, events)).isInstanceOf(ChargerException.class)
                .extracting(e -> ((ChargerException) e).code()).isEqualTo("busy");
        assertThat(port.setEnabled(false, now, events).relayClosed()).isFalse();
        assertThat(port.state()).isEqualTo(ChargerState.DISABLED);
        assertThat(data.get(3).getString("reason")).isEqualTo("stopped-by-operator");
        assertThatThrownBy(() -> port.start("m-gu", 240, now, events))
                .extracting(e -> ((ChargerException) e).code()).isEqualTo("disabled");
    }
}
