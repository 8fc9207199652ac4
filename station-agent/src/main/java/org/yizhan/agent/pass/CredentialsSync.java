package org.yizhan.agent.pass;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yizhan.access.RiderPass;
import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.agent.uplink.CommandHandler;
import org.yizhan.protocol.Command;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code credentials.sync} command: {@code args {"revoked":["m-..",..],"version":N}} replaces the stored
 * revocation list unless the station holds a newer version. Answers {@code {"applied","version","revoked"}}.
 */
public final class CredentialsSync implements CommandHandler {

    public static final int MAX_REVOKED = 100_000;

    private final AccessControl access;

    public CredentialsSync(AccessControl access) {
        this.access = access;
    }

    @Override
    public Future<JsonObject> handle(Command c) {
        Object v = c.args().getValue("version");
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
            throw new CommandFailure("invalid", "args.version must be a whole number, 0 or more");
        }
        long version = ((Number) v).longValue();
        if (!(c.args().getValue("revoked") instanceof JsonArray list)) {
            throw new CommandFailure("invalid", "args.revoked must be a list of member pseudonyms");
        }
        if (list.size() > MAX_REVOKED) {
            throw new CommandFailure("invalid", "args.revoked has more than " + MAX_REVOKED + " members");
        }
        List<String> members = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.getValue(i) instanceof String s) || RiderPass.memberId(s).isEmpty()) {
                throw new CommandFailure("invalid", "args.revoked[" + i + "] is not a member pseudonym (m-...)");
            }
            members.add(s);
        }
        return access.syncRevoked(members, version).map(applied -> new JsonObject().put("applied", applied)
                .put("version", access.revocationVersion()).put("revoked", applied ? members.size() : -1));
    }
}
