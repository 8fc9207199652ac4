package org.yizhan.agent.charger;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.hardware.BinaryInput;
import org.yizhan.agent.hardware.Gpio;
import org.yizhan.agent.http.LocalHttp;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Command;
import org.yizhan.protocol.Telemetry;

import java.util.Optional;

/**
 * The e-bike chargers as a station feature: the {@code charger.start/stop/enable/disable} commands, the
 * {@code chargers}, {@code cabinet}, {@code smokeAlarm} and {@code charging} status blocks, charging by pass at
 * the charger's own routes, the rules applied live, and the smoke input cutting every port off. At start the
 * day's quota is loaded and a smoke alarm already raised cuts off at once.
 */
public final class ChargerFeature implements AgentFeature {

    private final Gpio gpio;
    private final Chargers chargers;
    private final DailyQuota quota;
    private final ChargeByPass chargeByPass;
    private final BinaryInput smoke;

    public ChargerFeature(Gpio gpio, Chargers chargers, DailyQuota quota, ChargeByPass chargeByPass,
                          BinaryInput smoke) {
        this.gpio = gpio;
        this.chargers = chargers;
        this.quota = quota;
        this.chargeByPass = chargeByPass;
        this.smoke = smoke;
    }

    @Override
    public void commands(CommandDispatcher d) {
        d.on(Command.CHARGER_START, this::startCharging);
        d.on(Command.CHARGER_STOP, c -> {
            int p = port(c);
            Object by = c.args().getValue("by");
            if (by != null && !"rider".equals(by) && !"operator".equals(by)) {
                throw new CommandFailure("invalid", "args.by must be \"rider\" or \"operator\"");
            }
            String reason = "rider".equals(by) ? Session.STOPPED_BY_RIDER : Session.STOPPED_BY_OPERATOR;
            Optional<Session> running = chargers.port(p).flatMap(ChargerPort::session);
            return refusals(chargers.stopPort(p, reason)).map(v -> new JsonObject().put("port", p)
                    .put("ended", running.isPresent())
                    .put("sessionId", running.map(Session::id).orElse(null)));
        });
        d.on(Command.CHARGER_ENABLE, c -> {
            int p = port(c);
            return refusals(chargers.enable(p, true)).map(v -> new JsonObject().put("port", p)
                    .put("state", chargers.port(p).orElseThrow().state().wireName()));
        });
        d.on(Command.CHARGER_DISABLE, c -> {
            int p = port(c);
            return refusals(chargers.enable(p, false)).map(v -> new JsonObject().put("port", p)
                    .put("state", chargers.port(p).orElseThrow().state().wireName()));
        });
    }

    /** charger.start: args port, member (pseudonym), optional minutes (default the session limit, at most 12 h). */
    private Future<JsonObject> startCharging(Command c) {
        int p = port(c);
        Object member = c.args().getValue("member");
        if (!(member instanceof String m) || !LocalHttp.MEMBER.matcher(m).matches()) {
            throw new CommandFailure("invalid", "args.member must be a member pseudonym of 1 to 64 letters, digits, "
                    + "'.', '_', ':' or '-'");
        }
        int minutes = CommandDispatcher.intArg(c, "minutes", 1, StationConfig.Rules.FORCED_END_MINUTES,
                chargers.rules().sessionLimitMinutes());
        return refusals(chargers.startSession(p, (String) member, minutes)).map(Session::toJson);
    }

    /** A charger refusal answers the command with its own code (cabinet-limit, quota-exceeded, ...). */
    private static <T> Future<T> refusals(Future<T> f) {
        return f.recover(err -> Future.failedFuture(err instanceof ChargerException ce
                ? new CommandFailure(ce.code(), ce.getMessage()) : err));
    }

    private int port(Command c) {
        int p = CommandDispatcher.requiredIntArg(c, "port", 1, Telemetry.MAX_PORTS);
        if (chargers.port(p).isEmpty()) {
            throw new CommandFailure("invalid", "this station has no charger port " + p);
        }
        return p;
    }

    @Override
    public void status(JsonObject status) {
        JsonObject ch = chargers.status();
        JsonArray ports = ch.getJsonArray("ports");
        status.put("chargers", ports)
                .put("cabinet", new JsonObject().put("powerW", ch.getDouble("cabinetW"))
                        .put("maxW", ch.getDouble("cabinetMaxW")).put("safety", ch.getJsonObject("safety")))
                .put("smokeAlarm", chargers.smokeAlarm())
                .put("charging", new JsonObject().put("armed", chargeByPass.armed().orElse(null))
                        .put("last", chargeByPass.last().map(ChargeByPass.Decision::toJson).orElse(null))
                        .put("decisions", chargeByPass.counts()));
    }

    @Override
    public void routes(Router router) {
        new ChargeRoutes(chargeByPass).accept(router);
    }

    @Override
    public void configure(StationConfig next) {
        chargers.setRules(next.charger().rules());
    }

    @Override
    public Future<Void> start() {
        // straight from the input's thread: the relays open before the event loop hears of the smoke
        smoke.onChange(chargers::smokeInput);
        return quota.load().compose(x -> chargers.start()).compose(v -> gpio.call(smoke::isActive)).map(alarm -> {
            if (alarm) {
                chargers.smokeInput(true);
            }
            return null;
        });
    }

    @Override
    public Future<Void> stop() {
        return chargers.stop();
    }
}
