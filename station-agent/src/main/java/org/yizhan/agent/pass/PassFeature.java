package org.yizhan.agent.pass;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Command;

/**
 * Rider passes as a station feature: the {@code credentials.sync} command (the revocation list), the
 * {@code lastAccess} and {@code access} status blocks, the hub keys and hours applied live, and the pruning of
 * used passes while running.
 */
public final class PassFeature implements AgentFeature {

    private final AccessControl access;

    public PassFeature(AccessControl access) {
        this.access = access;
    }

    @Override
    public void commands(CommandDispatcher commands) {
        commands.on(Command.CREDENTIALS_SYNC, new CredentialsSync(access));
    }

    @Override
    public void status(JsonObject status) {
        status.put("lastAccess", access.last().map(AccessDecision::toJson).orElse(null))
                .put("access", new JsonObject().put("decisions", access.counts())
                        .put("revocationVersion", access.revocationVersion()).put("revoked", access.revokedCount()));
    }

    @Override
    public void configure(StationConfig next) {
        access.configure(next.access());
    }

    @Override
    public Future<Void> start() {
        return access.start();
    }

    @Override
    public Future<Void> stop() {
        access.stop();
        return Future.succeededFuture();
    }
}
