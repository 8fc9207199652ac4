package org.yizhan.agent.pass;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.access.RiderPass;
import org.yizhan.agent.uplink.CommandFailure;
import org.yizhan.agent.uplink.CommandHandler;
import org.yizhan.protocol.Command;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code credentials.sync} command, which keeps the station's revocation list (with its version) current. Its
 * {@code args} come in three forms:
 * <ul>
 *   <li>{@code {"mode":"delta","from":F,"to":T,"add":[..],"remove":[..]}}: applied when the list held is of a
 *   version from F to T, which it then becomes; ignored when it is T or newer; refused {@code version-gap} when it
 *   is older than F (the hub then sends the whole list).</li>
 *   <li>{@code {"mode":"full","version":V,"page":i,"pages":n,"members":[..]}}: page i of the whole list of V,
 *   staged until all n pages of V are in, then applied at once (see {@link RevocationPages}); pages of a version
 *   no newer than the list held are ignored.</li>
 *   <li>{@code {"revoked":[..],"version":V}} (the first form, one command): replaces the list unless the station
 *   holds a newer version.</li>
 * </ul>
 * Answers {@code {"applied","version","revoked"}}: whether the list changed, the version and size of the list
 * held now (a page that completes nothing adds {@code "staged"} and {@code "pages"}).
 */
public final class CredentialsSync implements CommandHandler {

    public static final int MAX_REVOKED = 100_000;
    public static final String VERSION_GAP = "version-gap";
    private static final Logger LOG = LoggerFactory.getLogger(CredentialsSync.class);

    private final AccessControl access;
    private final RevocationPages pages = new RevocationPages(MAX_REVOKED);

    public CredentialsSync(AccessControl access) {
        this.access = access;
    }

    @Override
    public Future<JsonObject> handle(Command c) {
        JsonObject args = c.args();
        Object mode = args.getValue("mode");
        if (mode == null) {
            return whole(args);
        }
        if ("delta".equals(mode)) {
            return delta(args);
        }
        if ("full".equals(mode)) {
            return page(args);
        }
        throw new CommandFailure("invalid", "args.mode must be \"delta\" or \"full\"");
    }

    private Future<JsonObject> whole(JsonObject args) {
        long version = number(args, "version", Long.MAX_VALUE);
        List<String> members = pseudonyms(args, "revoked");
        return access.syncRevoked(members, version).map(applied -> held(applied));
    }

    private Future<JsonObject> delta(JsonObject args) {
        long from = number(args, "from", Long.MAX_VALUE);
        long to = number(args, "to", Long.MAX_VALUE);
        if (from > to) {
            throw new CommandFailure("invalid", "args.from (" + from + ") is after args.to (" + to + ")");
        }
        List<String> add = pseudonyms(args, "add");
        List<String> remove = pseudonyms(args, "remove");
        Set<String> both = new HashSet<>(add);
        both.retainAll(remove);
        if (!both.isEmpty()) {
            throw new CommandFailure("invalid", "args.add and args.remove both name " + both.iterator().next());
        }
        return access.applyRevokedDelta(from, to, add, remove).compose(outcome -> switch (outcome) {
            case APPLIED -> Future.succeededFuture(held(true));
            case STALE -> Future.succeededFuture(held(false));
            case GAP -> Future.failedFuture(new CommandFailure(VERSION_GAP, "the station holds version "
                    + access.revocationVersion() + ", older than this delta's from " + from + "; send the whole list"));
        });
    }

    private Future<JsonObject> page(JsonObject args) {
        long version = number(args, "version", Long.MAX_VALUE);
        int count = (int) number(args, "pages", MAX_REVOKED);
        if (count < 1) {
            throw new CommandFailure("invalid", "args.pages must be 1 or more");
        }
        int page = (int) number(args, "page", count);
        if (page < 1) {
            throw new CommandFailure("invalid", "args.page must be 1 to args.pages (" + count + ")");
        }
        List<String> members = pseudonyms(args, "members");
        if (version <= access.revocationVersion()) {
            return Future.succeededFuture(held(false));
        }
        RevocationPages.Offer offer;
        try {
            offer = pages.offer(version, page, count, members);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure("invalid", e.getMessage());
        }
        if (offer.superseded()) {
            LOG.info("Page {} of revocation list version {} dropped: version {} is being staged", page, version,
                    offer.version());
            return Future.succeededFuture(held(false).put("superseded", true));
        }
        Optional<List<String>> complete = offer.complete();
        if (complete.isEmpty()) {
            return Future.succeededFuture(held(false).put("staged", offer.have()).put("pages", offer.pages()));
        }
        return access.syncRevoked(complete.get(), version).map(applied -> held(applied));
    }

    private JsonObject held(boolean applied) {
        return new JsonObject().put("applied", applied).put("version", access.revocationVersion())
                .put("revoked", access.revokedCount());
    }

    private static long number(JsonObject args, String name, long max) {
        Object v = args.getValue(name);
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0
                || ((Number) v).longValue() > max) {
            throw new CommandFailure("invalid", "args." + name + " must be a whole number, 0 to " + max);
        }
        return ((Number) v).longValue();
    }

    private static List<String> pseudonyms(JsonObject args, String name) {
        if (!(args.getValue(name) instanceof JsonArray list)) {
            throw new CommandFailure("invalid", "args." + name + " must be a list of member pseudonyms");
        }
        if (list.size() > MAX_REVOKED) {
            throw new CommandFailure("invalid", "args." + name + " has more than " + MAX_REVOKED + " members");
        }
        List<String> members = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.getValue(i) instanceof String s) || RiderPass.memberId(s).isEmpty()) {
                throw new CommandFailure("invalid", "args." + name + "[" + i + "] is not a member pseudonym (m-...)");
            }
            members.add(s);
        }
        return members;
    }
}
