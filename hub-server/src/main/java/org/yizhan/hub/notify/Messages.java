package org.yizhan.hub.notify;

import io.vertx.core.json.JsonObject;
import org.yizhan.hub.alerts.AlertStore;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The words of each notification, Chinese first with English, times in the route's zone. */
public final class Messages {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Map<String, String> NAMES = Map.of(
            AlertStore.OFFLINE, "站点离线 station offline",
            AlertStore.SMOKE, "烟雾报警 smoke alarm",
            AlertStore.SAFETY_CUTOFF, "充电安全断电 charger safety cut-off",
            AlertStore.DOOR_FORCED, "门被强行打开 door forced open",
            AlertStore.DOOR_HELD_OPEN, "门未关闭 door held open",
            AlertStore.OUTBOX, "站点存储告警 station storage low",
            AlertStore.FEEDBACK_OVERDUE, "反馈逾期未答复 feedback overdue");

    /** An alert as a message needs it. */
    public record Alert(long id, String stationId, String stationName, String type, String subject, long openedAt,
                        Optional<Long> closedAt, JsonObject data) {
    }

    private Messages() {
    }

    public static String typeName(String type) {
        return NAMES.getOrDefault(type, type);
    }

    /** The message for a step about the alert; {@code reminder} counts reminders from 1. */
    public static Message of(Rules.Step step, Alert a, ZoneId zone, int reminder, long now) {
        boolean urgent = Urgency.urgent(a.type());
        String station = a.stationName().equals(a.stationId()) ? a.stationId()
                : a.stationName() + " (" + a.stationId() + ")";
        String tag = switch (step) {
            case OPENED -> urgent ? "【紧急 urgent】" : "【告警 alert】";
            case REMINDER -> "【提醒 reminder " + reminder + "】";
            case ESCALATION -> "【升级 escalated】";
            case RESOLVED -> "【已恢复 resolved】";
        };
        List<String> lines = new ArrayList<>();
        lines.add("站点 Station: " + station);
        lines.add("告警 Alert: " + typeName(a.type()) + (a.subject().isEmpty() ? "" : " · " + a.subject())
                + " #" + a.id());
        if (AlertStore.FEEDBACK_OVERDUE.equals(a.type())) {
            // what the rider wrote stays on the operator page: it may hold a phone number
            lines.add("反馈 Feedback: " + a.data().getString("feedbackId", "?") + " · "
                    + a.data().getString("category", "?"));
            lines.add("答复期限 Answer due: " + time(a.openedAt(), zone));
        } else {
            lines.add("开始 Opened: " + time(a.openedAt(), zone));
        }
        switch (step) {
            case REMINDER -> lines.add("仍未确认，已持续 Not acknowledged, open for " + duration(now - a.openedAt()));
            case ESCALATION -> lines.add("告警仍未解除，已持续 Still open after " + duration(now - a.openedAt()));
            case RESOLVED -> {
                long closed = a.closedAt().orElse(now);
                long length = a.data().getValue("outageMillis") instanceof Number n ? n.longValue()
                        : closed - a.openedAt();
                lines.add("结束 Closed: " + time(closed, zone));
                lines.add((AlertStore.OFFLINE.equals(a.type()) ? "离线时长 Outage: " : "持续 Lasted: ")
                        + duration(length));
            }
            default -> { }
        }
        if (step != Rules.Step.RESOLVED) {
            lines.add(AlertStore.FEEDBACK_OVERDUE.equals(a.type())
                    ? "请在驿站运营页面答复 Answer it on the Yizhan operator page (反馈 feedback)"
                    : "请在驿站运营页面确认 Acknowledge it on the Yizhan operator page");
        } else if (a.data().getValue("answeredBy") instanceof String by) {
            lines.add("已答复 Answered by: " + by);
        }
        Message.Severity severity = step == Rules.Step.RESOLVED ? Message.Severity.RESOLVED
                : urgent ? Message.Severity.URGENT : Message.Severity.WARNING;
        return new Message(tag + typeName(a.type()) + " · " + a.stationName(), lines,
                severity == Message.Severity.URGENT, severity);
    }

    /** The message of a "send a test message" call. */
    public static Message test(String channelName, String by, long now, ZoneId zone) {
        return new Message("【测试 test】驿站告警通知 Yizhan alert notifications", List.of(
                "这是一条测试消息 This is a test message for channel '" + channelName + "'",
                "发送人 Sent by: " + by + " · " + time(now, zone)), false, Message.Severity.INFO);
    }

    static String time(long epochMillis, ZoneId zone) {
        return TIME.format(Instant.ofEpochMilli(epochMillis).atZone(zone)) + " (" + zone.getId() + ")";
    }

    /** 1 小时 5 分 (1h 5m), 3 分 12 秒 (3m 12s), 40 秒 (40s). */
    static String duration(long millis) {
        long s = Math.max(0, millis / 1000);
        long d = s / 86_400;
        long h = s % 86_400 / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        if (d > 0) {
            return d + " 天 " + h + " 小时 (" + d + "d " + h + "h)";
        }
        if (h > 0) {
            return h + " 小时 " + m + " 分 (" + h + "h " + m + "m)";
        }
        if (m > 0) {
            return m + " 分 " + sec + " 秒 (" + m + "m " + sec + "s)";
        }
        return sec + " 秒 (" + sec + "s)";
    }
}
