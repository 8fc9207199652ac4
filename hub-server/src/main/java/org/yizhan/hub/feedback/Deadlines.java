package org.yizhan.hub.feedback;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * When feedback must be answered, in Asia/Shanghai days: an urgent item by the end of the day it arrived, a normal
 * one by the end of the third day after that day (arrived Monday, answered by Thursday midnight). An item not
 * triaged yet has the normal deadline.
 */
public final class Deadlines {

    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    public static final String URGENT = "urgent";
    public static final String NORMAL = "normal";
    /** Days after the day of arrival that a normal item may take. */
    public static final int NORMAL_DAYS = 3;

    private Deadlines() {
    }

    /** The deadline (epoch ms, exclusive: answered before it is on time) of an item of that priority. */
    public static long of(String priority, long receivedAt) {
        LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(receivedAt), ZONE);
        int extra = URGENT.equals(priority) ? 0 : NORMAL_DAYS;
        return day.plusDays(1L + extra).atStartOfDay(ZONE).toInstant().toEpochMilli();
    }
}
