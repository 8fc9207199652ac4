package org.yizhan.agent.face;

import io.vertx.core.json.JsonObject;
import org.yizhan.access.RiderPass;
import org.yizhan.agent.uplink.CommandDispatcher;
import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.agent.uplink.CommandHandler;
import org.yizhan.protocol.Command;

import java.util.Base64;

/**
 * The hub's face commands. {@code face.consent} {@code {"member","sync":bool,"version"}}: the member consents
 * (sync: whether templates may leave the station where they were enrolled); {@code face.delete}
 * {@code {"member","version"}}: consent withdrawn, every template of the member is deleted; {@code face.sync}
 * {@code {"member","dims","template"}}: a template enrolled at another station (base64 of little-endian floats),
 * kept only while this station knows the member consents to sync. {@code version} is the hub's change time of
 * the member's consent: an older state than the one held is ignored.
 */
public final class FaceCommands {

    /** Largest template taken from the hub (values). */
    public static final int MAX_DIMS = 1024;

    private final FaceAccess face;

    public FaceCommands(FaceAccess face) {
        this.face = face;
    }

    public CommandHandler consent() {
        return c -> {
            String member = member(c);
            if (!(c.args().getValue("sync") instanceof Boolean sync)) {
                throw new CommandFailure("invalid", "args.sync must be true or false");
            }
            long version = version(c);
            return face.consent(member, sync, version).map(removed -> new JsonObject().put("member", member)
                    .put("applied", removed >= 0).put("sync", sync).put("removed", Math.max(0, removed)));
        };
    }

    public CommandHandler delete() {
        return c -> {
            String member = member(c);
            long version = version(c);
            return face.withdraw(member, version).map(removed -> new JsonObject().put("member", member)
                    .put("removed", removed));
        };
    }

    public CommandHandler sync() {
        return c -> {
            String member = member(c);
            int dims = CommandDispatcher.requiredIntArg(c, "dims", 1, MAX_DIMS);
            if (!(c.args().getValue("template") instanceof String b64) || b64.length() > MAX_DIMS * 4 * 4 / 3 + 4) {
                throw new CommandFailure("invalid", "args.template must be base64 of at most " + MAX_DIMS + " floats");
            }
            float[] template;
            try {
                template = TemplateCipher.fromBytes(Base64.getDecoder().decode(b64));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure("invalid", "args.template is not base64 of little-endian floats");
            }
            if (template.length != dims) {
                throw new CommandFailure("invalid", "args.template has " + template.length + " values, not " + dims);
            }
            for (float x : template) {
                if (!Float.isFinite(x)) {
                    throw new CommandFailure("invalid", "args.template holds a value that is not finite");
                }
            }
            return face.synced(member, template)
                    .recover(err -> io.vertx.core.Future.failedFuture(err instanceof FaceStore.NoConsentException
                            ? new CommandFailure("no-consent", err.getMessage()) : err))
                    .map(id -> new JsonObject().put("member", member).put("stored", true));
        };
    }

    private static String member(Command c) {
        if (!(c.args().getValue("member") instanceof String m) || RiderPass.memberId(m).isEmpty()) {
            throw new CommandFailure("invalid", "args.member must be a member pseudonym (m-...)");
        }
        return m;
    }

    private static long version(Command c) {
        Object v = c.args().getValue("version");
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
            throw new CommandFailure("invalid", "args.version must be a whole number, 0 or more");
        }
        return ((Number) v).longValue();
    }
}
