package org.yizhan.hub.charging;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionDaysTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final LocalDate MAY_1 = LocalDate.of(2025, 5, 1);

    private static long at(int day, int hour, int minute) {
        return ZonedDateTime.of(2025, 5, day, hour, minute, 0, 0, SHANGHAI).toInstant().toEpochMilli();
    }

    private static SessionRow ended(long start, long end, double wh) {
        return new SessionRow(1, "st-1", "s" + start, OptionalInt.of(1), Optional.of("m"), start, OptionalLong.of(end),
                OptionalDouble.of(wh), Optional.of("full"));
    }

    private static SessionRow open(long start) {
        return new SessionRow(2, "st-1", "o" + start, OptionalInt.of(2), Optional.empty(), start, OptionalLong.empty(),
                OptionalDouble.empty(), Optional.empty());
    }

    @Test
    void splitsASessionOverMidnightByTimeAndCountsItOnItsStartDay() {
        JsonObject out = new SessionDays(MAY_1, MAY_1.plusDays(1))
                .add(List.of(ended(at(1, 10, 0), at(1, 12, 0), 600), ended(at(1, 23, 0), at(2, 1, 0), 400)),
                        SHANGHAI, 4, at(9, 0, 0))
                .toJson();
        JsonObject d1 = out.getJsonArray("days").getJsonObject(0);
        JsonObject d2 = out.getJsonArray("days").getJsonObject(1);
        assertThat(d1.getString("date")).isEqualTo("2025-05-01");
        assertThat(d1.getInteger("sessions")).isEqualTo(2);
        assertThat(d1.getDouble("busyMinutes")).isEqualTo(180.0);
        assertThat(d1.getDouble("energyWh")).as("600 + half of 400").isEqualTo(800.0);
        assertThat(d1.getDouble("utilisation")).as("180 / (4 x 1440)").isEqualTo(0.0313);
        assertThat(d2.getInteger("sessions")).isZero();
        assertThat(d2.getDouble("busyMinutes")).isEqualTo(60.0);
        assertThat(d2.getDouble("energyWh")).isEqualTo(200.0);
        assertThat(d2.getDouble("utilisation")).isEqualTo(0.0104);
        JsonObject total = out.getJsonObject("total");
        assertThat(total.getInteger("sessions")).isEqualTo(2);
        assertThat(total.getDouble("energyWh")).isEqualTo(1000.0);
        assertThat(total.getDouble("busyMinutes")).isEqualTo(240.0);
        assertThat(total.getDouble("utilisation")).as("240 / (4 x 2880)").isEqualTo(0.0208);
    }

    @Test
    void openSessionIsBusyUntilNowButAtMostTwelveHoursAndHasNoEnergyYet() {
        JsonObject today = new SessionDays(MAY_1, MAY_1).add(List.of(open(at(1, 8, 0))), SHANGHAI, 1, at(1, 9, 30))
                .day(MAY_1);
        assertThat(today.getDouble("busyMinutes")).isEqualTo(90.0);
        assertThat(today.getDouble("energyWh")).isZero();
        JsonObject stale = new SessionDays(MAY_1, MAY_1).add(List.of(open(at(1, 0, 0))), SHANGHAI, 1, at(3, 0, 0))
                .day(MAY_1);
        assertThat(stale.getDouble("busyMinutes")).as("a session whose end never came counts 12 h").isEqualTo(720.0);
        assertThat(stale.getDouble("utilisation")).isEqualTo(0.5);
    }

    @Test
    void daysWithoutPortsHaveNoUtilisationAndAZoneChangingClocksHasShorterDays() {
        JsonObject none = new SessionDays(MAY_1, MAY_1).add(List.of(), SHANGHAI, 0, at(2, 0, 0)).day(MAY_1);
        assertThat(none.getValue("utilisation")).isNull();
        assertThat(SessionDays.minutesOf(LocalDate.of(2025, 3, 30), ZoneId.of("Europe/Berlin"))).isEqualTo(1380);
        assertThat(SessionDays.minutesOf(MAY_1, SHANGHAI)).isEqualTo(1440);
        assertThatThrownBy(() -> new SessionDays(MAY_1, MAY_1.minusDays(1))).hasMessageStartingWith("from:");
    }
}
