package org.yizhan.hub.broker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.protocol.Channel;
import org.yizhan.protocol.Topics;

import java.util.ArrayList;
import java.util.List;

/**
 * Station accounts on a Mosquitto broker, kept through its dynamic-security plugin ({@code mqtt-broker-dynsec}):
 * each station is a broker client (username and client id = the station id, password = the station secret) with
 * its own role, which lets it publish on its up channels and subscribe under its own root, nothing else (the
 * plugin's default denies publishing and subscribing). The hub's own broker user gets the role
 * {@value #HUB_ROLE}: read every station's up channels, publish commands and configurations.
 */
public final class StationAccounts {

    private static final Logger LOG = LoggerFactory.getLogger(StationAccounts.class);
    public static final String HUB_ROLE = "yizhan-hub";
    static final String STATION_ROLE_PREFIX = "yizhan-station-";
    private static final String EXISTS = "already exists";
    private static final long RECONNECT_WAIT_MS = 40_000;

    private final BrokerLink link;
    private final String hubUser;

    public StationAccounts(BrokerLink link, String hubUser) {
        this.link = link;
        this.hubUser = hubUser;
    }

    /**
     * Creates the hub's role (if missing) and gives it to the hub's broker user, unless the user has it already.
     * Mosquitto disconnects a client whose roles change, so giving the role costs the hub one reconnection, once.
     */
    public Future<Void> ensureHubRole() {
        return hasHubRole().compose(has -> {
            if (has) {
                return Future.succeededFuture();
            }
            String all = Topics.ROOT + "+/";
            JsonArray acls = new JsonArray();
            for (Channel ch : Channel.values()) {
                if (ch.direction() == Channel.Direction.UP) {
                    acls.add(acl("subscribePattern", all + ch.suffix()));
                } else {
                    acls.add(acl("publishClientSend", all + ch.suffix()));
                }
            }
            JsonArray commands = new JsonArray()
                    .add(new JsonObject().put("command", "createRole").put("rolename", HUB_ROLE)
                            .put("textdescription", "Yizhan hub replicas").put("acls", acls))
                    .add(new JsonObject().put("command", "addClientRole").put("username", hubUser)
                            .put("rolename", HUB_ROLE).put("priority", 10));
            LOG.info("Giving the hub's broker user {} the role {}; the broker reconnects it", hubUser, HUB_ROLE);
            return link.control(commands).<Void>mapEmpty().recover(kicked -> Future.succeededFuture())
                    .compose(v -> link.whenUp(RECONNECT_WAIT_MS))
                    .compose(v -> hasHubRole())
                    .compose(now -> now ? Future.<Void>succeededFuture() : Future.failedFuture(new IllegalStateException(
                            "the broker did not give the hub's user " + hubUser + " the role " + HUB_ROLE)));
        });
    }

    private Future<Boolean> hasHubRole() {
        return link.control(new JsonArray().add(new JsonObject().put("command", "getClient")
                .put("username", hubUser))).compose(r -> {
            JsonObject first = r.getJsonObject(0);
            if (first.containsKey("error")) {
                return Future.failedFuture(new IllegalStateException("the broker does not know the hub's user "
                        + hubUser + ": " + first.getString("error")));
            }
            JsonArray roles = first.getJsonObject("data", new JsonObject()).getJsonObject("client", new JsonObject())
                    .getJsonArray("roles", new JsonArray());
            return Future.succeededFuture(roles.stream().anyMatch(o -> o instanceof JsonObject j
                    && HUB_ROLE.equals(j.getString("rolename"))));
        });
    }

    /**
     * The station's broker client with this password, created with its role, or its password replaced when it
     * exists (re-provisioning). Completes when the broker confirmed it.
     */
    public Future<Void> provision(String stationId, String secret) {
        Topics.requireStationId(stationId);
        String role = STATION_ROLE_PREFIX + stationId;
        JsonArray acls = new JsonArray();
        for (Channel ch : Channel.values()) {
            if (ch.direction() == Channel.Direction.UP) {
                acls.add(acl("publishClientSend", Topics.of(stationId, ch)));
            }
        }
        acls.add(acl("subscribePattern", Topics.root(stationId) + "#"));
        JsonArray create = new JsonArray()
                .add(new JsonObject().put("command", "createRole").put("rolename", role).put("acls", acls))
                .add(new JsonObject().put("command", "createClient").put("username", stationId)
                        .put("clientid", stationId).put("password", secret)
                        .put("roles", new JsonArray().add(new JsonObject().put("rolename", role).put("priority", 1))));
        return link.control(create).compose(r -> {
            boolean existed = r.size() > 1 && r.getJsonObject(1).getString("error", "").contains(EXISTS);
            if (!existed) {
                return check(r, List.of(EXISTS), "creating the broker client of " + stationId);
            }
            JsonArray update = new JsonArray()
                    .add(new JsonObject().put("command", "setClientPassword").put("username", stationId)
                            .put("password", secret))
                    .add(new JsonObject().put("command", "enableClient").put("username", stationId));
            return link.control(update).compose(u -> check(u, List.of(), "replacing the broker password of "
                    + stationId));
        }).onSuccess(v -> LOG.info("Broker client of station {} set", stationId));
    }

    /** Removes the station's broker client and role: connections with its credentials are closed by the broker. */
    public Future<Void> remove(String stationId) {
        Topics.requireStationId(stationId);
        JsonArray commands = new JsonArray()
                .add(new JsonObject().put("command", "deleteClient").put("username", stationId))
                .add(new JsonObject().put("command", "deleteRole").put("rolename", STATION_ROLE_PREFIX + stationId));
        return link.control(commands).compose(r -> check(r, List.of("not found"), "removing the broker client of "
                + stationId)).onSuccess(v -> LOG.info("Broker client of station {} removed", stationId));
    }

    private static JsonObject acl(String type, String topic) {
        return new JsonObject().put("acltype", type).put("topic", topic).put("priority", 0).put("allow", true);
    }

    /** Fails with the plugin's errors, except those containing one of the tolerated texts. */
    private static Future<Void> check(JsonArray responses, List<String> tolerated, String what) {
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < responses.size(); i++) {
            JsonObject r = responses.getJsonObject(i);
            String error = r.getString("error");
            if (error != null && tolerated.stream().noneMatch(t -> error.toLowerCase().contains(t))) {
                errors.add(r.getString("command") + ": " + error);
            }
        }
        return errors.isEmpty() ? Future.succeededFuture()
                : Future.failedFuture(new IllegalStateException(what + " failed: " + String.join("; ", errors)));
    }
}
