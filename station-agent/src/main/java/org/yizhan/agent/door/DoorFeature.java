package org.yizhan.agent.door;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.yizhan.access.RiderPass;
import org.yizhan.agent.feature.AgentFeature;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.config.StationConfig;
import org.yizhan.protocol.Command;

/**
 * The door as a station feature: the {@code door.unlock} command (with a member named, scan-to-enter through
 * {@link RemoteEntry}), the {@code door} status block, the unlock time applied live, and the lock at stop.
 */
public final class DoorFeature implements AgentFeature {

    private final DoorController door;
    private final RemoteEntry remoteEntry;

    public DoorFeature(DoorController door, RemoteEntry remoteEntry) {
        this.door = door;
        this.remoteEntry = remoteEntry;
    }

    @Override
    public void commands(CommandDispatcher commands) {
        commands.on(Command.DOOR_UNLOCK, c -> {
            int seconds = CommandDispatcher.intArg(c, "seconds", 1, 60, door.defaultUnlockSeconds());
            Object member = c.args().getValue("member");
            if (member != null) {
                // scan-to-enter: the hub names the member; the station still checks revocation, room and hours
                if (!(member instanceof String m) || RiderPass.memberId(m).isEmpty()) {
                    throw new CommandFailure("invalid", "args.member must be a member pseudonym");
                }
                return remoteEntry.enter(m, seconds).map(dec -> {
                    if (!dec.granted()) {
                        throw new CommandFailure(dec.reason(), "entry refused: " + dec.reason());
                    }
                    return new JsonObject().put("seconds", seconds).put("member", m);
                });
            }
            return door.unlock(seconds, "remote").map(v -> new JsonObject().put("seconds", seconds));
        });
    }

    @Override
    public void status(JsonObject status) {
        status.put("door", new JsonObject().put("open", door.isOpen()).put("locked", door.isLocked()));
    }

    @Override
    public void configure(StationConfig next) {
        door.configure(next.door());
    }

    @Override
    public Future<Void> start() {
        return door.start();
    }

    @Override
    public Future<Void> stop() {
        return door.lock();
    }
}
