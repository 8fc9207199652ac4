package org.yizhan.hub.stations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.hub.http.ApiException;

import java.util.List;
import java.util.Objects;

/**
 * The few settings of a station's configuration a technician changes from the hub, by their names in the
 * station configuration ({@code "heartbeatSeconds"}, {@code "door.unlockSeconds"}, {@code "charger.portMaxW"},
 * ...), so the problems firmware-config's parser reports name the same fields. Their ranges are the parser's.
 */
public final class ConfigSettings {

    /** The settings, in the order pages show them. */
    public static final List<String> NAMES = List.of(
            "heartbeatSeconds", "telemetrySeconds",
            "door.unlockSeconds", "door.heldOpenSeconds",
            "occupancy.capacity",
            "charger.sessionLimitMinutes", "charger.fullThresholdW", "charger.fullAfterSeconds",
            "charger.portMaxW", "charger.portMaxTempC", "charger.cabinetMaxW",
            "charger.dailySessions", "charger.dailyEnergyWh");

    private ConfigSettings() {
    }

    /** The settings' values in a station configuration (JSON form). */
    public static JsonObject read(JsonObject config) {
        JsonObject out = new JsonObject();
        for (String name : NAMES) {
            int dot = name.indexOf('.');
            Object v = dot < 0 ? config.getValue(name)
                    : config.getJsonObject(name.substring(0, dot), new JsonObject()).getValue(name.substring(dot + 1));
            out.put(name, v);
        }
        return out;
    }

    /** Writes the settings into a station configuration (JSON form, changed in place). */
    public static JsonObject apply(JsonObject config, JsonObject settings) {
        for (String name : settings.fieldNames()) {
            int dot = name.indexOf('.');
            if (dot < 0) {
                config.put(name, settings.getValue(name));
            } else {
                String block = name.substring(0, dot);
                JsonObject o = config.getJsonObject(block);
                if (o == null) {
                    o = new JsonObject();
                    config.put(block, o);
                }
                o.put(name.substring(dot + 1), settings.getValue(name));
            }
        }
        return config;
    }

    /**
     * The settings a technician sent: only known names, each a number.
     *
     * @throws ApiException 400 naming the first unknown or non-numeric setting
     */
    public static JsonObject parse(JsonObject sent) {
        JsonObject out = new JsonObject();
        for (String name : sent.fieldNames()) {
            if (!NAMES.contains(name)) {
                throw ApiException.badField(name, "is not a setting that can be changed here; they are " + NAMES);
            }
            Object v = sent.getValue(name);
            if (!(v instanceof Number)) {
                throw ApiException.badField(name, "must be a number");
            }
            out.put(name, v);
        }
        return out;
    }

    /** What changed from {@code before} to {@code after}: [{"field","from","to"}], in the order of {@link #NAMES}. */
    public static JsonArray changes(JsonObject before, JsonObject after) {
        JsonArray out = new JsonArray();
        for (String name : NAMES) {
            Object a = before.getValue(name);
            Object b = after.getValue(name);
            if (!sameNumber(a, b)) {
                out.add(new JsonObject().put("field", name).put("from", a).put("to", b));
            }
        }
        return out;
    }

    private static boolean sameNumber(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return Objects.equals(a, b);
    }
}
