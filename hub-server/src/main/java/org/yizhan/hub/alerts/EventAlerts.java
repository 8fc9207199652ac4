package org.yizhan.hub.alerts;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.db.Database;
import org.yizhan.hub.feature.EventEffects;
import org.yizhan.hub.feature.HubFeature;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.CommandResult;
import org.yizhan.protocol.Event;
import org.yizhan.protocol.EventType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Alerts raised by station events, opened in the transaction that stores the event:
 * <ul>
 *   <li>{@code charger.safety_cutoff} opens {@code safety-cutoff} for its port (subject {@code port:N}) or, without
 *   a port, for the whole cabinet (subject {@code cabinet}), with data port, cause and reading. A port's alert
 *   closes when an operator's {@code charger.enable} for that port succeeds (the port is back in service); the
 *   cabinet alert stays open until an operator acknowledges it.</li>
 *   <li>{@code smoke.alarm} with {@code active: true} (the agent's field; {@code alarm} is read too, and without
 *   either an alarm is assumed) opens {@code smoke}; {@code active: false} closes it.</li>
 *   <li>{@code door.forced} opens {@code door-forced}, left open for acknowledgement; {@code door.held_open} opens
 *   {@code door-held-open}, closed by the next {@code door.closed}.</li>
 *   <li>{@code outbox.alarm} opens {@code outbox} for its cause (subject {@code disk} or {@code cap}) while
 *   {@code active}, and closes it when an alarm with {@code active: false} for that cause arrives.</li>
 * </ul>
 * A repeat while the alert is open is counted in its data ({@code repeats}, {@code lastAt}) instead of opening
 * another. Alert times are the event's {@code ts} (the station's clock).
 */
public final class EventAlerts implements EventEffects, HubFeature {

    private static final int MAX_PORT = 64;

    private final Database db;

    public EventAlerts(Database db) {
        this.db = db;
    }

    /** Ingestion runs this feature's derivations. */
    @Override
    public EventEffects effects() {
        return this;
    }

    @Override
    public List<JsonObject> onEvents(Connection c, String stationId, List<Event> fresh) throws SQLException {
        List<JsonObject> out = new ArrayList<>();
        for (Event e : fresh) {
            JsonObject d = e.data();
            switch (e.type()) {
                case EventType.CHARGER_SAFETY_CUTOFF -> {
                    Optional<Integer> port = port(d);
                    JsonObject data = new JsonObject().put("port", port.orElse(null))
                            .put("cause", text(d.getValue("cause")).orElse("unknown"))
                            .put("reading", d.getValue("reading")).put("eventId", e.id());
                    String subject = port.map(p -> "port:" + p).orElse("cabinet");
                    out.add(alert(stationId, AlertStore.openOrRepeat(c, stationId, AlertStore.SAFETY_CUTOFF, subject,
                            e.ts(), data)));
                }
                case EventType.SMOKE_ALARM -> {
                    if (Boolean.FALSE.equals(d.getValue("active")) || Boolean.FALSE.equals(d.getValue("alarm"))) {
                        AlertStore.close(c, stationId, AlertStore.SMOKE, "", e.ts(),
                                new JsonObject().put("clearedBy", e.id())).ifPresent(a -> out.add(alert(stationId, a)));
                    } else {
                        out.add(alert(stationId, AlertStore.openOrRepeat(c, stationId, AlertStore.SMOKE, "", e.ts(),
                                new JsonObject().put("eventId", e.id()))));
                    }
                }
                case EventType.DOOR_FORCED -> out.add(alert(stationId, AlertStore.openOrRepeat(c, stationId,
                        AlertStore.DOOR_FORCED, "", e.ts(), new JsonObject().put("eventId", e.id()))));
                case EventType.DOOR_HELD_OPEN -> out.add(alert(stationId, AlertStore.openOrRepeat(c, stationId,
                        AlertStore.DOOR_HELD_OPEN, "", e.ts(), new JsonObject().put("eventId", e.id()))));
                case EventType.OUTBOX_ALARM -> outboxAlarm(c, stationId, e).ifPresent(out::add);
                case EventType.DOOR_CLOSED -> AlertStore.close(c, stationId, AlertStore.DOOR_HELD_OPEN, "", e.ts(),
                        new JsonObject().put("clearedBy", e.id())).ifPresent(a -> out.add(alert(stationId, a)));
                default -> {
                }
            }
        }
        return out;
    }

    /**
     * {@code outbox.alarm}: {@code active: true} opens (or repeats) {@code outbox} for its cause ({@code disk} or
     * {@code cap}, the subject), with the alarm's data; {@code active: false} closes it.
     */
    private static Optional<JsonObject> outboxAlarm(Connection c, String stationId, Event e) throws SQLException {
        JsonObject d = e.data();
        String cause = "cap".equals(d.getValue("cause")) ? "cap" : "disk";
        if (Boolean.FALSE.equals(d.getValue("active"))) {
            return AlertStore.close(c, stationId, AlertStore.OUTBOX, cause, e.ts(),
                    new JsonObject().put("clearedBy", e.id())).map(a -> alert(stationId, a));
        }
        JsonObject data = new JsonObject().put("eventId", e.id());
        for (String k : new String[] {"error", "inMemory", "evicted", "refused", "pending", "maxEvents", "maxBytes"}) {
            if (d.getValue(k) instanceof String || d.getValue(k) instanceof Number) {
                data.put(k, d.getValue(k) instanceof String s ? text(s).orElse("") : d.getValue(k));
            }
        }
        return Optional.of(alert(stationId, AlertStore.openOrRepeat(c, stationId, AlertStore.OUTBOX, cause, e.ts(),
                data)));
    }

    /** A succeeded {@code charger.enable} for port N closes that port's open {@code safety-cutoff} alert. */
    @Override
    public Future<List<JsonObject>> onCommandResult(String stationId, CommandResult result, long at) {
        if (!result.ok()) {
            return Future.succeededFuture(List.of());
        }
        return db.tx(c -> {
            Optional<Integer> port = enabledPort(c, stationId, result.id());
            if (port.isEmpty()) {
                return List.<JsonObject>of();
            }
            return AlertStore.close(c, stationId, AlertStore.SAFETY_CUTOFF, "port:" + port.get(), at,
                            new JsonObject().put("clearedBy", result.id()))
                    .map(a -> List.of(alert(stationId, a))).orElse(List.of());
        });
    }

    private static Optional<Integer> enabledPort(Connection c, String stationId, String commandId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, args FROM commands WHERE id = ? AND station_id = ?")) {
            ps.setString(1, commandId);
            ps.setString(2, stationId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !Command.CHARGER_ENABLE.equals(rs.getString(1))) {
                    return Optional.empty();
                }
                return port(new JsonObject(rs.getString(2)));
            }
        }
    }

    private static Optional<Integer> port(JsonObject d) {
        return d.getValue("port") instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && n.intValue() >= 1 && n.intValue() <= MAX_PORT ? Optional.of(n.intValue()) : Optional.empty();
    }

    private static Optional<String> text(Object v) {
        return v instanceof String s && !s.isBlank() ? Optional.of(s.length() > 64 ? s.substring(0, 64) : s)
                : Optional.empty();
    }

    private static JsonObject alert(String stationId, JsonObject alert) {
        return EventEffects.live("alert", stationId, alert);
    }
}
