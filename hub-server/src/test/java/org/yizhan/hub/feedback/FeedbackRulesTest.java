package org.yizhan.hub.feedback;

import org.junit.jupiter.api.Test;

import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/** Deadlines in Asia/Shanghai days and the masking of phone numbers for technicians. */
class FeedbackRulesTest {

    private static long shanghai(int year, int month, int day, int hour, int minute) {
        return ZonedDateTime.of(year, month, day, hour, minute, 0, 0, Deadlines.ZONE).toInstant().toEpochMilli();
    }

    @Test
    void urgentIsDueAtShanghaiMidnightOfTheDayItCameNotUtcMidnight() {
        // 23:30 in Shanghai is 15:30 UTC: the Shanghai day ends 30 minutes later
        long lateEvening = shanghai(2025, 6, 2, 23, 30);
        assertThat(Deadlines.of(Deadlines.URGENT, lateEvening)).isEqualTo(shanghai(2025, 6, 3, 0, 0));
        // 00:10 in Shanghai is still the previous day in UTC
        long earlyMorning = shanghai(2025, 6, 3, 0, 10);
        assertThat(Deadlines.of(Deadlines.URGENT, earlyMorning)).isEqualTo(shanghai(2025, 6, 4, 0, 0));
    }

    @Test
    void normalIsDueAtTheEndOfTheThirdDayAfter() {
        assertThat(Deadlines.of(Deadlines.NORMAL, shanghai(2025, 6, 2, 9, 0))).isEqualTo(shanghai(2025, 6, 6, 0, 0));
        assertThat(Deadlines.of(Deadlines.NORMAL, shanghai(2025, 12, 30, 23, 59))).isEqualTo(shanghai(2026, 1, 3, 0, 0));
    }

    @Test
    void masksMobileNumbersButNotOtherDigits() {
        assertThat(Feedback.maskPhones("请打13800138000或 15912345678。")).isEqualTo("请打138****8000或 159****5678。");
        assertThat(Feedback.maskPhones("订单 123800138000999")).as("inside a longer number").isEqualTo("订单 123800138000999");
        assertThat(Feedback.maskPhones("3号口 12:30 坏了")).isEqualTo("3号口 12:30 坏了");
        assertThat(Feedback.maskPhones("电话 138 1234 5678")).isEqualTo("电话 138****5678");
        assertThat(Feedback.maskPhones("电话138-1234-5678")).isEqualTo("电话138****5678");
        assertThat(Feedback.maskPhones("+86 13812345678 或 8613812345679")).isEqualTo("138****5678 或 138****5679");
        assertThat(Feedback.maskPhones("电话１３８１２３４５６７８")).isEqualTo("电话１３８****５６７８");
    }
}
