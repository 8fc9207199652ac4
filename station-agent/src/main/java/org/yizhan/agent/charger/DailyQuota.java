package org.yizhan.agent.charger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.config.StationConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;

/**
 * How many sessions each member started today and how much energy they drew, kept in {@code quota.json} in
 * the state directory so a restart does not hand out a fresh quota. The day turns at local midnight. Runs on
 * the station's context; the file is written on a worker after each change.
 */
public final class DailyQuota {

    private static final Logger LOG = LoggerFactory.getLogger(DailyQuota.class);

    private final Vertx vertx;
    private final Path file;
    private final ZoneId zone;
    private String day = "";
    private JsonObject members = new JsonObject();
    private Future<Void> writing = Future.succeededFuture();

    public DailyQuota(Vertx vertx, Path file, ZoneId zone) {
        this.vertx = vertx;
        this.file = file;
        this.zone = zone;
    }

    /** Reads the file; a missing or unreadable file starts empty (and says so). */
    public Future<Void> load() {
        return vertx.executeBlocking(() -> {
            try {
                return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                return new JsonObject();
            } catch (Exception e) {
                LOG.warn("Charging quota file {} is unreadable, starting today's quota afresh: {}", file, e.toString());
                return new JsonObject();
            }
        }).map(json -> {
            Object d = json.getValue("day");
            Object m = json.getValue("members");
            if (d instanceof String s && m instanceof JsonObject mo) {
                day = s;
                members = mo;
            }
            return null;
        });
    }

    /** Why {@code member} may not start another session today, or empty when they may. */
    public Optional<String> refusal(String member, StationConfig.Rules rules, long now) {
        roll(now);
        JsonObject m = members.getJsonObject(member, new JsonObject());
        int sessions = m.getInteger("sessions", 0);
        double energy = m.getDouble("energyWh", 0.0);
        if (sessions >= rules.dailySessions()) {
            return Optional.of("member has started " + sessions + " of " + rules.dailySessions()
                    + " sessions allowed today");
        }
        if (rules.dailyEnergyWh() > 0 && energy >= rules.dailyEnergyWh()) {
            return Optional.of("member has drawn " + Math.round(energy) + " of " + Math.round(rules.dailyEnergyWh())
                    + " Wh allowed today");
        }
        return Optional.empty();
    }

    /** Counts a started session. */
    public void started(String member, long now) {
        roll(now);
        JsonObject m = entry(member);
        m.put("sessions", m.getInteger("sessions", 0) + 1);
        save();
    }

    /** Adds the energy of an ended session to the day it ended in. */
    public void ended(String member, double energyWh, long now) {
        roll(now);
        JsonObject m = entry(member);
        m.put("energyWh", Math.round((m.getDouble("energyWh", 0.0) + energyWh) * 10) / 10.0);
        save();
    }

    /** Today's use of {@code member}: {@code {"sessions":..,"energyWh":..}}. */
    public JsonObject usage(String member, long now) {
        roll(now);
        return members.getJsonObject(member, new JsonObject().put("sessions", 0).put("energyWh", 0.0)).copy();
    }

    private JsonObject entry(String member) {
        JsonObject m = members.getJsonObject(member);
        if (m == null) {
            m = new JsonObject();
            members.put(member, m);
        }
        return m;
    }

    private void roll(long now) {
        String today = LocalDate.ofInstant(Instant.ofEpochMilli(now), zone).toString();
        if (!today.equals(day)) {
            day = today;
            members = new JsonObject();
        }
    }

    private void save() {
        String text = new JsonObject().put("day", day).put("members", members.copy()).encode();
        writing = writing.transform(ar -> vertx.executeBlocking(() -> {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return null;
        })).<Void>mapEmpty().onFailure(err -> LOG.warn("Could not save the charging quota: {}", err.toString()));
    }
}
